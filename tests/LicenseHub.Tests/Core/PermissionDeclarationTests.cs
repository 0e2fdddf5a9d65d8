using System.Reflection;
using System.Text.RegularExpressions;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using LicenseHub.Domain;
using LicenseHub.Server.Grpc;
using LicenseHub.Server.Portal;
using LicenseHub.Server.Security;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ApiKeyRole = LicenseHub.Domain.Security.ApiKeyRole;
using Empty = Google.Protobuf.WellKnownTypes.Empty;

namespace LicenseHub.Tests.Core;

/// <summary>
/// Every operation declares its permission next to itself, and what declares nothing is refused: these list
/// every RPC and portal page handler that lacks a declaration, and prove the two entry points fail closed.
/// </summary>
public sealed partial class PermissionDeclarationTests : IDisposable
{
    private static readonly (ServiceDescriptor Descriptor, Type Implementation)[] KeyedServices =
    [
        (VendorService.Descriptor, typeof(VendorGrpcService)),
        (ResellerService.Descriptor, typeof(ResellerGrpcService)),
        (AuditService.Descriptor, typeof(AuditGrpcService)),
        (EventService.Descriptor, typeof(EventGrpcService)),
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
    public void EveryPortalPageHandler_DeclaresOrIsAnonymous()
    {
        var pages = typeof(PortalPageModel).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(PortalPageModel)) && !t.IsAbstract)
            .ToList();
        var missing = new List<string>();
        foreach (var page in pages)
        {
            var handlers = page.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => HandlerName().IsMatch(m.Name) && m.DeclaringType != typeof(PageModel))
                .ToList();
            foreach (var handler in handlers.Count > 0 ? handlers.Select(h => (MethodInfo?)h) : [null])
            {
                var access = PortalPageFilter.Access(page, handler);
                if (!access.Anonymous && access.Permissions.Count == 0)
                {
                    missing.Add($"{page.Name}.{handler?.Name ?? "(page)"}");
                }
            }
        }
        Assert.True(pages.Count >= 25, $"found only {pages.Count} page models");
        Assert.True(missing.Count == 0, "Portal page handlers without [Requires] or [AllowAnonymous]: " + string.Join(", ", missing));
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
    public void PortalFilter_PageWithoutDeclaration_IsRefused_AndPageAndHandlerDeclarationsMustBothHold()
    {
        var admin = new Caller(Guid.NewGuid(), ApiKeyRole.VendorAdmin, null, ActorKind.Staff);
        var owner = new Caller(Guid.NewGuid(), ApiKeyRole.Owner, Guid.NewGuid(), ActorKind.Staff);
        var undeclared = PortalPageFilter.Access(typeof(UndeclaredPage), typeof(UndeclaredPage).GetMethod(nameof(UndeclaredPage.OnGet)));
        Assert.Throws<PermissionDeniedException>(() => PermissionPolicy.Authorize(admin, undeclared, "/Undeclared"));

        // ManageStaff on the handler and ResellerRead on the page: a reseller owner, never the vendor admin.
        var post = PortalPageFilter.Access(typeof(LicenseHub.Server.Portal.Pages.Reseller.ResellerStaffModel),
            typeof(LicenseHub.Server.Portal.Pages.Reseller.ResellerStaffModel).GetMethod(nameof(StaffPageModel.OnPostCreateAsync)));
        Assert.Equal([Permission.ResellerRead, Permission.ManageStaff], post.Permissions.Order());
        PermissionPolicy.Authorize(owner, post, "/Reseller/Staff");
        Assert.Throws<PermissionDeniedException>(() => PermissionPolicy.Authorize(admin, post, "/Reseller/Staff"));
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

    [GeneratedRegex("^On(Get|Post|Put|Patch|Delete)")]
    private static partial Regex HandlerName();

    private sealed class UndeclaredPage : PortalPageModel
    {
        public void OnGet()
        {
        }
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
