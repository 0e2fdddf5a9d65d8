using LicenseHub.Server.Persistence;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using LicenseHub.Domain;
using LicenseHub.Server.Operations;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// The one place where domain errors become gRPC statuses. Anything unexpected is logged (without
/// request data) and answered as INTERNAL without details.
/// </summary>
public sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger, RefusedRequestLog refused, StorageHealth storage) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    // Streaming calls too: a refusal by the AuthInterceptor (which runs inside this one) must keep its status.
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        var status = exception switch
        {
            ValidationException v => InvalidArgument(IsRest(context) ? RestFieldNames.ForJson(v) : v),
            NotFoundException => Simple(Code.NotFound, exception.Message),
            PermissionDeniedException => Simple(Code.PermissionDenied, exception.Message),
            UnauthenticatedException => Simple(Code.Unauthenticated, exception.Message),
            Agents.SignedRefusalException s => new Google.Rpc.Status
            {
                Code = (int)Code.Unauthenticated,
                Message = s.Message,
                Details = { Any.Pack(new V1.SignedStatus { Status = s.Status }) },
            },
            PreconditionFailedException => Simple(Code.FailedPrecondition, exception.Message),
            AlreadyExistsException => Simple(Code.AlreadyExists, exception.Message),
            RateLimitedException r => new Google.Rpc.Status
            {
                Code = (int)Code.ResourceExhausted,
                Message = r.Message,
                Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(r.RetryAfter) }) },
            },
            OperationCanceledException when context.CancellationToken.IsCancellationRequested => Simple(Code.Cancelled, "The call was cancelled."),
            // Logged once per condition by StorageHealth, not once per call.
            StorageUnavailableException u => Simple(Code.Unavailable, u.Message),
            // A read that failed: reported, so that the condition is logged (once) and readiness says not ready.
            _ when StorageHealth.CauseOf(exception) is { } cause => Unavailable(cause),
            _ => null,
        };
        if (exception is ValidationException)
        {
            refused.Refused(RefusedRequestLog.InvalidArgument);
        }
        else if (exception is UnauthenticatedException)
        {
            refused.Refused(RefusedRequestLog.Unauthenticated);
        }
        if (status is null)
        {
            logger.LogError(exception, "Unhandled error in {Method}", context.Method);
            status = Simple(Code.Internal, "An internal error occurred; it has been logged.");
        }
        return status.ToRpcException();
    }

    /// <summary>
    /// A call that came over REST (JSON transcoding) rather than gRPC: its request is never application/grpc. Its field
    /// violations name the fields as its JSON body does.
    /// </summary>
    private static bool IsRest(ServerCallContext context)
    {
        var contentType = context.GetHttpContext()?.Request.ContentType;
        return contentType is null || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>INVALID_ARGUMENT with a google.rpc.BadRequest violation per field; also for requests refused before a handler runs.</summary>
    public static RpcException ToRpcException(ValidationException v) => InvalidArgument(v).ToRpcException();

    private static Google.Rpc.Status InvalidArgument(ValidationException v) => new()
    {
        Code = (int)Code.InvalidArgument,
        Message = v.Message,
        Details =
        {
            Any.Pack(new BadRequest
            {
                FieldViolations = { v.Violations.Select(f => new BadRequest.Types.FieldViolation { Field = f.Field, Description = f.Description }) },
            }),
        },
    };

    private Google.Rpc.Status Unavailable(string cause)
    {
        storage.Failed(cause);
        return Simple(Code.Unavailable, $"The license server cannot reach its data right now: {cause}. Retry later.");
    }

    private static Google.Rpc.Status Simple(Code code, string message) => new() { Code = (int)code, Message = message };
}
