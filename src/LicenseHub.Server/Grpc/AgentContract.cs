using System.Text.RegularExpressions;
using Google.Protobuf;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Validation;
using LicenseHub.V1;

namespace LicenseHub.Server.Agents;

/// <summary>Validated technical fields of one agent request (PRODUCT.md, "What the agent may send").</summary>
public sealed record AgentFields(
    string Fingerprint,
    string ProductVersion,
    string AgentVersion,
    Domain.Installations.TelemetryLevel Level,
    Domain.Installations.OsFamily? OsFamily,
    string? OsVersion,
    Domain.Installations.CpuArchitecture? CpuArchitecture,
    int? CpuCores);

/// <summary>
/// The whole list of what an agent may send, enforced: each field is checked against its shape, anything
/// else (including fields unknown to this contract) is refused with INVALID_ARGUMENT naming the field.
/// At telemetry level required the optional fields are dropped even when sent.
/// </summary>
public static partial class AgentContract
{
    public const int MaxVersionLength = 32;

    public static AgentFields Validate(Validator v, IMessage request, string? fingerprint, string? productVersion, string? agentVersion,
        V1.TelemetryLevel level, BasicTelemetry? basic)
    {
        RefuseUnknownFields(v, request, basic);
        var fp = (fingerprint ?? "").Trim();
        if (!FingerprintPattern().IsMatch(fp))
        {
            v.Fail("fingerprint", "must be 64 lower-case hex characters (HMAC-SHA256 of the machine id)");
        }
        var product = Version(v, "product_version", productVersion);
        var agent = Version(v, "agent_version", agentVersion);
        var domainLevel = level switch
        {
            V1.TelemetryLevel.Unspecified or V1.TelemetryLevel.Required => Domain.Installations.TelemetryLevel.Required,
            V1.TelemetryLevel.Basic => Domain.Installations.TelemetryLevel.Basic,
            _ => Fail(v, "telemetry_level", "must be REQUIRED or BASIC", Domain.Installations.TelemetryLevel.Required),
        };
        if (domainLevel == Domain.Installations.TelemetryLevel.Required || basic is null)
        {
            // Nothing optional is kept at level required, even if the client sent it.
            return new AgentFields(fp, product, agent, domainLevel, null, null, null, null);
        }
        Domain.Installations.OsFamily? os = basic.OsFamily switch
        {
            V1.OsFamily.Unspecified => null,
            V1.OsFamily.Linux => Domain.Installations.OsFamily.Linux,
            V1.OsFamily.Windows => Domain.Installations.OsFamily.Windows,
            V1.OsFamily.Macos => Domain.Installations.OsFamily.MacOS,
            V1.OsFamily.Freebsd => Domain.Installations.OsFamily.FreeBsd,
            _ => Fail<Domain.Installations.OsFamily?>(v, "basic.os_family", "is not a known OS family", null),
        };
        string? osVersion = null;
        if (!string.IsNullOrEmpty(basic.OsVersion))
        {
            if (OsVersionPattern().IsMatch(basic.OsVersion))
            {
                osVersion = basic.OsVersion;
            }
            else
            {
                v.Fail("basic.os_version", "must be major.minor, e.g. 12.4");
            }
        }
        Domain.Installations.CpuArchitecture? cpu = basic.CpuArchitecture switch
        {
            V1.CpuArchitecture.Unspecified => null,
            V1.CpuArchitecture.X64 => Domain.Installations.CpuArchitecture.X64,
            V1.CpuArchitecture.Arm64 => Domain.Installations.CpuArchitecture.Arm64,
            V1.CpuArchitecture.X86 => Domain.Installations.CpuArchitecture.X86,
            V1.CpuArchitecture.Arm => Domain.Installations.CpuArchitecture.Arm,
            _ => Fail<Domain.Installations.CpuArchitecture?>(v, "basic.cpu_architecture", "is not a known CPU architecture", null),
        };
        int? cores = null;
        if (basic.CpuCores != 0)
        {
            cores = v.Range("basic.cpu_cores", basic.CpuCores, 1, 1024);
        }
        return new AgentFields(fp, product, agent, domainLevel, os, osVersion, cpu, cores);
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
            v.Fail(field, "must be a version such as 1.4.2 or 2.0.0-rc.1");
        }
        return text;
    }

    /// <summary>
    /// Protobuf keeps fields it does not know; re-encoding only the known fields and comparing sizes
    /// reveals them, so a newer or hostile client cannot slip extra data past the contract.
    /// </summary>
    private static void RefuseUnknownFields(Validator v, IMessage request, BasicTelemetry? basic)
    {
        BasicTelemetry? knownBasic = basic is null ? null
            : new BasicTelemetry { OsFamily = basic.OsFamily, OsVersion = basic.OsVersion, CpuArchitecture = basic.CpuArchitecture, CpuCores = basic.CpuCores };
        if (basic is not null && knownBasic!.CalculateSize() != basic.CalculateSize())
        {
            v.Fail("basic", "carries fields outside the agent contract; only OS family, OS version, CPU architecture and core count are accepted");
            return;
        }
        var known = request.Descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in request.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(request);
            field.Accessor.SetValue(known, value is BasicTelemetry ? knownBasic : value);
        }
        if (known.CalculateSize() != request.CalculateSize())
        {
            v.Fail("request", "carries fields outside the agent contract; only the documented technical fields are accepted");
        }
    }

    private static T Fail<T>(Validator v, string field, string description, T fallback)
    {
        v.Fail(field, description);
        return fallback;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FingerprintPattern();

    [GeneratedRegex(@"^\d{1,4}\.\d{1,4}$")]
    private static partial Regex OsVersionPattern();

    // Semantic-version-like: digits and dots, optional pre-release/build of [0-9A-Za-z.-+].
    [GeneratedRegex(@"^v?\d{1,6}(\.\d{1,6}){0,3}([-+][0-9A-Za-z.-]{1,20})?$")]
    private static partial Regex VersionPattern();
}
