using LicenseHub.Server.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// Authenticates vendor and reseller calls by API key. Agent calls (AgentService) and the standard
/// health and reflection services authenticate otherwise or not at all.
/// </summary>
public sealed class AuthInterceptor(ApiKeyAuthenticator authenticator, CallerAccessor callerAccessor) : Interceptor
{
    private static readonly string[] KeyedServices = ["/licensehub.v1.VendorService/", "/licensehub.v1.ResellerService/", "/licensehub.v1.AuditService/"];

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (KeyedServices.Any(s => context.Method.StartsWith(s, StringComparison.Ordinal)))
        {
            callerAccessor.Set(await authenticator.AuthenticateAsync(BearerToken(context), context.CancellationToken));
        }
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (KeyedServices.Any(s => context.Method.StartsWith(s, StringComparison.Ordinal)))
        {
            callerAccessor.Set(await authenticator.AuthenticateAsync(BearerToken(context), context.CancellationToken));
        }
        await continuation(request, responseStream, context);
    }

    private static string? BearerToken(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null)
        {
            return null;
        }
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : header.Trim();
    }
}
