using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Grpc.Net.Client;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;
using LicenseHub.V1;

namespace LicenseHub.Agent;

/// <summary>
/// The agent's only connection to the license server: the four AgentService calls over gRPC, each with a
/// deadline. Everything lh-agent sends leaves through here.
/// </summary>
internal sealed class AgentClient : IDisposable
{
    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;
    private readonly AgentService.AgentServiceClient _client;
    private readonly ServerSource _source;

    public AgentClient(Uri server, ServerSource source = ServerSource.CommandLine)
    {
        Server = server;
        _source = source;
        _channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                // The agent talks to one configured server; it never follows redirects or uses cookies.
                AllowAutoRedirect = false,
                UseCookies = false,
            },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 1024 * 1024,
            MaxSendMessageSize = 64 * 1024,
        });
        _client = new AgentService.AgentServiceClient(_channel);
    }

    public Uri Server { get; }

    public static bool TryParseServer(string text, [NotNullWhen(true)] out Uri? server, [NotNullWhen(false)] out string? problem)
    {
        server = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problem = $"'{text}' is not an http:// or https:// URL";
            return false;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            problem = "the server URL must not contain credentials, a query or a fragment";
            return false;
        }

        server = uri;
        problem = null;
        return true;
    }

    /// <summary>A client for the server recorded at activation.</summary>
    /// <exception cref="InsecureTransportException">The state records plain http:// off this machine without the permission to use it.</exception>
    public static AgentClient ForState(AgentState state) => new(ServerOf(state), ServerSource.StateFile);

    /// <summary>The server recorded at activation, if the agent may talk to it.</summary>
    /// <exception cref="InsecureTransportException">The state records plain http:// off this machine without the permission to use it.</exception>
    public static Uri ServerOf(AgentState state)
    {
        // A state with a server that does not parse never loads (AgentState.FindProblem).
        if (state.Server is null || !TryParseServer(state.Server, out var server, out _))
        {
            throw new AgentStateException("the state file records no usable server URL; activate again");
        }

        return TransportProblem(server, state.AllowInsecureTransport, ServerSource.StateFile) is { } problem
            ? throw new InsecureTransportException(problem)
            : server;
    }

    /// <summary>
    /// Null when the agent may talk to <paramref name="server"/>; otherwise why not and what to do. Plain
    /// http:// is only for this machine: anywhere else the network may be hostile, and the license key and
    /// the installation secret would cross it unencrypted.
    /// </summary>
    public static string? TransportProblem(Uri server, bool allowInsecure, ServerSource source)
    {
        if (server.Scheme != Uri.UriSchemeHttp || allowInsecure || IsLoopback(server))
        {
            return null;
        }

        var secure = new UriBuilder(server) { Scheme = Uri.UriSchemeHttps, Port = server.IsDefaultPort ? -1 : server.Port }.Uri;
        var why = $"refusing plain http:// to the license server at {ServerErrors.Display(server)}: it is not on this machine, so the license key " +
            "and the installation secret would cross the network in clear, readable and changeable by anyone on the way";
        return source == ServerSource.CommandLine
            ? $"{why}; use https:// (e.g. --server {ServerErrors.Display(secure)}), or pass --allow-insecure-transport if this network is yours alone"
            : $"{why}; the state file records it without --allow-insecure-transport: activate again with an https:// URL " +
              $"(lh-agent activate --key-file PATH --server {ServerErrors.Display(secure)}), or with --allow-insecure-transport if this network is yours alone";
    }

    /// <summary>localhost, 127.0.0.0/8 or ::1 (also as an IPv4-mapped address): the connection never leaves the machine.</summary>
    public static bool IsLoopback(Uri server)
    {
        var host = server.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!System.Net.IPAddress.TryParse(host, out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return System.Net.IPAddress.IsLoopback(address);
    }

    public Task<ActivateResponse> ActivateAsync(ActivateRequest request, CancellationToken cancellationToken) =>
        CallAsync(options => _client.ActivateAsync(request, options), cancellationToken);

    public Task<CheckInResponse> CheckInAsync(CheckInRequest request, CancellationToken cancellationToken) =>
        CallAsync(options => _client.CheckInAsync(request, options), cancellationToken);

    public Task<DeactivateResponse> DeactivateAsync(DeactivateRequest request, CancellationToken cancellationToken) =>
        CallAsync(options => _client.DeactivateAsync(request, options), cancellationToken);

    /// <exception cref="FormatException">The server sent something that is not a JWKS document.</exception>
    public async Task<JsonWebKeySet> GetJwksAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync(options => _client.GetJwksAsync(new GetJwksRequest(), options), cancellationToken);
        try
        {
            return JsonWebKeySet.Parse(response.JwksJson);
        }
        catch (FormatException e)
        {
            throw new FormatException(
                $"the license server at {ServerErrors.Display(Server)} sent signing keys lh-agent cannot read ({e.Message}); check that it is a LicenseHub license server", e);
        }
    }

    public void Dispose() => _channel.Dispose();

    /// <exception cref="LicenseServerException">The call failed; its message says so in plain words.</exception>
    private async Task<T> CallAsync<T>(Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(new CallOptions(deadline: DateTime.UtcNow + s_callTimeout, cancellationToken: cancellationToken));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // We stopped waiting (the daemon got SIGTERM); the server did nothing wrong. The daemon treats
            // this like every other interruption: it stops cleanly.
            throw new OperationCanceledException("stopped while the license server had not answered", e, cancellationToken);
        }
        catch (RpcException e)
        {
            throw ServerErrors.ToException(e, Server, _source, s_callTimeout);
        }
    }
}

/// <summary>Plain http:// to a server off this machine, without --allow-insecure-transport; exit code 2.</summary>
internal sealed class InsecureTransportException(string message) : Exception(message);
