using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using LicenseHub.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>What the proxy does with a check-in.</summary>
public enum RefusalMode
{
    /// <summary>Passes it on to the license server and its answer back unchanged.</summary>
    PassThrough,

    /// <summary>Passes it on, and removes the signed status from the server's refusal.</summary>
    StripSignedStatus,

    /// <summary>Answers REVOKED itself, without a signed status.</summary>
    AnswerRevoked,

    /// <summary>Answers the last refusal the license server sent through it, signed status and all, to a later request.</summary>
    ReplayLastRefusal,

    /// <summary>Fails it with PERMISSION_DENIED, without a signed status.</summary>
    PermissionDenied,

    /// <summary>Fails it with NOT_FOUND, without a signed status.</summary>
    NotFound,

    /// <summary>Fails it with UNAUTHENTICATED, without a signed status.</summary>
    Unauthenticated,
}

/// <summary>
/// A gRPC server on loopback between lh-agent and the real license server, as a misconfigured server or someone on
/// the network would be: it passes every call on and, for check-ins, answers as <see cref="Mode"/> says.
/// </summary>
public sealed class RefusalProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _upstream;

    private RefusalProxy(WebApplication app, GrpcChannel upstream, string url)
    {
        _app = app;
        _upstream = upstream;
        Url = url;
    }

    /// <summary>The URL lh-agent is activated with.</summary>
    public string Url { get; }

    public RefusalMode Mode { get; set; }

    /// <summary>The last refusal the license server answered through the proxy, before any change.</summary>
    public CheckInResponse? LastRefusal { get; private set; }

    public static async Task<RefusalProxy> StartAsync(string upstreamUrl)
    {
        var upstream = GrpcChannel.ForAddress(upstreamUrl);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        var holder = new Holder();
        builder.Services.AddSingleton(holder);
        builder.Services.AddSingleton(new AgentService.AgentServiceClient(upstream));
        var app = builder.Build();
        app.MapGrpcService<ForwardingAgentService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var proxy = new RefusalProxy(app, upstream, address);
        holder.Proxy = proxy;
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private sealed class Holder
    {
        public RefusalProxy Proxy { get; set; } = null!;
    }

    private sealed class ForwardingAgentService(Holder holder, AgentService.AgentServiceClient upstream) : AgentService.AgentServiceBase
    {
        public override async Task<ActivateResponse> Activate(ActivateRequest request, ServerCallContext context) =>
            await upstream.ActivateAsync(request, cancellationToken: context.CancellationToken);

        public override async Task<DeactivateResponse> Deactivate(DeactivateRequest request, ServerCallContext context) =>
            await upstream.DeactivateAsync(request, cancellationToken: context.CancellationToken);

        public override async Task<GetJwksResponse> GetJwks(GetJwksRequest request, ServerCallContext context) =>
            await upstream.GetJwksAsync(request, cancellationToken: context.CancellationToken);

        public override async Task<CheckInResponse> CheckIn(CheckInRequest request, ServerCallContext context)
        {
            var proxy = holder.Proxy;
            switch (proxy.Mode)
            {
                case RefusalMode.AnswerRevoked:
                    return new CheckInResponse { Code = ValidationCode.Revoked, Detail = "The license has been revoked." };
                case RefusalMode.ReplayLastRefusal when proxy.LastRefusal is { } last:
                    return last;
                case RefusalMode.PermissionDenied:
                    throw new RpcException(new Status(StatusCode.PermissionDenied, "This server does not permit check-ins."));
                case RefusalMode.NotFound:
                    throw new RpcException(new Status(StatusCode.NotFound, "No such installation."));
                case RefusalMode.Unauthenticated:
                    throw new RpcException(new Status(StatusCode.Unauthenticated, "The installation credential is not valid; activate again."));
            }

            CheckInResponse response;
            try
            {
                response = await upstream.CheckInAsync(request, cancellationToken: context.CancellationToken);
            }
            catch (RpcException e) when (proxy.Mode == RefusalMode.StripSignedStatus)
            {
                // The status and message only: the details, with the signed status, stay behind.
                throw new RpcException(new Status(e.StatusCode, e.Status.Detail));
            }

            if (response.Code != ValidationCode.Valid)
            {
                proxy.LastRefusal = response.Clone();
                if (proxy.Mode == RefusalMode.StripSignedStatus)
                {
                    response.Status = "";
                }
            }
            return response;
        }
    }
}
