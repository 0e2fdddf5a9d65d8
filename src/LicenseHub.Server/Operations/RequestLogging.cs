using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace LicenseHub.Server.Operations;

/// <summary>
/// One line per request, at Information (health probes, metric scrapes and answered check-ins at Debug): the gRPC method and status, or
/// the HTTP method, route template and status code, and the duration. Never the path as sent, a query string, a
/// header or an address: a route template has no ids, keys or search terms in it, and a request that matched no route
/// is logged without its path.
/// </summary>
public sealed class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    /// <summary>Set in <see cref="HttpContext.Items"/> once the request's API key was accepted.</summary>
    public const string AuthenticatedCaller = "licensehub.authenticated-caller";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            Log(context, failed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private void Log(HttpContext context, bool failed, double elapsedMs)
    {
        // A gRPC method's route template is its full name (/licensehub.v1.AgentService/CheckIn); an unknown method
        // matches gRPC's {unimplementedService}/{unimplementedMethod}.
        var template = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var route = template is null ? "(no route)" : "/" + template.TrimStart('/');
        var level = IsProbe(context.Request.Path) ? LogLevel.Debug : LogLevel.Information;
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            var status = failed ? "INTERNAL" : GrpcStatus(context);
            // Anonymous refused requests (unreadable, invalid, without a valid key) are counted and summarised by
            // RefusedRequestLog instead: anyone can send them, without a key and without a limit. A caller with a
            // valid key gets its line.
            if (status is "UNAUTHENTICATED" || (status == "INVALID_ARGUMENT" && !context.Items.ContainsKey(AuthenticatedCaller)))
            {
                level = LogLevel.Debug;
            }
            // A check-in that was answered is an agent's routine call at its fixed cadence, like a probe: every
            // installation, every hour, saying nothing an operator acts on. It is counted (licensehub.checkins, by answer),
            // and an answer other than VALID has its own line (AgentLicensing); a failed check-in keeps this one.
            if (status == "OK" && route == CheckInRoute)
            {
                level = LogLevel.Debug;
            }
            if (logger.IsEnabled(level))
            {
                logger.Log(level, "gRPC {GrpcMethod} {GrpcStatus} in {ElapsedMs:0.0} ms", route, status, elapsedMs);
            }
            return;
        }
        if (!logger.IsEnabled(level))
        {
            return;
        }
        logger.Log(level, "HTTP {HttpMethod} {Route} {StatusCode} in {ElapsedMs:0.0} ms",
            context.Request.Method, route, failed ? 500 : context.Response.StatusCode, elapsedMs);
    }

    private const string CheckInRoute = "/licensehub.v1.AgentService/CheckIn";

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/grpc.health.v1.Health");

    // The gRPC status codes by number, spelled as gRPC tools and the agent's messages spell them. Here rather than from
    // Grpc.Core: the foundation stays free of transport types.
    private static readonly string[] StatusNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    ];

    /// <summary>The status in the trailers, or in the headers of a trailers-only answer (an error before any message).</summary>
    private static string GrpcStatus(HttpContext context)
    {
        var value = context.Response.Headers["grpc-status"].ToString();
        if (string.IsNullOrEmpty(value))
        {
            value = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString() ?? "";
        }
        return int.TryParse(value, out var code) && code >= 0 && code < StatusNames.Length ? StatusNames[code] : "(no status)";
    }
}
