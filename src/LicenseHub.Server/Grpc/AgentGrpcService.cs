using Grpc.Core;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Agents;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Signing;
using LicenseHub.V1;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Grpc;

public sealed class AgentGrpcService(AgentLicensing licensing, SigningKeyStore keys, IOptions<LicenseHubOptions> options, TimeProvider clock)
    : AgentService.AgentServiceBase
{
    public override async Task<ActivateResponse> Activate(ActivateRequest request, ServerCallContext context)
    {
        var v = new Validator();
        var fields = AgentContract.Validate(v, request, request.Fingerprint, request.ProductVersion, request.AgentVersion,
            request.TelemetryLevel, request.Basic);
        var outcome = await licensing.ActivateAsync(SourceOf(context), request.LicenseKey, request.Product, fields, v, context.CancellationToken);
        return new ActivateResponse
        {
            Code = ToProto(outcome.Code),
            Detail = outcome.Detail,
            InstallationId = outcome.InstallationId?.ToString() ?? "",
            InstallationSecret = outcome.Secret ?? "",
            Token = outcome.Token ?? "",
            LicenseId = outcome.LicenseId?.ToString() ?? "",
            ServerTime = clock.Now().ToProto(),
        };
    }

    public override async Task<CheckInResponse> CheckIn(CheckInRequest request, ServerCallContext context)
    {
        var v = new Validator();
        var installationId = v.Id("installation_id", request.InstallationId);
        var secret = v.Text("installation_secret", request.InstallationSecret, 64);
        var fields = AgentContract.Validate(v, request, request.Fingerprint, request.ProductVersion, request.AgentVersion,
            request.TelemetryLevel, request.Basic);
        v.ThrowIfInvalid();
        var outcome = await licensing.CheckInAsync(installationId, secret, fields, context.CancellationToken);
        return new CheckInResponse
        {
            Code = ToProto(outcome.Code),
            Detail = outcome.Detail,
            Token = outcome.Token ?? "",
            NextCheckInSeconds = (int)options.Value.CheckInInterval.TotalSeconds,
            ServerTime = clock.Now().ToProto(),
        };
    }

    public override async Task<DeactivateResponse> Deactivate(DeactivateRequest request, ServerCallContext context)
    {
        var v = new Validator();
        var installationId = v.Id("installation_id", request.InstallationId);
        var secret = v.Text("installation_secret", request.InstallationSecret, 64);
        v.ThrowIfInvalid();
        return new DeactivateResponse { Deleted = await licensing.DeactivateAsync(installationId, secret, context.CancellationToken) };
    }

    public override async Task<GetJwksResponse> GetJwks(GetJwksRequest request, ServerCallContext context) =>
        new() { JwksJson = await keys.GetJwksJsonAsync(context.CancellationToken) };

    // The address is a rate-limiter key in memory only; it is never stored or logged.
    private static string SourceOf(ServerCallContext context) =>
        context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static V1.ValidationCode ToProto(Domain.Licensing.ValidationCode code) => code switch
    {
        Domain.Licensing.ValidationCode.Valid => V1.ValidationCode.Valid,
        Domain.Licensing.ValidationCode.Suspended => V1.ValidationCode.Suspended,
        Domain.Licensing.ValidationCode.Revoked => V1.ValidationCode.Revoked,
        Domain.Licensing.ValidationCode.Expired => V1.ValidationCode.Expired,
        Domain.Licensing.ValidationCode.NotFound => V1.ValidationCode.NotFound,
        Domain.Licensing.ValidationCode.TooManyMachines => V1.ValidationCode.TooManyMachines,
        Domain.Licensing.ValidationCode.FingerprintMismatch => V1.ValidationCode.FingerprintMismatch,
        Domain.Licensing.ValidationCode.ProductMismatch => V1.ValidationCode.ProductMismatch,
        Domain.Licensing.ValidationCode.InstallationReleased => V1.ValidationCode.InstallationReleased,
        _ => V1.ValidationCode.Unspecified,
    };
}
