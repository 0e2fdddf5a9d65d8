using Microsoft.EntityFrameworkCore;
using Grpc.Core;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

public sealed class AccessControlTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ApiKeyUse_RecordsLastUsedAtMostOncePerFiveMinutes()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync("Last Used Hosting");
        var id = Guid.Parse(reseller.OwnerKeyId);
        DateTimeOffset? LastUsed() => _factory.WithDb(db => db.ApiKeys.Single(k => k.Id == id).LastUsedAt);
        var client = _factory.Reseller(reseller.OwnerKey);

        await client.ListPoolsAsync(new ListPoolsRequest());
        var first = LastUsed();
        Assert.NotNull(first);
        Assert.InRange(first.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        // Within five minutes another call writes nothing: authenticating stays a read.
        await Task.Delay(20);
        await client.ListPoolsAsync(new ListPoolsRequest());
        Assert.Equal(first, LastUsed());

        // Once the recorded time is older than that, the next call records it again.
        Assert.Equal(1, _factory.WithDb(db => db.ApiKeys.Where(k => k.Id == id)
            .ExecuteUpdate(set => set.SetProperty(k => k.LastUsedAt, first.Value.AddMinutes(-6)))));
        await client.ListPoolsAsync(new ListPoolsRequest());
        Assert.True(LastUsed() > first);
        // A key never presented has never been used.
        Assert.Null(_factory.WithDb(db => db.ApiKeys.Single(k => k.ResellerId == Guid.Parse(reseller.ResellerId)
            && k.Role == LicenseHub.Domain.Security.ApiKeyRole.Viewer).LastUsedAt));

        // Both are in the API key list, for the vendor and for the reseller's owner.
        var listed = (await _factory.Vendor().ListApiKeysAsync(new ListApiKeysRequest { ResellerId = reseller.ResellerId })).ApiKeys;
        Assert.Equal(LastUsed()!.Value.ToUnixTimeSeconds(), listed.Single(k => k.Id == reseller.OwnerKeyId).LastUsedAt.ToDateTimeOffset().ToUnixTimeSeconds());
        Assert.Null(listed.Single(k => k.Role == ApiKeyRole.Viewer).LastUsedAt);
        var own = (await client.ListApiKeysAsync(new ResellerListApiKeysRequest())).ApiKeys;
        Assert.NotNull(own.Single(k => k.Id == reseller.OwnerKeyId).LastUsedAt);
    }

    [Fact]
    public async Task TenantIsolation_EveryCallOnAnotherResellersObject_AnswersNotFoundLikeAMissingId()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var owner = await scenario.AddResellerAsync("Owner Hosting");
        var intruder = await scenario.AddResellerAsync("Intruder Hosting");
        var pool = await scenario.BuyAsync(owner, 5);
        var license = (await scenario.AssignAsync(owner, pool.Id, 1)).Licenses[0].License;
        await scenario.BuyAsync(intruder, 1);
        var client = _factory.Reseller(intruder.OwnerKey);
        var missing = Guid.NewGuid().ToString();

        // Each RPC that names an object: the foreign id and an id that does not exist answer alike.
        var calls = new (string Name, Func<string, Func<Task>> Call)[]
        {
            ("GetPool", id => async () => await client.GetPoolAsync(new GetPoolRequest { PoolId = id })),
            ("AssignLicenses", id => async () => await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = id, Count = 1 })),
            ("GetLicense", id => async () => await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = id })),
            ("SuspendLicense", id => async () => await client.SuspendLicenseAsync(new LicenseActionRequest { LicenseId = id })),
            ("ResumeLicense", id => async () => await client.ResumeLicenseAsync(new LicenseActionRequest { LicenseId = id })),
            ("RevokeLicense", id => async () => await client.RevokeLicenseAsync(new LicenseActionRequest { LicenseId = id })),
            ("RenewLicense", id => async () => await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = id, Terms = 1, IdempotencyKey = "renew-" + id })),
            ("RenewLicenses", id => async () => await client.RenewLicensesAsync(new RenewLicensesRequest { LicenseIds = { id }, Terms = 1, IdempotencyKey = "renews-" + id })),
            ("ChangePlan", id => async () => await client.ChangePlanAsync(new ChangePlanRequest
            {
                LicenseIds = { id }, TargetPlanId = scenario.Plan.Id, IdempotencyKey = "change-" + id, ValidateOnly = true,
            })),
            ("ReissueLicenseKey", id => async () => await client.ReissueLicenseKeyAsync(new ReissueLicenseKeyRequest { LicenseId = id })),
            ("ReturnLicense", id => async () => await client.ReturnLicenseAsync(new ReturnLicenseRequest { LicenseId = id, IdempotencyKey = "return-" + id })),
            ("ReleaseInstallation", id => async () => await client.ReleaseInstallationAsync(
                new ReleaseInstallationRequest { LicenseId = id, InstallationId = Guid.NewGuid().ToString() })),
            ("ResolveClonedInstallation", id => async () => await client.ResolveClonedInstallationAsync(
                new ResolveClonedInstallationRequest { LicenseId = id, InstallationId = Guid.NewGuid().ToString() })),
        };
        foreach (var (name, call) in calls)
        {
            var foreignId = name is "GetPool" or "AssignLicenses" ? pool.Id : license.Id;
            var foreign = await RpcAssert.Fails(StatusCode.NotFound, call(foreignId));
            var absent = await RpcAssert.Fails(StatusCode.NotFound, call(missing));
            Assert.Equal(absent.Status.Detail.Replace(missing, "ID"), foreign.Status.Detail.Replace(foreignId, "ID"));
        }

        // Lists show only the caller's own objects, and the owner's license is untouched.
        Assert.Empty((await client.ListLicensesAsync(new ListLicensesRequest())).Licenses);
        Assert.DoesNotContain((await client.ListPoolsAsync(new ListPoolsRequest())).Pools, p => p.Id == pool.Id);
        Assert.All((await client.ListOrdersAsync(new ListOrdersRequest())).Orders, o => Assert.Equal(intruder.ResellerId, o.ResellerId));
        var ownerView = await _factory.Reseller(owner.OwnerKey).GetLicenseAsync(new GetLicenseRequest { LicenseId = license.Id });
        Assert.Equal(LicenseState.Active, ownerView.License.State);
        Assert.Equal(1, (await _factory.Reseller(owner.OwnerKey).GetPoolAsync(new GetPoolRequest { PoolId = pool.Id })).Assigned);
    }

    [Fact]
    public async Task Viewer_CannotBuyAssignOrRevoke_ButCanRead()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 2);
        var license = (await scenario.AssignAsync(reseller, pool.Id, 1)).Licenses[0].License;
        var viewer = _factory.Reseller(reseller.ViewerKey);

        await RpcAssert.Fails(StatusCode.PermissionDenied, () =>
            viewer.CreateOrderAsync(new CreateOrderRequest { PlanId = scenario.Plan.Id, Quantity = 1, IdempotencyKey = "viewer-order-1" }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => viewer.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 1 }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => viewer.RevokeLicenseAsync(new LicenseActionRequest { LicenseId = license.Id }));
        Assert.Single((await viewer.ListLicensesAsync(new ListLicensesRequest())).Licenses);
        Assert.Equal(1, _factory.WithDb(db => db.Licenses.Count()));
    }

    [Fact]
    public async Task ApiKey_MissingWrongOrRevoked_IsUnauthenticated()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var noKey = new ResellerService.ResellerServiceClient(_factory.Channel);

        await RpcAssert.Fails(StatusCode.Unauthenticated, () => noKey.ListPoolsAsync(new ListPoolsRequest()));
        await RpcAssert.Fails(StatusCode.Unauthenticated, () => _factory.Reseller("not-a-key").ListPoolsAsync(new ListPoolsRequest()));
        var forged = reseller.OwnerKey[..^4] + "aaaa";
        await RpcAssert.Fails(StatusCode.Unauthenticated, () => _factory.Reseller(forged).ListPoolsAsync(new ListPoolsRequest()));

        await _factory.Vendor().RevokeApiKeyAsync(new RevokeApiKeyRequest { ApiKeyId = reseller.OwnerKeyId });
        var ex = await RpcAssert.Fails(StatusCode.Unauthenticated, () => _factory.Reseller(reseller.OwnerKey).ListPoolsAsync(new ListPoolsRequest()));
        Assert.Contains("revoked", ex.Status.Detail);
        Assert.Empty((await _factory.Reseller(reseller.ManagerKey).ListPoolsAsync(new ListPoolsRequest())).Pools);
    }

    [Fact]
    public async Task VendorRpcs_RefuseResellerKeys_AndResellerRpcsRefuseVendorKeys()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var asReseller = _factory.Vendor(reseller.OwnerKey);

        await RpcAssert.Fails(StatusCode.PermissionDenied, () => asReseller.ListResellersAsync(new ListResellersRequest()));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => asReseller.CreateProductAsync(new CreateProductRequest { Code = "x1", Name = "X" }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () =>
            asReseller.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = reseller.ResellerId, Name = "escalate", Role = ApiKeyRole.Owner }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => _factory.Reseller(_factory.VendorKey).ListLicensesAsync(new ListLicensesRequest()));
    }

    [Fact]
    public async Task VendorAuditor_CannotChangeOrReadResellers_ButVerifiesAudit()
    {
        await Scenario.CreateAsync(_factory);
        var auditorKey = (await _factory.Vendor().CreateVendorApiKeyAsync(new CreateVendorApiKeyRequest { Name = "auditor", Role = ApiKeyRole.VendorAuditor })).ApiKey;
        var auditor = _factory.Vendor(auditorKey);

        await RpcAssert.Fails(StatusCode.PermissionDenied, () => auditor.ListResellersAsync(new ListResellersRequest()));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => auditor.CreateProductAsync(new CreateProductRequest { Code = "x2", Name = "X" }));
        Assert.True((await auditor.VerifyAuditChainAsync(new VerifyAuditChainRequest())).Intact);
    }
}
