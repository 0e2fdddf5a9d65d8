using System.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using LicenseHub.Domain;
using LicenseHub.Server.Grpc;
using LicenseHub.Server.Security;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ApiKeyRole = LicenseHub.Domain.Security.ApiKeyRole;
using Empty = Google.Protobuf.WellKnownTypes.Empty;

namespace LicenseHub.Tests.Core;

/// <summary>
/// Every operation declares its permission next to itself, and what declares nothing is refused: these list
/// every RPC that lacks a declaration, and prove the gRPC entry point fails closed.
/// </summary>
public sealed class PermissionDeclarationTests : IDisposable
{
    private static readonly (ServiceDescriptor Descriptor, Type Implementation)[] KeyedServices =
    [
        (VendorService.Descriptor, typeof(VendorGrpcService)),
        (ResellerService.Descriptor, typeof(ResellerGrpcService)),
        (AuditService.Descriptor, typeof(AuditGrpcService)),
    ];

    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public void EveryKeyedRpc_IsImplementedWithARequiresDeclaration()
    {
        var missing = new List<string>();
        foreach (var (descriptor, implementation) in KeyedServices)
        {
            foreach (var rpc in descriptor.Methods)
            {
                var method = implementation.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                    .SingleOrDefault(m => m.Name == rpc.Name && m.DeclaringType == implementation);
                if (method is null || !method.GetCustomAttributes<RequiresAttribute>(inherit: true).Any())
                {
                    missing.Add($"{implementation.Name}.{rpc.Name}");
                }
            }
        }
        Assert.True(missing.Count == 0, "RPC methods without [Requires]: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryGrpcAndRestEndpoint_DeclaresOrIsAnonymous_AndRestRoutesCarryTheirRpcsDeclaration()
    {
        var endpoints = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => (Endpoint: e, Grpc: e.Metadata.GetMetadata<GrpcMethodMetadata>()))
            .Where(e => e.Grpc is not null && !e.Grpc.Method.Name.Contains('{'))
            .ToList();
        var keyed = KeyedServices.Select(s => s.Implementation).ToHashSet();
        var wrong = new List<string>();
        foreach (var (endpoint, grpc) in endpoints)
        {
            var access = PermissionPolicy.Read(endpoint.Metadata);
            var isKeyed = keyed.Contains(grpc!.ServiceType);
            if (isKeyed ? access.Permissions.Count == 0 : !access.Anonymous)
            {
                wrong.Add($"{endpoint.DisplayName}: {(isKeyed ? "no [Requires]" : "neither [Requires] nor AllowAnonymous")}");
            }
        }
        Assert.True(wrong.Count == 0, "Endpoints without a declaration:\n" + string.Join("\n", wrong));

        // JSON transcoding: every ResellerService RPC also has a /v1 route, with exactly the RPC's declaration.
        foreach (var rpc in ResellerService.Descriptor.Methods)
        {
            var routes = endpoints.Where(e => e.Grpc!.Method.ServiceName == ResellerService.Descriptor.FullName && e.Grpc.Method.Name == rpc.Name)
                .Select(e => (Pattern: (e.Endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "", Access: PermissionPolicy.Read(e.Endpoint.Metadata)))
                .ToList();
            var rest = Assert.Single(routes, r => r.Pattern.StartsWith("/v1/", StringComparison.Ordinal));
            var grpcRoute = Assert.Single(routes, r => !r.Pattern.StartsWith("/v1/", StringComparison.Ordinal));
            Assert.Equal(grpcRoute.Access.Permissions, rest.Access.Permissions);
        }
    }

    [Fact]
    public void Policy_OperationWithoutDeclaration_IsRefusedForEveryRole()
    {
        var none = PermissionPolicy.Read([]);
        foreach (var role in Enum.GetValues<ApiKeyRole>())
        {
            var caller = new Caller(Guid.NewGuid(), role, role is ApiKeyRole.VendorAdmin or ApiKeyRole.VendorAuditor ? null : Guid.NewGuid());
            var refused = Assert.Throws<PermissionDeniedException>(() => PermissionPolicy.Authorize(caller, none, "Undeclared"));
            Assert.Contains("declares no permission", refused.Message);
        }
    }

    [Fact]
    public void Policy_AllowAnonymous_NeverSwitchesOffADeclaredPermission()
    {
        var both = PermissionPolicy.Read([new AllowAnonymousAttribute(), new RequiresAttribute(Permission.VendorAdmin)]);
        Assert.False(both.Anonymous);
        var viewer = new Caller(Guid.NewGuid(), ApiKeyRole.Viewer, Guid.NewGuid());
        Assert.Throws<PermissionDeniedException>(() => PermissionPolicy.Authorize(viewer, both, "Mixed"));
    }

    [Fact]
    public async Task Interceptor_RpcWithoutDeclaration_IsRefusedEvenForTheVendorAdmin()
    {
        using var scope = _factory.Services.CreateScope();
        var interceptor = ActivatorUtilities.CreateInstance<AuthInterceptor>(scope.ServiceProvider);
        var headers = new Metadata { { "authorization", "Bearer " + _factory.VendorKey } };
        var ran = false;
        UnaryServerMethod<Empty, Empty> method = (request, _) =>
        {
            ran = true;
            return Task.FromResult(request);
        };

        var refused = await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            interceptor.UnaryServerHandler(new Empty(), new EndpointCallContext(headers), method));
        Assert.Contains("declares no permission", refused.Message);
        Assert.False(ran);

        // The same key on the same call with a declaration runs: the refusal above was the missing declaration.
        await interceptor.UnaryServerHandler(new Empty(), new EndpointCallContext(headers, new RequiresAttribute(Permission.VendorAdmin)), method);
        Assert.True(ran);
    }

    /// <summary>A call context whose HttpContext is routed to an endpoint with the given metadata, as gRPC's own is.</summary>
    private sealed class EndpointCallContext : ServerCallContext
    {
        private readonly Dictionary<object, object> _userState = [];
        private readonly Metadata _headers;

        public EndpointCallContext(Metadata headers, params object[] metadata)
        {
            _headers = headers;
            var http = new DefaultHttpContext();
            http.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(metadata), "test endpoint"));
            // Where grpc-dotnet's GetHttpContext() finds the HttpContext of a call context it did not create.
            _userState["__HttpContext"] = http;
        }

        protected override string MethodCore => "/licensehub.v1.VendorService/Undeclared";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore => _headers;
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = new();
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, new Dictionary<string, List<AuthProperty>>());
        protected override IDictionary<object, object> UserStateCore => _userState;

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
            throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
