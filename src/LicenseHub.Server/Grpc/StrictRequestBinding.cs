using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using LicenseHub.Domain;
using LicenseHub.Server.Operations;
using Microsoft.AspNetCore.Routing;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// Binds every gRPC service as Grpc.AspNetCore's own binder does, with one difference: a request that protobuf
/// cannot read (invalid UTF-8 in a string field, a truncated or malformed message) is answered INVALID_ARGUMENT
/// naming the field, in the ErrorInterceptor's rich-error form. Stock, it answers UNKNOWN and logs a stack trace
/// per request, so anyone could fill the log without a key. Such refusals are counted by
/// <see cref="RefusedRequestLog"/>, not logged one by one.
/// </summary>
public static class StrictRequestBinding
{
    /// <summary>
    /// Replaces the stock binder (the service method provider that calls each service's generated BindService). Call it
    /// after everything that registers gRPC: AddGrpc, which health checks and reflection call too, adds the stock one again.
    /// </summary>
    public static WebApplicationBuilder AddStrictRequestBinding(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var stock = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>) && d.ImplementationType?.Name == "BinderServiceMethodProvider`1").ToList();
        if (stock.Count == 0)
        {
            // A newer Grpc.AspNetCore may bind differently; better to stop here than to serve with the stock deserializers.
            throw new InvalidOperationException("Grpc.AspNetCore's binder service method provider was not found; AddStrictRequestBinding must follow AddGrpc.");
        }
        var at = services.IndexOf(stock[0]);
        stock.ForEach(d => services.Remove(d));
        services.Insert(at, Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(StrictServiceMethodProvider<>)));
        return builder;
    }

    /// <summary>The status a request protobuf cannot read is answered with.</summary>
    internal static RpcException Unreadable(MessageDescriptor descriptor, DeserializationContext context, RefusedRequestLog refused)
    {
        var field = UnreadableField.Find(descriptor, context.PayloadAsReadOnlySequence());
        if (field is not null)
        {
            refused.Refused(RefusedRequestLog.InvalidUtf8);
            return ErrorInterceptor.ToRpcException(new ValidationException(field, "must be valid UTF-8 text"));
        }
        refused.Refused(RefusedRequestLog.MalformedMessage);
        return ErrorInterceptor.ToRpcException(new ValidationException("request", $"is not a readable protobuf {descriptor.FullName} message"));
    }
}

/// <summary>
/// What Grpc.AspNetCore's BinderServiceMethodProvider does (find the BindService method named by
/// [BindServiceMethod], bind each method to the service's override, with the service's and the method's attributes
/// as endpoint metadata), with request marshallers that refuse unreadable messages as INVALID_ARGUMENT.
/// </summary>
internal sealed class StrictServiceMethodProvider<TService>(RefusedRequestLog refused) : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is not { } attribute)
            {
                continue;
            }
            var bind = attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), type])
                ?? throw new InvalidOperationException($"{attribute.BindType} has no {attribute.BindMethodName}(ServiceBinderBase, {type}).");
            // As stock: binding with a null service only describes the methods; calls resolve the service per request.
            bind.Invoke(null, [new Binder(context, type, refused), null]);
            return;
        }
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, Type declaringType, RefusedRequestLog refused) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)]);
            context.AddUnaryMethod(Strict(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)]);
            context.AddClientStreamingMethod(Strict(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddServerStreamingMethod(Strict(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddDuplexStreamingMethod(Strict(method), metadata, invoker);
        }

        private Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
            where TRequest : class where TResponse : class
        {
            if (typeof(TRequest).GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not MessageDescriptor descriptor)
            {
                return method;
            }
            var stock = method.RequestMarshaller;
            var strict = new Marshaller<TRequest>(stock.ContextualSerializer, context =>
            {
                try
                {
                    return stock.ContextualDeserializer(context);
                }
                catch (InvalidProtocolBufferException)
                {
                    throw StrictRequestBinding.Unreadable(descriptor, context, refused);
                }
            });
            return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, strict, method.ResponseMarshaller);
        }

        private (TDelegate Invoker, List<object> Metadata) Model<TDelegate>(string methodName, Type[] parameters) where TDelegate : Delegate
        {
            var handler = Override(methodName, parameters) ?? throw new InvalidOperationException($"Could not find '{methodName}' on {typeof(TService)}.");
            // Service attributes first, method attributes last: the method's take precedence (as stock).
            var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(handler.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
        }

        // The override nearest to TService of the generated base's virtual method; the base's own answers UNIMPLEMENTED.
        private MethodInfo? Override(string methodName, Type[] parameters)
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                var candidate = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly, parameters);
                if (candidate is { IsVirtual: true } && candidate.GetBaseDefinition().DeclaringType == declaringType)
                {
                    return candidate;
                }
            }
            return null;
        }
    }
}
