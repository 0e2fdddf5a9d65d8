using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Installations;

/// <summary>What an agent chose to share beyond the required fields.</summary>
public enum TelemetryLevel
{
    /// <summary>Fingerprint, product version, agent version only.</summary>
    Required,
    /// <summary>Also OS family, OS version, CPU architecture, CPU core count.</summary>
    Basic,
}

/// <summary>Operating system family reported at telemetry level basic.</summary>
public enum OsFamily
{
    /// <summary>Linux.</summary>
    Linux,
    /// <summary>Windows.</summary>
    Windows,
    /// <summary>macOS.</summary>
    MacOS,
    /// <summary>FreeBSD.</summary>
    FreeBsd,
}

/// <summary>CPU architecture reported at telemetry level basic.</summary>
public enum CpuArchitecture
{
    /// <summary>x86-64.</summary>
    X64,
    /// <summary>ARM64.</summary>
    Arm64,
    /// <summary>x86.</summary>
    X86,
    /// <summary>32-bit ARM.</summary>
    Arm,
}

/// <summary>
/// One machine using a license, known only by a pseudonymous fingerprint (an HMAC the agent computes;
/// the raw machine id never reaches the server). No personal data by construction.
/// </summary>
[EndUserData]
public sealed class Installation
{
    [OperationalData, Purpose("identify the installation"), Retention(Retention.InstallationLifetime)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("license used"), Retention(Retention.InstallationLifetime)]
    public Guid LicenseId { get; set; }

    [PseudonymousData, Purpose("count machines per license; bind tokens to a machine"), Retention(Retention.InstallationLifetime)]
    public required string Fingerprint { get; set; }

    [SecretData, Purpose("authenticate check-ins (SHA-256 of the installation secret)"), Retention(Retention.InstallationLifetime)]
    public required byte[] SecretHash { get; set; }

    [TechnicalData, Purpose("support and compatibility"), Retention(Retention.InstallationLifetime)]
    public required string ProductVersion { get; set; }

    [TechnicalData, Purpose("support and compatibility"), Retention(Retention.InstallationLifetime)]
    public required string AgentVersion { get; set; }

    [TechnicalData, Purpose("consent given by the agent's operator"), Retention(Retention.InstallationLifetime)]
    public TelemetryLevel TelemetryLevel { get; set; }

    [TechnicalData, Purpose("compatibility statistics (telemetry level basic only)"), Retention(Retention.InstallationLifetime)]
    public OsFamily? OsFamily { get; set; }

    [TechnicalData, Purpose("compatibility statistics (telemetry level basic only)"), Retention(Retention.InstallationLifetime)]
    public string? OsVersion { get; set; }

    [TechnicalData, Purpose("compatibility statistics (telemetry level basic only)"), Retention(Retention.InstallationLifetime)]
    public CpuArchitecture? CpuArchitecture { get; set; }

    [TechnicalData, Purpose("compatibility statistics (telemetry level basic only)"), Retention(Retention.InstallationLifetime)]
    public int? CpuCores { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.InstallationLifetime)]
    public DateTimeOffset ActivatedAt { get; set; }

    [OperationalData, Purpose("release silent installations"), Retention(Retention.InstallationLifetime)]
    public DateTimeOffset LastCheckInAt { get; set; }

    /// <summary>Drops every optional field: used when the level is (or becomes) required.</summary>
    public void EraseOptionalTelemetry()
    {
        OsFamily = null;
        OsVersion = null;
        CpuArchitecture = null;
        CpuCores = null;
    }
}
