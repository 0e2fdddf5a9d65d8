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

    public AgentClient(Uri server)
    {
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

    public async Task<ActivateResponse> ActivateAsync(ActivateRequest request, CancellationToken cancellationToken) =>
        await _client.ActivateAsync(request, Options(cancellationToken));

    public async Task<CheckInResponse> CheckInAsync(CheckInRequest request, CancellationToken cancellationToken) =>
        await _client.CheckInAsync(request, Options(cancellationToken));

    public async Task<DeactivateResponse> DeactivateAsync(DeactivateRequest request, CancellationToken cancellationToken) =>
        await _client.DeactivateAsync(request, Options(cancellationToken));

    /// <exception cref="FormatException">The server sent something that is not a JWKS document.</exception>
    public async Task<JsonWebKeySet> GetJwksAsync(CancellationToken cancellationToken)
    {
        var response = await _client.GetJwksAsync(new GetJwksRequest(), Options(cancellationToken));
        return JsonWebKeySet.Parse(response.JwksJson);
    }

    /// <summary>
    /// Network trouble or a failing server (worth retrying later), as opposed to an answer about this
    /// installation.
    /// </summary>
    public static bool IsUnreachable(RpcException e) => e.StatusCode is
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unknown or StatusCode.Internal
        or StatusCode.Unimplemented or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Cancelled
        or StatusCode.DataLoss;

    /// <summary>The exit code for a failed call.</summary>
    public static int ExitCodeFor(RpcException e) => e.StatusCode switch
    {
        _ when IsUnreachable(e) => ExitCodes.ServerUnreachable,
        StatusCode.InvalidArgument or StatusCode.OutOfRange => ExitCodes.Usage,
        _ => ExitCodes.NotLicensed,
    };

    /// <summary>A short, single-line description of a failed call (no request data, which may hold secrets).</summary>
    public static string Describe(RpcException e)
    {
        var text = string.IsNullOrWhiteSpace(e.Status.Detail) ? e.StatusCode.ToString() : $"{e.StatusCode}: {e.Status.Detail}";
        // For transport failures the useful part ("Connection refused (host:port)", TLS errors) is inside.
        var cause = e.Status.DebugException;
        while (cause?.InnerException is not null)
        {
            cause = cause.InnerException;
        }

        if (cause is not null && !string.IsNullOrWhiteSpace(cause.Message) && !text.Contains(cause.Message, StringComparison.Ordinal))
        {
            text += " (" + cause.Message + ")";
        }

        return text.ReplaceLineEndings(" ");
    }

    public void Dispose() => _channel.Dispose();

    private static CallOptions Options(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + s_callTimeout, cancellationToken: cancellationToken);
}
