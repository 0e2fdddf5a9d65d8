using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Google.Protobuf.Reflection;
using Grpc.Core;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

/// <summary>
/// Every RPC of VendorService, ResellerService and AuditService, called by every kind of caller, against a table
/// written here by hand from the product's rules, not read from the server's declarations: a wrong or missing
/// [Requires] on the server fails this test, and so does a new RPC without a row.
/// </summary>
public sealed class PermissionMatrixTests : IAsyncLifetime
{
    [Flags]
    private enum Roles
    {
        None = 0,
        Viewer = 1,
        Manager = 2,
        Owner = 4,
        Auditor = 8,
        Admin = 16,
        Buyers = Manager | Owner,
        Resellers = Viewer | Manager | Owner,
        Vendors = Auditor | Admin,
    }

    private enum Answer
    {
        Unauthenticated,
        PermissionDenied,
        Allowed,

        /// <summary>INTERNAL, UNKNOWN or UNIMPLEMENTED: never what the table expects.</summary>
        Broken,
    }

    /// <summary>Who may call what. Callers without a valid key, and a suspended reseller's, are refused everywhere.</summary>
    private static readonly Dictionary<string, Roles> MayCall = new()
    {
        ["VendorService/CreateProduct"] = Roles.Admin,
        ["VendorService/ListProducts"] = Roles.Vendors,
        ["VendorService/CreatePlan"] = Roles.Admin,
        ["VendorService/ListPlans"] = Roles.Vendors,
        ["VendorService/UpdatePlan"] = Roles.Admin,
        ["VendorService/CreateFeature"] = Roles.Admin,
        ["VendorService/ListFeatures"] = Roles.Vendors,
        ["VendorService/SetPlanFeatures"] = Roles.Admin,
        // Price lists and revenue are the vendor's commercial terms: set by the admin, read by vendor staff, never by resellers.
        ["VendorService/SetResellerPrice"] = Roles.Admin,
        ["VendorService/RemoveResellerPrice"] = Roles.Admin,
        ["VendorService/ListResellerPrices"] = Roles.Vendors,
        ["VendorService/GetRevenue"] = Roles.Vendors,
        ["VendorService/SetTrialQuota"] = Roles.Admin,
        // Reseller accounts and keys hold personal data and secrets: the admin's, never the auditor's.
        ["VendorService/CreateReseller"] = Roles.Admin,
        ["VendorService/GetReseller"] = Roles.Admin,
        ["VendorService/ListResellers"] = Roles.Admin,
        ["VendorService/SuspendReseller"] = Roles.Admin,
        ["VendorService/ResumeReseller"] = Roles.Admin,
        ["VendorService/CreateResellerApiKey"] = Roles.Admin,
        ["VendorService/CreateVendorApiKey"] = Roles.Admin,
        ["VendorService/RevokeApiKey"] = Roles.Admin,
        ["VendorService/ListApiKeys"] = Roles.Admin,
        ["VendorService/CreateStaffUser"] = Roles.Admin,
        ["VendorService/ListPools"] = Roles.Admin,
        ["VendorService/ListOrders"] = Roles.Admin,
        ["VendorService/SuspendLicense"] = Roles.Admin,
        ["VendorService/ResumeLicense"] = Roles.Admin,
        ["VendorService/RestoreTransfers"] = Roles.Admin,
        ["VendorService/RotateSigningKey"] = Roles.Admin,
        ["VendorService/ListSigningKeys"] = Roles.Vendors,
        ["VendorService/ListAuditEvents"] = Roles.Vendors,
        ["VendorService/VerifyAuditChain"] = Roles.Vendors,

        // ResellerService is for reseller keys only: a vendor key is refused on every RPC, even its own licenses' ones.
        ["ResellerService/GetAccount"] = Roles.Resellers,
        ["ResellerService/ListPlans"] = Roles.Resellers,
        ["ResellerService/CreateOrder"] = Roles.Buyers,
        ["ResellerService/ListOrders"] = Roles.Resellers,
        ["ResellerService/ListPools"] = Roles.Resellers,
        ["ResellerService/GetPool"] = Roles.Resellers,
        ["ResellerService/AssignLicenses"] = Roles.Buyers,
        ["ResellerService/ListLicenses"] = Roles.Resellers,
        ["ResellerService/GetLicense"] = Roles.Resellers,
        ["ResellerService/SuspendLicense"] = Roles.Buyers,
        ["ResellerService/ResumeLicense"] = Roles.Buyers,
        ["ResellerService/RevokeLicense"] = Roles.Buyers,
        ["ResellerService/RenewLicense"] = Roles.Buyers,
        ["ResellerService/RenewLicenses"] = Roles.Buyers,
        ["ResellerService/ChangePlan"] = Roles.Buyers,
        ["ResellerService/BuyAddOn"] = Roles.Buyers,
        ["ResellerService/RemoveAddOn"] = Roles.Buyers,
        ["ResellerService/ReissueLicenseKey"] = Roles.Buyers,
        ["ResellerService/ReturnLicense"] = Roles.Buyers,
        ["ResellerService/ReleaseInstallation"] = Roles.Buyers,
        ["ResellerService/ResolveClonedInstallation"] = Roles.Buyers,
        ["ResellerService/CreateOfflineLicense"] = Roles.Buyers,
        ["ResellerService/ListApiKeys"] = Roles.Resellers,
        ["ResellerService/ExportMyData"] = Roles.Resellers,
        ["ResellerService/UpdateProfile"] = Roles.Owner,
        ["ResellerService/SetProcessingRestriction"] = Roles.Owner,
        ["ResellerService/DeleteAccount"] = Roles.Owner,

        ["AuditService/GetDataInventory"] = Roles.Vendors,
        ["AuditService/ScanForPersonalData"] = Roles.Vendors,
        ["AuditService/GetRetentionReport"] = Roles.Vendors,
        ["AuditService/GetUsageStatistics"] = Roles.Vendors,

        // Resellers read their own events, the vendor everyone's; webhooks and notice settings are the reseller owner's.
        ["EventService/ListEvents"] = Roles.Resellers | Roles.Vendors,
        ["EventService/WatchEvents"] = Roles.Resellers | Roles.Vendors,
        ["EventService/GetEventSettings"] = Roles.Resellers,
        ["EventService/UpdateEventSettings"] = Roles.Owner,
        ["EventService/CreateWebhookEndpoint"] = Roles.Owner,
        ["EventService/ListWebhookEndpoints"] = Roles.Resellers,
        ["EventService/DeleteWebhookEndpoint"] = Roles.Owner,
        ["EventService/EnableWebhookEndpoint"] = Roles.Owner,
        ["EventService/ListWebhookDeliveries"] = Roles.Resellers,
        ["EventService/RedeliverEvents"] = Roles.Owner,
    };

    private static readonly ServiceDescriptor[] Services = [VendorService.Descriptor, ResellerService.Descriptor, AuditService.Descriptor, EventService.Descriptor];

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private readonly LicenseHubFactory _factory = new();
    private Scenario _scenario = null!;
    private ResellerSetup _reseller = null!;
    private readonly List<(string Name, string? Key, Answer Everywhere, Roles Role)> _callers = [];
    private string _suspendedKey = "";
    private string _auditorKey = "";

    public async Task InitializeAsync()
    {
        _scenario = await Scenario.CreateAsync(_factory);
        _reseller = await _scenario.AddResellerAsync();
        var vendor = _factory.Vendor();
        var revoked = await vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = _reseller.ResellerId, Name = "to be revoked", Role = ApiKeyRole.Owner,
        });
        await vendor.RevokeApiKeyAsync(new RevokeApiKeyRequest { ApiKeyId = revoked.Info.Id });
        var suspended = await _scenario.AddResellerAsync("Suspended Hosting");
        await vendor.SuspendResellerAsync(new SuspendResellerRequest { ResellerId = suspended.ResellerId, Reason = "unpaid" });
        var auditor = (await vendor.CreateVendorApiKeyAsync(new CreateVendorApiKeyRequest { Name = "auditor", Role = ApiKeyRole.VendorAuditor })).ApiKey;
        _suspendedKey = suspended.OwnerKey;
        _auditorKey = auditor;

        _callers.AddRange(
        [
            ("no key", null, Answer.Unauthenticated, Roles.None),
            ("garbage key", "not-a-key", Answer.Unauthenticated, Roles.None),
            ("revoked key", revoked.ApiKey, Answer.Unauthenticated, Roles.None),
            ("suspended reseller's owner", suspended.OwnerKey, Answer.PermissionDenied, Roles.None),
            ("reseller viewer", _reseller.ViewerKey, Answer.Allowed, Roles.Viewer),
            ("reseller manager", _reseller.ManagerKey, Answer.Allowed, Roles.Manager),
            ("reseller owner", _reseller.OwnerKey, Answer.Allowed, Roles.Owner),
            ("vendor auditor", auditor, Answer.Allowed, Roles.Auditor),
            ("vendor admin", _factory.VendorKey, Answer.Allowed, Roles.Admin),
        ]);
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Table_HasARowForEveryRpc_AndNoneForRpcsThatDoNotExist()
    {
        var rpcs = Services.SelectMany(s => s.Methods.Select(m => $"{s.Name}/{m.Name}")).ToHashSet();
        Assert.Empty(rpcs.Except(MayCall.Keys).Order());
        Assert.Empty(MayCall.Keys.Except(rpcs).Order());
    }

    [Fact]
    public async Task EveryRpc_EveryCaller_AnswersAsTheTableSays()
    {
        var invoker = _factory.Channel.CreateCallInvoker();
        var wrong = new List<string>();
        var calls = 0;
        foreach (var (name, key, everywhere, role) in _callers)
        {
            foreach (var service in Services)
            {
                foreach (var rpc in service.Methods)
                {
                    // Unknown RPCs are left to the table test above; here they would only add noise.
                    if (!MayCall.TryGetValue($"{service.Name}/{rpc.Name}", out var mayCall))
                    {
                        continue;
                    }
                    var expected = everywhere != Answer.Allowed ? everywhere
                        : mayCall.HasFlag(role) ? Answer.Allowed : Answer.PermissionDenied;
                    var (answer, status) = await CallAsync(invoker, service, rpc, key);
                    calls++;
                    if (answer != expected)
                    {
                        wrong.Add($"{service.Name}/{rpc.Name} as {name}: expected {expected}, got {status}");
                    }
                }
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {calls} calls answered wrongly:\n" + string.Join("\n", wrong));
        Assert.Equal(_callers.Count * MayCall.Count, calls);
    }

    /// <summary>
    /// One RPC with an empty request (zero bytes are a valid empty protobuf message). Allowed means any answer but
    /// the two refusals, as an empty request is mostly INVALID_ARGUMENT or NOT_FOUND; INTERNAL, UNKNOWN and
    /// UNIMPLEMENTED count as wrong, because an allowed call must reach working code.
    /// </summary>
    private static async Task<(Answer Answer, string Status)> CallAsync(CallInvoker invoker, ServiceDescriptor service, MethodDescriptor rpc,
        string? key)
    {
        Assert.False(rpc.IsClientStreaming, $"{rpc.FullName}: the matrix calls unary and server-streaming RPCs only");
        var headers = new Metadata();
        if (key is not null)
        {
            headers.Add("authorization", "Bearer " + key);
        }
        try
        {
            if (rpc.IsServerStreaming)
            {
                // An allowed stream runs until its deadline: DEADLINE_EXCEEDED then counts as allowed, like any answer but the refusals.
                var stream = new Method<byte[], byte[]>(MethodType.ServerStreaming, service.FullName, rpc.Name, Bytes, Bytes);
                using var call = invoker.AsyncServerStreamingCall(stream, null, new CallOptions(headers, DateTime.UtcNow.AddSeconds(2)), []);
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
                return (Answer.Allowed, "OK");
            }
            var method = new Method<byte[], byte[]>(MethodType.Unary, service.FullName, rpc.Name, Bytes, Bytes);
            await invoker.AsyncUnaryCall(method, null, new CallOptions(headers), []);
            return (Answer.Allowed, "OK");
        }
        catch (RpcException ex)
        {
            var status = $"{ex.StatusCode} ({ex.Status.Detail})";
            return ex.StatusCode switch
            {
                StatusCode.Unauthenticated => (Answer.Unauthenticated, status),
                StatusCode.PermissionDenied => (Answer.PermissionDenied, status),
                StatusCode.Internal or StatusCode.Unknown or StatusCode.Unimplemented => (Answer.Broken, status),
                _ => (Answer.Allowed, status),
            };
        }
    }

    [Fact]
    public async Task VendorAdmin_OnResellerService_IsRefusedAndPointedToVendorService_LicenseUntouched()
    {
        var pool = await _scenario.BuyAsync(_reseller, 1);
        var license = (await _scenario.AssignAsync(_reseller, pool.Id, 1)).Licenses[0].License;
        var asVendor = _factory.Reseller(_factory.VendorKey);
        var id = new LicenseActionRequest { LicenseId = license.Id };
        var expiresBefore = _factory.WithDb(db => db.Licenses.Single(l => l.Id == Guid.Parse(license.Id)).ExpiresAt);

        foreach (var call in new Func<Task>[]
                 {
                     async () => await asVendor.RevokeLicenseAsync(id),
                     async () => await asVendor.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = "vendor-renew-1" }),
                     async () => await asVendor.SuspendLicenseAsync(id), async () => await asVendor.ResumeLicenseAsync(id),
                 })
        {
            var ex = await RpcAssert.Fails(StatusCode.PermissionDenied, call);
            Assert.Contains("VendorService", ex.Status.Detail);
        }
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count()));
        var stored = _factory.WithDb(db => db.Licenses.Single(l => l.Id == Guid.Parse(license.Id)));
        Assert.Equal(LicenseHub.Domain.Licensing.LicenseState.Active, stored.State);
        Assert.Equal(expiresBefore, stored.ExpiresAt);

        // What the vendor may do instead, through its own service.
        Assert.Equal(LicenseState.Suspended, (await _factory.Vendor().SuspendLicenseAsync(new VendorLicenseRequest { LicenseId = license.Id })).State);
    }

    [Fact]
    public async Task Rest_RefusesAndAllowsLikeGrpc()
    {
        var pool = await _scenario.BuyAsync(_reseller, 1);
        var licenseId = (await _scenario.AssignAsync(_reseller, pool.Id, 1)).Licenses[0].License.Id;
        var auditor = _auditorKey;

        await ExpectAsync(HttpStatusCode.Unauthorized, null, HttpMethod.Get, "/v1/account");
        await ExpectAsync(HttpStatusCode.Unauthorized, "lh_0000000000_00000000000000000000000000000000", HttpMethod.Get, "/v1/pools");
        await ExpectAsync(HttpStatusCode.Forbidden, _suspendedKey, HttpMethod.Get, "/v1/pools");
        await ExpectAsync(HttpStatusCode.OK, _reseller.ViewerKey, HttpMethod.Get, "/v1/pools");
        await ExpectAsync(HttpStatusCode.Forbidden, _reseller.ViewerKey, HttpMethod.Post, "/v1/orders",
            new { planId = _scenario.Plan.Id, quantity = 1, idempotencyKey = "viewer-order-1" });
        await ExpectAsync(HttpStatusCode.Forbidden, _reseller.ViewerKey, HttpMethod.Post, $"/v1/licenses/{licenseId}:revoke");
        await ExpectAsync(HttpStatusCode.Forbidden, _reseller.ManagerKey, HttpMethod.Post, "/v1/account:delete", new { confirmResellerId = _reseller.ResellerId });
        await ExpectAsync(HttpStatusCode.NotFound, _reseller.ManagerKey, HttpMethod.Post, $"/v1/licenses/{Guid.NewGuid()}:revoke");
        await ExpectAsync(HttpStatusCode.Forbidden, auditor, HttpMethod.Get, "/v1/account");
        await ExpectAsync(HttpStatusCode.Forbidden, auditor, HttpMethod.Post, "/v1/account:export");
        var vendor = await ExpectAsync(HttpStatusCode.Forbidden, _factory.VendorKey, HttpMethod.Post, $"/v1/licenses/{licenseId}:revoke");
        Assert.Contains("VendorService", vendor);
        await ExpectAsync(HttpStatusCode.Forbidden, _factory.VendorKey, HttpMethod.Get, "/v1/licenses");

        Assert.Equal(LicenseHub.Domain.Licensing.LicenseState.Active, _factory.WithDb(db => db.Licenses.Single(l => l.Id == Guid.Parse(licenseId)).State));
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count(o => o.ResellerId == Guid.Parse(_reseller.ResellerId))));
    }

    private async Task<string> ExpectAsync(HttpStatusCode expected, string? key, HttpMethod method, string path, object? body = null)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (body is not null || method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(body ?? new { });
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text;
    }
}
