using Google.Protobuf;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Validation;
using LicenseHub.V1;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// An agent request's protobuf fields as an <see cref="AgentReport"/>: the shape of each field is checked by
/// the report itself; here the enums are mapped and anything outside the contract, including fields
/// unknown to it, is refused with INVALID_ARGUMENT naming the field.
/// </summary>
public static class AgentContract
{
    public static AgentReport Validate(Validator v, IMessage request, string? fingerprint, string? productVersion, string? agentVersion,
        V1.TelemetryLevel level, BasicTelemetry? basic)
    {
        RefuseUnknownFields(v, request, basic);
        var domainLevel = level switch
        {
            V1.TelemetryLevel.Unspecified or V1.TelemetryLevel.Required => Domain.Installations.TelemetryLevel.Required,
            V1.TelemetryLevel.Basic => Domain.Installations.TelemetryLevel.Basic,
            _ => Fail(v, "telemetry_level", "must be REQUIRED or BASIC", Domain.Installations.TelemetryLevel.Required),
        };
        if (domainLevel == Domain.Installations.TelemetryLevel.Required || basic is null)
        {
            return AgentReport.Validate(v, fingerprint, productVersion, agentVersion, Domain.Installations.TelemetryLevel.Required);
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
        Domain.Installations.CpuArchitecture? cpu = basic.CpuArchitecture switch
        {
            V1.CpuArchitecture.Unspecified => null,
            V1.CpuArchitecture.X64 => Domain.Installations.CpuArchitecture.X64,
            V1.CpuArchitecture.Arm64 => Domain.Installations.CpuArchitecture.Arm64,
            V1.CpuArchitecture.X86 => Domain.Installations.CpuArchitecture.X86,
            V1.CpuArchitecture.Arm => Domain.Installations.CpuArchitecture.Arm,
            _ => Fail<Domain.Installations.CpuArchitecture?>(v, "basic.cpu_architecture", "is not a known CPU architecture", null),
        };
        return AgentReport.Validate(v, fingerprint, productVersion, agentVersion, domainLevel, os, basic.OsVersion, cpu,
            basic.CpuCores == 0 ? null : basic.CpuCores);
    }

    /// <summary>Refuses fields outside the contract on requests that carry no report (Deactivate, GetJwks).</summary>
    public static void RefuseUnknownFields(Validator v, IMessage request) => RefuseUnknownFields(v, request, null);

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
}
