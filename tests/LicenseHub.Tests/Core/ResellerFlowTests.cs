using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Tests.Core;

public sealed class ResellerFlowTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task CreateOrder_SameIdempotencyKey_ReturnsSameOrderWithoutSecondCharge()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var client = _factory.Reseller(reseller.OwnerKey);
        var request = new CreateOrderRequest { PlanId = scenario.Plan.Id, Quantity = 25, IdempotencyKey = "whmcs-invoice-4711" };

        var first = await client.CreateOrderAsync(request);
        var second = await client.CreateOrderAsync(request);

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Order.Id, second.Order.Id);
        Assert.Equal(25, second.Pool.Purchased);
        Assert.Equal(25 * 1999, first.Order.Amount.AmountMinor);
        Assert.Equal("EUR", first.Order.Amount.Currency);
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count()));
        var orders = await client.ListOrdersAsync(new ListOrdersRequest());
        Assert.Single(orders.Orders);
    }

    [Fact]
    public async Task CreateOrder_ReusedKeyWithOtherQuantity_IsRefused()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var client = _factory.Reseller(reseller.OwnerKey);
        await client.CreateOrderAsync(new CreateOrderRequest { PlanId = scenario.Plan.Id, Quantity = 5, IdempotencyKey = "order-000001" });

        await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            client.CreateOrderAsync(new CreateOrderRequest { PlanId = scenario.Plan.Id, Quantity = 6, IdempotencyKey = "order-000001" }));
        Assert.Equal(5, _factory.WithDb(db => db.Pools.Single().Purchased));
    }

    [Fact]
    public async Task CreateOrder_SecondOrderSamePlan_TopsUpTheSamePool()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var first = await scenario.BuyAsync(reseller, 10);
        var second = await scenario.BuyAsync(reseller, 15);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(25, second.Purchased);
        Assert.Equal(25, second.Available);
    }

    [Fact]
    public async Task AssignLicenses_WithReferences_ReturnsKeysOnceAndStoresOnlyHashes()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 10);
        var client = _factory.Reseller(reseller.ManagerKey);

        var response = await client.AssignLicensesAsync(new AssignLicensesRequest
        {
            PoolId = pool.Id,
            Assignments = { new LicenseAssignment { ResellerReference = "cust-1001" }, new LicenseAssignment { ResellerReference = "cust-1002" }, new LicenseAssignment() },
        });

        Assert.Equal(3, response.Licenses.Count);
        Assert.Equal(3, response.Pool.Assigned);
        Assert.Equal(7, response.Pool.Available);
        Assert.All(response.Licenses, l => Assert.Matches("^[0-9A-Z]{5}(-[0-9A-Z]{5}){5}$", l.LicenseKey));
        Assert.Equal(["cust-1001", "cust-1002", ""], response.Licenses.Select(l => l.License.ResellerReference));
        Assert.Equal(3, response.Licenses.Select(l => l.LicenseKey).Distinct().Count());

        // The key is never returned again and never stored in clear.
        var listed = await client.ListLicensesAsync(new ListLicensesRequest());
        Assert.Equal(3, listed.Licenses.Count);
        var file = _factory.StoredText();
        foreach (var license in response.Licenses)
        {
            Assert.DoesNotContain(license.LicenseKey, file);
            Assert.DoesNotContain(license.LicenseKey.Replace("-", ""), file);
            Assert.StartsWith(license.License.KeyPrefix, license.LicenseKey.Replace("-", ""));
        }
    }

    [Fact]
    public async Task LicenseLifecycle_SuspendResumeRenewRevoke_ChangesState()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 1);
        var license = (await scenario.AssignAsync(reseller, pool.Id, 1)).Licenses[0].License;
        var client = _factory.Reseller(reseller.OwnerKey);
        var id = new LicenseActionRequest { LicenseId = license.Id };

        Assert.Equal(LicenseState.Suspended, (await client.SuspendLicenseAsync(id)).State);
        Assert.Equal(LicenseState.Active, (await client.ResumeLicenseAsync(id)).State);
        var renewed = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = "renew-000001" });
        Assert.Equal(license.ExpiresAt.ToDateTimeOffset().AddDays(365), renewed.Licenses[0].ExpiresAt.ToDateTimeOffset());
        Assert.Equal(LicenseState.Revoked, (await client.RevokeLicenseAsync(id)).State);
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () => client.ResumeLicenseAsync(id));
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = "renew-000002" }));
        var read = await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = license.Id });
        Assert.Equal(LicenseState.Revoked, read.License.State);
    }

    [Fact]
    public async Task VendorSuspension_ResellerCannotResume_VendorCan()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 1);
        var license = (await scenario.AssignAsync(reseller, pool.Id, 1)).Licenses[0].License;

        await _factory.Vendor().SuspendLicenseAsync(new VendorLicenseRequest { LicenseId = license.Id });
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            _factory.Reseller(reseller.OwnerKey).ResumeLicenseAsync(new LicenseActionRequest { LicenseId = license.Id }));
        var resumed = await _factory.Vendor().ResumeLicenseAsync(new VendorLicenseRequest { LicenseId = license.Id });
        Assert.Equal(LicenseState.Active, resumed.State);
    }

    [Fact]
    public async Task ListLicenses_FiltersAndPages_ReturnEachLicenseOnce()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 30);
        var client = _factory.Reseller(reseller.OwnerKey);
        var assigned = await client.AssignLicensesAsync(new AssignLicensesRequest
        {
            PoolId = pool.Id,
            Assignments = { Enumerable.Range(0, 25).Select(i => new LicenseAssignment { ResellerReference = $"c-{i % 5}" }) },
        });
        await client.RevokeLicenseAsync(new LicenseActionRequest { LicenseId = assigned.Licenses[0].License.Id });
        await client.SuspendLicenseAsync(new LicenseActionRequest { LicenseId = assigned.Licenses[1].License.Id });

        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await client.ListLicensesAsync(new ListLicensesRequest { Page = new PageRequest { PageSize = 10, PageToken = token } });
            Assert.True(page.Licenses.Count <= 10);
            seen.AddRange(page.Licenses.Select(l => l.Id));
            token = page.NextPageToken;
        } while (token != "");
        Assert.Equal(25, seen.Count);
        Assert.Equal(25, seen.Distinct().Count());

        var revoked = await client.ListLicensesAsync(new ListLicensesRequest { State = LicenseState.Revoked });
        Assert.Equal(assigned.Licenses[0].License.Id, Assert.Single(revoked.Licenses).Id);
        var suspended = await client.ListLicensesAsync(new ListLicensesRequest { State = LicenseState.Suspended });
        Assert.Single(suspended.Licenses);
        var active = await client.ListLicensesAsync(new ListLicensesRequest { State = LicenseState.Active, Page = new PageRequest { PageSize = 100 } });
        Assert.Equal(23, active.Licenses.Count);
        var byReference = await client.ListLicensesAsync(new ListLicensesRequest { ResellerReference = "c-3" });
        Assert.Equal(5, byReference.Licenses.Count);
        var soon = await client.ListLicensesAsync(new ListLicensesRequest { ExpiresBefore = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)) });
        Assert.Empty(soon.Licenses);
        var thisYear = await client.ListLicensesAsync(new ListLicensesRequest
        {
            ExpiresBefore = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(400)),
            Page = new PageRequest { PageSize = 100 },
        });
        Assert.Equal(25, thisYear.Licenses.Count);
        var byPlan = await client.ListLicensesAsync(new ListLicensesRequest { PlanId = scenario.Plan.Id, Page = new PageRequest { PageSize = 100 } });
        Assert.Equal(25, byPlan.Licenses.Count);
    }

    [Fact]
    public async Task Vendor_ListsResellersPoolsAndOrders()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var a = await scenario.AddResellerAsync("Alpha Hosting");
        var b = await scenario.AddResellerAsync("Beta Hosting");
        await scenario.BuyAsync(a, 3);
        await scenario.BuyAsync(b, 4);
        var vendor = _factory.Vendor();

        var resellers = await vendor.ListResellersAsync(new ListResellersRequest());
        Assert.Equal(["Beta Hosting", "Alpha Hosting"], resellers.Resellers.Select(r => r.CompanyName));
        var pools = await vendor.ListPoolsAsync(new VendorListPoolsRequest());
        Assert.Equal(2, pools.Pools.Count);
        var ordersOfA = await vendor.ListOrdersAsync(new VendorListOrdersRequest { ResellerId = a.ResellerId });
        Assert.Equal(3, Assert.Single(ordersOfA.Orders).Quantity);
    }

    [Fact]
    public async Task SuspendedReseller_ApiCallsRefused_LicensesKeepTheirState()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 2);
        var license = (await scenario.AssignAsync(reseller, pool.Id, 1)).Licenses[0].License;

        await _factory.Vendor().SuspendResellerAsync(new SuspendResellerRequest { ResellerId = reseller.ResellerId, Reason = "unpaid invoices" });

        var ex = await RpcAssert.Fails(StatusCode.PermissionDenied, () =>
            _factory.Reseller(reseller.OwnerKey).ListLicensesAsync(new ListLicensesRequest()));
        Assert.Contains("suspended", ex.Status.Detail);
        Assert.Equal(LicenseHub.Domain.Licensing.LicenseState.Active, _factory.WithDb(db => db.Licenses.Single(l => l.Id == Guid.Parse(license.Id)).State));

        await _factory.Vendor().ResumeResellerAsync(new ResumeResellerRequest { ResellerId = reseller.ResellerId });
        Assert.Single((await _factory.Reseller(reseller.OwnerKey).ListLicensesAsync(new ListLicensesRequest())).Licenses);
    }
}
