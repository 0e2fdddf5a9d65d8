using LicenseHub.Domain.Classification;
using LicenseHub.Domain.Licensing;

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

    /// <summary>The installation of a machine activated now; its first check-in is recorded with <see cref="RecordCheckIn"/>.</summary>
    public static Installation Activate(Guid licenseId, AgentReport report, byte[] secretHash, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        LicenseId = licenseId,
        Fingerprint = report.Fingerprint,
        SecretHash = secretHash,
        ProductVersion = report.ProductVersion,
        AgentVersion = report.AgentVersion,
        ActivatedAt = now,
        LastCheckInAt = now,
    };

    /// <summary>The same machine activating again: same installation, a new credential (the old one stops working).</summary>
    public void Reactivate(byte[] secretHash) => SecretHash = secretHash;

    /// <summary>
    /// Applies one check-in (or activation) answered <paramref name="code"/> and returns its raw record. A
    /// check-in presented from another machine changes only the check-in time: what it reports describes
    /// that other machine, not this installation.
    /// </summary>
    public CheckIn RecordCheckIn(AgentReport report, string productCode, ValidationCode code, DateTimeOffset now)
    {
        LastCheckInAt = now;
        if (code != ValidationCode.FingerprintMismatch)
        {
            ProductVersion = report.ProductVersion;
            AgentVersion = report.AgentVersion;
            ApplyTelemetry(report);
        }
        return new CheckIn
        {
            InstallationId = Id,
            ProductCode = productCode,
            At = now,
            ProductVersion = report.ProductVersion,
            OsFamily = report.Level == TelemetryLevel.Basic ? report.OsFamily : null,
            Result = code.ToString(),
        };
    }

    /// <summary>The columns <see cref="RecordCheckIn"/> changes for <paramref name="code"/>: writers update exactly these.</summary>
    public static IReadOnlyList<string> CheckInColumns(ValidationCode code) => code == ValidationCode.FingerprintMismatch ? MismatchColumns : AllCheckInColumns;

    private static readonly string[] AllCheckInColumns =
    [
        nameof(LastCheckInAt), nameof(ProductVersion), nameof(AgentVersion), nameof(TelemetryLevel),
        nameof(OsFamily), nameof(OsVersion), nameof(CpuArchitecture), nameof(CpuCores),
    ];

    private static readonly string[] MismatchColumns = [nameof(LastCheckInAt)];

    private void ApplyTelemetry(AgentReport report)
    {
        TelemetryLevel = report.Level;
        if (report.Level == TelemetryLevel.Required)
        {
            // Narrowing consent erases what was shared before, at this very check-in.
            EraseOptionalTelemetry();
            return;
        }
        OsFamily = report.OsFamily;
        OsVersion = report.OsVersion;
        CpuArchitecture = report.CpuArchitecture;
        CpuCores = report.CpuCores;
    }

    /// <summary>Drops every optional field: used when the level is (or becomes) required.</summary>
    public void EraseOptionalTelemetry()
    {
        OsFamily = null;
        OsVersion = null;
        CpuArchitecture = null;
        CpuCores = null;
    }
}
