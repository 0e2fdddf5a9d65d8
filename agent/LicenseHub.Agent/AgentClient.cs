using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Grpc.Net.Client;
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
        catch (RpcException e)
        {
            throw ServerErrors.ToException(e, Server, _source, s_callTimeout);
        }
    }
}

