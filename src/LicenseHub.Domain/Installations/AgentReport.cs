using System.Text.RegularExpressions;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Domain.Installations;

/// <summary>
/// The validated technical fields of one agent request: the whole list of what an agent may send
/// (PRODUCT.md, "What the agent may send"). At telemetry level required the optional fields are empty.
/// </summary>
/// <param name="Fingerprint">HMAC-SHA256 of the machine id, 64 lower-case hex characters.</param>
/// <param name="ProductVersion">Version of the vendor's product.</param>
/// <param name="AgentVersion">Version of lh-agent.</param>
/// <param name="Level">What the operator agreed to share.</param>
/// <param name="OsFamily">OS family (level basic only).</param>
/// <param name="OsVersion">OS version, major.minor (level basic only).</param>
/// <param name="CpuArchitecture">CPU architecture (level basic only).</param>
/// <param name="CpuCores">CPU core count (level basic only).</param>
public sealed partial record AgentReport(
    string Fingerprint,
    string ProductVersion,
    string AgentVersion,
    TelemetryLevel Level,
    OsFamily? OsFamily = null,
    string? OsVersion = null,
    CpuArchitecture? CpuArchitecture = null,
    int? CpuCores = null)
{
    /// <summary>Longest accepted product or agent version.</summary>
    public const int MaxVersionLength = 32;

    /// <summary>
    /// Checks each field against its shape, recording violations under <paramref name="prefix"/> + the field
    /// name; at level required the optional fields are dropped even when given.
    /// </summary>
    public static AgentReport Validate(Validator v, string? fingerprint, string? productVersion, string? agentVersion, TelemetryLevel level,
        OsFamily? osFamily = null, string? osVersion = null, CpuArchitecture? cpuArchitecture = null, int? cpuCores = null, string prefix = "")
    {
        var fp = (fingerprint ?? "").Trim();
        if (!FingerprintPattern().IsMatch(fp))
        {
            v.Fail(prefix + "fingerprint", "must be 64 lower-case hex characters (HMAC-SHA256 of the machine id)");
        }
        var product = Version(v, prefix + "product_version", productVersion);
        var agent = Version(v, prefix + "agent_version", agentVersion);
        if (level == TelemetryLevel.Required)
        {
            // Nothing optional is kept at level required, even if the client sent it.
            return new AgentReport(fp, product, agent, level);
        }
        string? os = null;
        if (!string.IsNullOrEmpty(osVersion))
        {
            if (OsVersionPattern().IsMatch(osVersion))
            {
                os = osVersion;
            }
            else
            {
                v.Fail(prefix + "basic.os_version", "must be major.minor, e.g. 12.4");
            }
        }
        int? cores = cpuCores is { } c ? v.Range(prefix + "basic.cpu_cores", c, 1, 1024) : null;
        return new AgentReport(fp, product, agent, level, osFamily, os, cpuArchitecture, cores);
    }

    private static string Version(Validator v, string field, string? value)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 0)
        {
            v.Fail(field, "is required");
        }
        else if (text.Length > MaxVersionLength)
        {
            v.Fail(field, $"must be at most {MaxVersionLength} characters");
        }
        else if (!VersionPattern().IsMatch(text) || PersonalDataPatterns.Find(text).Count > 0)
        {
            v.Fail(field, "must be a version MAJOR.MINOR.PATCH with an optional short pre-release, such as 1.4.2 or 2.0.0-rc.1 (no build metadata)");
        }
        return text;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FingerprintPattern();

    [GeneratedRegex(@"^\d{1,4}\.\d{1,4}$")]
    private static partial Regex OsVersionPattern();

    // MAJOR.MINOR.PATCH and an optional short pre-release of [0-9A-Za-z.-]; no build metadata, which carried free text
    // into end-user tables.
    [GeneratedRegex(@"^\d{1,6}\.\d{1,6}\.\d{1,6}(-[0-9A-Za-z.-]{1,16})?$")]
    private static partial Regex VersionPattern();
}
