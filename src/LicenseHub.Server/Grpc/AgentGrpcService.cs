using Grpc.Core;
using LicenseHub.Domain.Installations;
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
            Code = outcome.Code.ToProto(),
            Detail = outcome.Detail,
            InstallationId = outcome.InstallationId?.ToString() ?? "",
            InstallationSecret = outcome.Secret ?? "",
            Token = outcome.Token ?? "",
            LicenseId = outcome.LicenseId?.ToString() ?? "",
            ServerTime = clock.Now().ToProto(),
            CheckInTicket = outcome.Ticket ?? "",
        };
    }

    public override async Task<CheckInResponse> CheckIn(CheckInRequest request, ServerCallContext context)
    {
        var v = new Validator();
        var installationId = v.Id("installation_id", request.InstallationId);
        var secret = v.Text("installation_secret", request.InstallationSecret, 64);
        var ticket = CheckInTicket.Validate(v, "check_in_ticket", request.CheckInTicket);
        // A nonce has a ticket's shape: random, and nothing about the machine.
        var nonce = CheckInTicket.Validate(v, "status_nonce", request.StatusNonce);
        var fields = AgentContract.Validate(v, request, request.Fingerprint, request.ProductVersion, request.AgentVersion,
            request.TelemetryLevel, request.Basic);
        v.ThrowIfInvalid();
        var outcome = await licensing.CheckInAsync(installationId, secret, ticket, nonce, fields, context.CancellationToken);
        return new CheckInResponse
        {
            Code = outcome.Code.ToProto(),
            Detail = outcome.Detail,
            Token = outcome.Token ?? "",
            NextCheckInSeconds = (int)options.Value.CheckInInterval.TotalSeconds,
            ServerTime = clock.Now().ToProto(),
            CheckInTicket = outcome.Ticket ?? "",
            Status = outcome.Status ?? "",
        };
    }

    public override async Task<DeactivateResponse> Deactivate(DeactivateRequest request, ServerCallContext context)
    {
        var v = new Validator();
        var installationId = v.Id("installation_id", request.InstallationId);
        var secret = v.Text("installation_secret", request.InstallationSecret, 64);
        AgentContract.RefuseUnknownFields(v, request);
        v.ThrowIfInvalid();
        return new DeactivateResponse { Deleted = await licensing.DeactivateAsync(installationId, secret, context.CancellationToken) };
    }

    public override async Task<GetJwksResponse> GetJwks(GetJwksRequest request, ServerCallContext context)
    {
        var v = new Validator();
        AgentContract.RefuseUnknownFields(v, request);
        v.ThrowIfInvalid();
        return new() { JwksJson = await keys.GetJwksJsonAsync(context.CancellationToken) };
    }

    // The address is a rate-limiter key in memory only; it is never stored or logged.
    private static string SourceOf(ServerCallContext context) =>
        context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
