using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using Google.Rpc;
using Grpc.Core;

namespace LicenseHub.Agent;

/// <summary>Where the server URL of a call came from, so that the next step names what the user can change.</summary>
internal enum ServerSource
{
    /// <summary>Given as <c>--server</c> on this command line (activation).</summary>
    CommandLine,

    /// <summary>Recorded in the state file at activation (run, forget).</summary>
    StateFile,
}

/// <summary>
/// A call to the license server that failed, in plain words: what happened at which URL and what to do
/// next. Thrown by <see cref="AgentClient"/> for every failed call, so no gRPC status text reaches the user.
/// </summary>
internal sealed class LicenseServerException(RpcException rpc, string problem, string? nextStep, TimeSpan? retryAfter)
    : Exception(nextStep is null ? problem : problem + "; " + nextStep, rpc)
{
    /// <summary>What happened, naming the server (e.g. "the license server at https://x is unreachable (connection refused)").</summary>
    public string Problem { get; } = problem;

    /// <summary>What the user can do about it, or null when <see cref="Problem"/> says it already.</summary>
    public string? NextStep { get; } = nextStep;

    public StatusCode StatusCode => rpc.StatusCode;

    /// <summary>The server's own explanation (may be empty); stored as the last result's detail.</summary>
    public string Detail => rpc.Status.Detail;

    /// <summary>How long the server asked us to wait (google.rpc.RetryInfo), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Network trouble, a failing or a busy server: worth retrying later, as opposed to an answer about this installation.</summary>
    public bool IsUnreachable => ServerErrors.IsUnreachable(rpc);

    public int ExitCode => ServerErrors.ExitCodeFor(rpc);

    /// <summary>The refusal signed by the server (a <c>SignedStatus</c> detail), if the error carries one; not yet verified.</summary>
    public string? SignedStatus => ServerErrors.SignedStatusOf(rpc);
}

/// <summary>
/// The one mapping from gRPC failures to what lh-agent says and how it exits. Messages name the server URL
/// and a next step, never gRPC's own words (status names, "subchannel", exception dumps), and never request
/// data, which may hold secrets.
/// </summary>
internal static class ServerErrors
{
    // What Grpc.Net.Client puts in front of a failure; it tells the user nothing.
    private static readonly string[] s_jargon =
    [
        "Error connecting to subchannel",
        "Error starting gRPC call",
        "Bad gRPC response",
        "HttpRequestException:",
        "IOException:",
        "SocketException:",
    ];

    /// <summary>Network trouble, a failing or a busy server (worth retrying later).</summary>
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

    public static LicenseServerException ToException(RpcException e, Uri server, ServerSource source, TimeSpan callTimeout)
    {
        var at = "the license server at " + Display(server);
        var retry = source == ServerSource.CommandLine
            ? "check --server and that the server runs, then retry"
            : "check that the server runs and that this machine can reach it, then retry";
        var activateAgain = $"activate again: lh-agent activate --key-file PATH --server {Display(server)}";
        var detail = PlainDetail(e.Status.Detail);
        var said = detail is null ? "" : $" (it said: {detail})";
        var status = ReadStatus(e);

        switch (e.StatusCode)
        {
            case StatusCode.Unavailable:
                return new(e, $"{at} is unreachable ({TransportCause(e, server) ?? detail ?? "no connection"})", retry, null);
            case StatusCode.DeadlineExceeded:
                return new(e, $"{at} is unreachable: it did not answer within {callTimeout.TotalSeconds:F0} s (timed out)", retry, null);
            case StatusCode.ResourceExhausted:
                var delay = RetryDelay(status);
                return new(e, delay is { } wait
                    ? $"{at} turned the request away: too many attempts, retry in {Seconds(wait)} s"
                    : $"{at} turned the request away: too many attempts, retry in a minute", null, delay);
            case StatusCode.Unauthenticated:
                return new(e, $"{at} does not accept this installation's credential{said}", activateAgain, null);
            case StatusCode.PermissionDenied:
                return new(e, $"{at} does not permit this request{said}",
                    "check that this is the right license server for your license, or ask your reseller", null);
            case StatusCode.NotFound:
                return new(e, $"{at} does not know this installation{said}", activateAgain, null);
            case StatusCode.InvalidArgument or StatusCode.OutOfRange:
                return Invalid(e, at, status, detail);
            case StatusCode.FailedPrecondition:
                return new(e, $"{at} cannot do this now{said}", "ask your reseller about this license", null);
            case StatusCode.AlreadyExists:
                return new(e, $"{at} says this already exists{said}", "check 'lh-agent status'", null);
            case StatusCode.Unimplemented:
                return new(e, $"{at} does not offer the calls lh-agent makes",
                    "check that the URL is the license server's gRPC address (not its web portal) and that the server is a LicenseHub server", null);
            case StatusCode.Cancelled:
                return new(e, $"the call to the license server at {Display(server)} was cancelled before it answered", "retry", null);
        }

        // Unknown, Internal, Aborted, DataLoss: either the connection failed in a way the client reports as
        // an internal error (HTTP/1.1 only, TLS on one side only), or the server itself failed.
        if (TransportCause(e, server) is { } cause)
        {
            return new(e, $"{at} is unreachable ({cause})", retry, null);
        }

        return new(e, $"{at} failed to answer{said}", "retry later, and tell the server's operator if it keeps failing", null);
    }

    /// <summary>The status of the first <c>SignedStatus</c> detail of the error, unverified; null when there is none.</summary>
    public static string? SignedStatusOf(RpcException e) =>
        Details<V1.SignedStatus>(ReadStatus(e)).FirstOrDefault(d => d.Status.Length > 0)?.Status;

    /// <summary>The URL as a person typed it: without the slash that <see cref="Uri"/> adds to a bare host.</summary>
    public static string Display(Uri server) =>
        server.AbsolutePath == "/" ? server.GetLeftPart(UriPartial.Authority) : server.AbsoluteUri;

    private static LicenseServerException Invalid(RpcException e, string at, Google.Rpc.Status? status, string? detail)
    {
        var violations = Details<BadRequest>(status)
            .SelectMany(d => d.FieldViolations)
            .Where(v => v.Field.Length > 0)
            .ToList();
        if (violations.Count == 0)
        {
            return new(e, $"{at} rejected the request as invalid{(detail is null ? "" : ": " + detail)}", "correct the value and retry", null);
        }

        var listed = string.Join("; ", violations.Select(v => $"{FieldName(v.Field)} {PlainDetail(v.Description) ?? "is not valid"}"));
        // Fields the user typed have a fix on the command line; the others are computed by lh-agent itself.
        var typed = violations.Select(v => v.Field).Where(f => f is "license_key" or "product" or "product_version").Distinct().ToList();
        var next = typed.Count > 0
            ? $"correct {string.Join(" and ", typed.Select(FieldName))} and retry"
            : "lh-agent sent a value this server does not accept; check that the agent and the server are of matching versions";
        return new(e, $"{at} rejected the request: {listed}", next, null);
    }

    private static string FieldName(string field) => field switch
    {
        "license_key" => "the license key",
        "product" => "the product (--product)",
        "product_version" => "the product version (--product-version)",
        _ => field.Replace('_', ' '),
    };

    private static Google.Rpc.Status? ReadStatus(RpcException e)
    {
        try
        {
            // A hostile network may send anything in the trailer: an unreadable one is no details.
            return e.Trailers.GetRpcStatus(ignoreParseError: true);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>The details of one type; one that does not parse is left out, as is a trailer that does not.</summary>
    private static List<T> Details<T>(Google.Rpc.Status? status)
        where T : class, Google.Protobuf.IMessage<T>, new()
    {
        var found = new List<T>();
        foreach (var detail in status?.Details ?? [])
        {
            try
            {
                if (detail.TryUnpack<T>(out var message))
                {
                    found.Add(message);
                }
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                // Someone on the way sent a detail that is not what its type says: no detail.
            }
        }

        return found;
    }

    private static TimeSpan? RetryDelay(Google.Rpc.Status? status)
    {
        var info = Details<RetryInfo>(status).FirstOrDefault();
        if (info?.RetryDelay is not { } delay || delay.Seconds < 0 || delay.Nanos < 0)
        {
            return null;
        }

        // A server (or someone between) cannot make the daemon sleep for a year.
        return TimeSpan.FromSeconds(Math.Min(delay.Seconds + delay.Nanos / 1e9, TimeSpan.FromHours(1).TotalSeconds));
    }

    private static string Seconds(TimeSpan delay) =>
        Math.Max(1, Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Why the connection failed, in a few plain words; null when the call reached the server. The useful
    /// part of a transport failure sits in the innermost exceptions, under gRPC's own wording.
    /// </summary>
    private static string? TransportCause(RpcException e, Uri server)
    {
        var chain = new List<Exception>();
        for (var x = e.Status.DebugException; x is not null && chain.Count < 16; x = x.InnerException)
        {
            chain.Add(x);
        }

        foreach (var x in chain)
        {
            switch (x)
            {
                case SocketException s:
                    return s.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"the name {server.Host} does not resolve",
                        SocketError.TimedOut => "the connection timed out",
                        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown => "no route to the server",
                        SocketError.ConnectionReset or SocketError.ConnectionAborted => "the connection was reset",
                        _ => PlainDetail(s.Message) ?? s.SocketErrorCode.ToString(),
                    };
                case AuthenticationException a:
                    return "the TLS handshake failed: " + (PlainDetail(a.InnerException?.Message ?? a.Message) ?? "no detail");
            }
        }

        // Before the general HTTP errors below: the outer exception says "protocol error", the inner one why.
        if (chain.Any(x => x.Message.Contains("HTTP_1_1_REQUIRED", StringComparison.Ordinal)
            || x is HttpRequestException { HttpRequestError: HttpRequestError.VersionNegotiationError }))
        {
            return "that port does not speak HTTP/2, so it is not the license server's gRPC address (the web portal?)";
        }

        foreach (var x in chain)
        {
            if (x is HttpRequestException h)
            {
                switch (h.HttpRequestError)
                {
                    case HttpRequestError.NameResolutionError:
                        return $"the name {server.Host} does not resolve";
                    case HttpRequestError.ConnectionError:
                        return "the connection failed";
                    case HttpRequestError.SecureConnectionError:
                        return server.Scheme == Uri.UriSchemeHttps
                            ? "the TLS handshake failed; does the server use TLS on that port?"
                            : "the TLS handshake failed";
                    case HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded:
                        return server.Scheme == Uri.UriSchemeHttp
                            ? "it did not answer in HTTP/2; if the server uses TLS on that port, use https://"
                            : "it did not answer in HTTP/2";
                }
            }
        }

        if (chain.Count > 0 && e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown)
        {
            // An exception we do not know by type (the call failed on our side): its own words, once.
            var innermost = chain[^1];
            return innermost is IOException or HttpRequestException or OperationCanceledException or TimeoutException
                ? PlainDetail(innermost.Message)
                : null;
        }

        return null;
    }

    /// <summary>A server's or an exception's text on one line, without gRPC's wording around it; null when nothing is left.</summary>
    private static string? PlainDetail(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var plain = text.ReplaceLineEndings(" ").Trim();
        foreach (var jargon in s_jargon)
        {
            if (plain.StartsWith(jargon, StringComparison.OrdinalIgnoreCase))
            {
                plain = plain[jargon.Length..].TrimStart(' ', '.', ':');
            }
        }

        plain = plain.TrimEnd('.');
        if (plain.Length > 300)
        {
            plain = plain[..300] + "…";
        }

        return plain.Length == 0 ? null : plain;
    }
}
