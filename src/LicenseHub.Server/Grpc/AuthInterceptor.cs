using Grpc.Core;
using Grpc.Core.Interceptors;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// The gRPC entry point of the permission model, and so REST/JSON's too: transcoded routes run the same
/// interceptors, and their endpoints carry the same method attributes. Every RPC declares
/// <see cref="RequiresAttribute"/> on its method; this authenticates the API key and checks the declaration with
/// <see cref="PermissionPolicy"/> before the method runs. Services mapped with AllowAnonymous take no API key:
/// AgentService proves the agent itself (license key, then installation credential); health and reflection are
/// public. Any other RPC without a declaration is refused.
/// </summary>
public sealed class AuthInterceptor(ApiKeyAuthenticator authenticator, CallerAccessor callerAccessor) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async Task AuthorizeAsync(ServerCallContext context)
    {
        var endpoint = context.GetHttpContext().GetEndpoint();
        var access = PermissionPolicy.Read(endpoint?.Metadata ?? EndpointMetadataCollection.Empty);
        if (access.Anonymous)
        {
            return;
        }
        // Authenticate first, so that a call without a valid key learns nothing about the operation.
        var caller = await authenticator.AuthenticateAsync(BearerToken(context), context.CancellationToken);
        context.GetHttpContext().Items[Operations.RequestLogging.AuthenticatedCaller] = true;
        PermissionPolicy.Authorize(caller, access, context.Method);
        callerAccessor.Set(caller);
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
