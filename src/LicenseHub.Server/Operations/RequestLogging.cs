using System.Diagnostics;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http.Features;

namespace LicenseHub.Server.Operations;

/// <summary>
/// One line per request, at Information (health probes and metric scrapes at Debug): the gRPC method and status, or
/// the HTTP method, route template and status code, and the duration. Never the path as sent, a query string, a
/// header or an address: a route template has no ids, keys or search terms in it, and a request that matched no route
/// is logged without its path.
/// </summary>
public sealed class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
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
        var endpoint = context.GetEndpoint();
        var grpcMethod = endpoint?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.FullName;
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        var level = IsProbe(context.Request.Path, grpcMethod) ? LogLevel.Debug : LogLevel.Information;
        if (!logger.IsEnabled(level))
        {
            return;
        }
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            logger.Log(level, "gRPC {GrpcMethod} {GrpcStatus} in {ElapsedMs:0.0} ms",
                grpcMethod ?? "(unknown method)", failed ? "INTERNAL" : GrpcStatus(context), elapsedMs);
            return;
        }
        logger.Log(level, "HTTP {HttpMethod} {Route} {StatusCode} in {ElapsedMs:0.0} ms",
            context.Request.Method, route is null ? "(no route)" : "/" + route.TrimStart('/'), failed ? 500 : context.Response.StatusCode, elapsedMs);
    }

    private static bool IsProbe(PathString path, string? grpcMethod) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics")
        || grpcMethod?.StartsWith("/grpc.health.v1.Health/", StringComparison.Ordinal) == true;

    /// <summary>The status in the trailers, or in the headers of a trailers-only answer (an error before any message).</summary>
    private static string GrpcStatus(HttpContext context)
    {
        var value = context.Response.Headers["grpc-status"].ToString();
        if (string.IsNullOrEmpty(value))
        {
            value = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString() ?? "";
        }
        return int.TryParse(value, out var code) && Enum.IsDefined((global::Grpc.Core.StatusCode)code)
            ? Upper(((global::Grpc.Core.StatusCode)code).ToString())
            : "(no status)";
    }

    // StatusCode.InvalidArgument → INVALID_ARGUMENT, as gRPC tools and the agent's messages spell it.
    private static string Upper(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) && char.IsLower(name[i - 1]) ? "_" + c : char.ToUpperInvariant(c).ToString()));
}
