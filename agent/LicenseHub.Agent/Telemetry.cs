using System.Reflection;
using System.Runtime.InteropServices;
using LicenseHub.Agent.State;
using LicenseHub.V1;

namespace LicenseHub.Agent;

/// <summary>The only facts about the machine the agent may report, and only at telemetry level basic.</summary>
internal sealed record SystemFacts(OsFamily OsFamily, string OsVersion, CpuArchitecture CpuArchitecture, int CpuCores)
{
    public static SystemFacts Current() => new(
        CurrentOsFamily(),
        // On Linux this is the kernel version: the same meaning on every distribution, and it names none.
        $"{Environment.OSVersion.Version.Major}.{Math.Max(0, Environment.OSVersion.Version.Minor)}",
        RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => CpuArchitecture.X64,
            Architecture.Arm64 => CpuArchitecture.Arm64,
            Architecture.X86 => CpuArchitecture.X86,
            Architecture.Arm => CpuArchitecture.Arm,
            _ => CpuArchitecture.Unspecified,
        },
        Math.Clamp(Environment.ProcessorCount, 1, 1024));

    private static OsFamily CurrentOsFamily() =>
        OperatingSystem.IsLinux() ? OsFamily.Linux
        : OperatingSystem.IsWindows() ? OsFamily.Windows
        : OperatingSystem.IsMacOS() ? OsFamily.Macos
        : OperatingSystem.IsFreeBSD() ? OsFamily.Freebsd
        : OsFamily.Unspecified;
}

/// <summary>
/// Builds the requests the agent sends. <c>lh-agent telemetry show</c> prints the output of the same
/// method the daemon sends, so what is shown is what goes out.
/// </summary>
internal static class AgentRequests
{
    public const string MaskedSecret = "********";

    public static string AgentVersion { get; } = ReadAgentVersion();

    public static TelemetryLevel ToProto(TelemetrySetting setting) => setting switch
    {
        TelemetrySetting.Basic => TelemetryLevel.Basic,
        _ => TelemetryLevel.Required,
    };

    /// <summary>The optional fields, or null at level required.</summary>
    public static BasicTelemetry? BasicFor(TelemetrySetting setting, SystemFacts facts) => setting == TelemetrySetting.Basic
        ? new BasicTelemetry
        {
            OsFamily = facts.OsFamily,
            OsVersion = facts.OsVersion,
            CpuArchitecture = facts.CpuArchitecture,
            CpuCores = facts.CpuCores,
        }
        : null;

    /// <param name="nonce">Echoed in the signed status of a refusal (<see cref="SignedRefusal"/>); random, nothing about this machine.</param>
    public static CheckInRequest CheckIn(AgentState state, string fingerprint, SystemFacts facts, string nonce) => new()
    {
        InstallationId = state.InstallationId ?? "",
        InstallationSecret = state.InstallationSecret ?? "",
        Fingerprint = fingerprint,
        ProductVersion = state.ProductVersion ?? "",
        AgentVersion = AgentVersion,
        TelemetryLevel = ToProto(state.TelemetryLevel),
        Basic = BasicFor(state.TelemetryLevel, facts),
        // Echoed back as the server issued it: nothing about this machine.
        CheckInTicket = state.CheckInTicket ?? "",
        StatusNonce = nonce,
    };

    public static ActivateRequest Activate(
        string licenseKey, string fingerprint, string productVersion, string? product, TelemetrySetting level, SystemFacts facts) => new()
    {
        LicenseKey = licenseKey,
        Fingerprint = fingerprint,
        ProductVersion = productVersion,
        AgentVersion = AgentVersion,
        TelemetryLevel = ToProto(level),
        Basic = BasicFor(level, facts),
        Product = product ?? "",
    };

    /// <summary>What <see cref="Masked"/> shows for the status nonce.</summary>
    public const string FreshNonce = "(random, new for every check-in)";

    /// <summary>A copy safe to print: the installation secret and the check-in ticket replaced by asterisks.</summary>
    public static CheckInRequest Masked(CheckInRequest request)
    {
        var copy = request.Clone();
        if (copy.InstallationSecret.Length > 0)
        {
            copy.InstallationSecret = MaskedSecret;
        }

        // Not about the machine, but together with the secret it is what a copy of this state would need.
        if (copy.CheckInTicket.Length > 0)
        {
            copy.CheckInTicket = MaskedSecret;
        }

        // Random and new for every check-in: the one printed would never be sent.
        if (copy.StatusNonce.Length > 0)
        {
            copy.StatusNonce = FreshNonce;
        }

        return copy;
    }

    private static string ReadAgentVersion()
    {
        var version = typeof(AgentRequests).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
