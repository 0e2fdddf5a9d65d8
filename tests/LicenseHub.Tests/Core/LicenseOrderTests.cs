using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.Tokens;
using LicenseHub.V1;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrderKind = LicenseHub.V1.OrderKind;

namespace LicenseHub.Tests.Core;

/// <summary>
/// Every license day and every seat is paid for: renewals and upgrades are priced, idempotent orders; a downgrade
/// waits for the renewal; a return gives back only a seat never used. On a clock the test moves.
/// </summary>
public sealed class LicenseOrderTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
    private readonly LicenseHubFactory _factory;

    public LicenseOrderTests()
    {
        _factory = new LicenseHubFactory(builder =>
        {
            builder.UseSetting("LicenseHub:Retention:Enabled", "false");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
    }

    public void Dispose() => _factory.Dispose();

    private sealed record Catalogue(Plan Basic, Plan Pro, Plan OtherProduct, ResellerSetup Reseller);

    /// <summary>Panel Basic (10.00 EUR a year, renews at 8.00, one machine) and Pro (20.00, renews at 18.00, three machines).</summary>
    private async Task<Catalogue> CatalogueAsync()
    {
        var vendor = _factory.Vendor();
        var panel = await vendor.CreateProductAsync(new CreateProductRequest { Code = "panel", Name = "Hosting Panel" });
        var other = await vendor.CreateProductAsync(new CreateProductRequest { Code = "mail", Name = "Mail Relay" });
        var basic = await PlanAsync(panel.Id, "basic-yearly", "basic", 365, 1, 1000, "EUR", renewalMinor: 800);
        var pro = await PlanAsync(panel.Id, "pro-yearly", "pro", 365, 3, 2000, "EUR", renewalMinor: 1800);
        var mail = await PlanAsync(other.Id, "mail-yearly", "mail", 365, 3, 5000, "EUR");
        var reseller = await new Scenario(_factory).AddResellerAsync();
        return new Catalogue(basic, pro, mail, reseller);
    }

    private Task<Plan> PlanAsync(string productId, string code, string edition, int termDays, int machines, long priceMinor, string currency,
        long? renewalMinor = null, int? returnWindowDays = null)
    {
        var request = new CreatePlanRequest
        {
            ProductId = productId, Code = code, Edition = edition, TermDays = termDays, MaxMachines = machines, OfflineGraceDays = 3,
            Price = new Money { AmountMinor = priceMinor, Currency = currency }, TransferBudget = 2,
        };
        if (renewalMinor is { } renewal)
        {
            request.RenewalPrice = new Money { AmountMinor = renewal, Currency = currency };
        }
        if (returnWindowDays is { } window)
        {
            request.ReturnWindowDays = window;
        }
        return _factory.Vendor().CreatePlanAsync(request).ResponseAsync;
    }

    private async Task<List<AssignedLicense>> AssignAsync(ResellerSetup reseller, Plan plan, int count)
    {
        var client = _factory.Reseller(reseller.OwnerKey);
        var order = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = count, IdempotencyKey = "buy-" + Guid.NewGuid().ToString("N") });
        return (await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = order.Pool.Id, Count = count })).Licenses.ToList();
    }

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes(machine)));

    private Task<ActivateResponse> ActivateAsync(string key, string machine = "machine-a") => Agent.ActivateAsync(new ActivateRequest
    {
        LicenseKey = key, Fingerprint = Fingerprint(machine), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
    }).ResponseAsync;

    private Task<CheckInResponse> CheckInAsync(ActivateResponse activation, string machine = "machine-a") => Agent.CheckInAsync(new CheckInRequest
    {
        InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = Fingerprint(machine),
        ProductVersion = "8.2.1", AgentVersion = "1.0.0",
    }).ResponseAsync;

    private static JsonElement Claims(string token) => JsonDocument.Parse(Base64Url.Decode(token.Split('.')[1])).RootElement;

    private DateTimeOffset ExpiryOf(string licenseId) => _factory.WithDb(db => db.Licenses.Single(l => l.Id == Guid.Parse(licenseId)).ExpiresAt);

    [Fact]
    public async Task RenewLicenses_TwoLicensesThreeTerms_IsOneRenewalOrderAtTheRenewalPrice_InTheTransactionThatExtends()
    {
        var c = await CatalogueAsync();
        var licenses = await AssignAsync(c.Reseller, c.Basic, 2);
        var client = _factory.Reseller(c.Reseller.ManagerKey);
        var before = licenses.Select(l => l.License.ExpiresAt.ToDateTimeOffset()).ToList();
        _clock.Advance(TimeSpan.FromSeconds(1));

        var renewed = await client.RenewLicensesAsync(new RenewLicensesRequest
        {
            LicenseIds = { licenses.Select(l => l.License.Id) }, Terms = 3, IdempotencyKey = "whmcs-renew-7001",
        });

        Assert.False(renewed.Replayed);
        Assert.Equal(OrderKind.Renewal, renewed.Order.Kind);
        Assert.Equal(8_00 * 2 * 3, renewed.Order.Amount.AmountMinor);
        Assert.Equal("EUR", renewed.Order.Amount.Currency);
        Assert.Equal((2, 3), (renewed.Order.Quantity, renewed.Order.Terms));
        Assert.Equal(c.Basic.Id, renewed.Order.PlanId);
        Assert.Equal(licenses.Select(l => l.License.Id).Order(StringComparer.Ordinal), renewed.Order.LicenseIds);
        Assert.Equal(licenses.Select(l => l.License.Id), renewed.Licenses.Select(l => l.Id));
        Assert.Equal(before.Select(b => b.AddDays(3 * 365)), renewed.Licenses.Select(l => l.ExpiresAt.ToDateTimeOffset()));
        Assert.Equal(before.Select(b => b.AddDays(3 * 365)), licenses.Select(l => ExpiryOf(l.License.Id)));

        // The order history has it, with what it covered, next to the purchase.
        var orders = (await client.ListOrdersAsync(new ListOrdersRequest())).Orders;
        Assert.Equal([OrderKind.Renewal, OrderKind.Purchase], orders.Select(o => o.Kind));
        Assert.Equal(renewed.Order.Id, orders[0].Id);
        Assert.Equal(renewed.Order.LicenseIds, orders[0].LicenseIds);
        Assert.Empty(orders[1].LicenseIds);
        Assert.Equal(1, _factory.WithDb(db => db.AuditEvents.Count(e => e.Action == "order.renewal" && e.ObjectId == renewed.Order.Id)));
    }

    [Fact]
    public async Task RenewLicense_SameKeyAgain_ReplaysTheOrder_NeverChargesOrExtendsTwice_OtherArgumentsRefused()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Basic, 2))[0].License;
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        var request = new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = "invoice-2001" };

        var first = await client.RenewLicenseAsync(request);
        var again = await client.RenewLicenseAsync(request);

        Assert.True(again.Replayed);
        Assert.Equal(first.Order.Id, again.Order.Id);
        Assert.Equal(first.Licenses[0].ExpiresAt, again.Licenses[0].ExpiresAt);
        Assert.Equal(license.ExpiresAt.ToDateTimeOffset().AddDays(365), ExpiryOf(license.Id));
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count(o => o.Kind == LicenseHub.Domain.Pools.OrderKind.Renewal)));

        // The key reused with other terms, or for a purchase, is refused; nothing changes.
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 2, IdempotencyKey = "invoice-2001" }));
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            client.CreateOrderAsync(new CreateOrderRequest { PlanId = c.Basic.Id, Quantity = 1, IdempotencyKey = "invoice-2001" }));
        var purchaseKey = (await client.ListOrdersAsync(new ListOrdersRequest())).Orders.Single(o => o.Kind == OrderKind.Purchase).IdempotencyKey;
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = purchaseKey }));
        Assert.Equal(license.ExpiresAt.ToDateTimeOffset().AddDays(365), ExpiryOf(license.Id));
        Assert.Equal(2, _factory.WithDb(db => db.Orders.Count()));
    }

    [Fact]
    public async Task RenewLicenses_TwentyConcurrentCallsWithOneKey_MakeOneOrderAndOneExtension()
    {
        var c = await CatalogueAsync();
        var licenses = await AssignAsync(c.Reseller, c.Basic, 3);
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        var request = new RenewLicensesRequest { LicenseIds = { licenses.Select(l => l.License.Id) }, Terms = 2, IdempotencyKey = "retry-storm-1" };

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.RenewLicensesAsync(request).ResponseAsync));

        Assert.Single(results.Select(r => r.Order.Id).Distinct());
        Assert.Equal(1, results.Count(r => !r.Replayed));
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count(o => o.Kind == LicenseHub.Domain.Pools.OrderKind.Renewal)));
        Assert.Equal(3, _factory.WithDb(db => db.OrderLicenses.Count()));
        Assert.All(licenses, l => Assert.Equal(l.License.ExpiresAt.ToDateTimeOffset().AddDays(2 * 365), ExpiryOf(l.License.Id)));
        Assert.All(results, r => Assert.Equal(8_00 * 3 * 2, r.Order.Amount.AmountMinor));
    }

    [Fact]
    public async Task RenewLicense_OneTermAtATime_StopsTenTermsAhead_WithAnAnswerNotAnInternalError()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Basic, 1))[0].License;
        var client = _factory.Reseller(c.Reseller.ManagerKey);

        var renewed = 0;
        RpcException? refusal = null;
        for (var i = 0; i < 12; i++)
        {
            try
            {
                await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = $"renew-loop-{i:000}" });
                renewed++;
            }
            catch (RpcException ex)
            {
                refusal = ex;
                Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
            }
        }

        // Assigned with one term, renewed to ten terms ahead: nine renewals, each paid; then refused.
        Assert.Equal(9, renewed);
        Assert.Contains("more than 10 terms ahead", refusal!.Status.Detail);
        Assert.Equal(_clock.GetUtcNow().AddDays(3650), ExpiryOf(license.Id));
        Assert.Equal(9, _factory.WithDb(db => db.Orders.Count(o => o.Kind == LicenseHub.Domain.Pools.OrderKind.Renewal)));
        Assert.Equal(9 * 8_00, _factory.WithDb(db => db.Orders.Where(o => o.Kind == LicenseHub.Domain.Pools.OrderKind.Renewal).Sum(o => o.AmountMinor)));
    }

    [Fact]
    public async Task RenewLicenses_BadInput_NamesTheField_AndStoresNothing()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Basic, 1))[0].License;
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        RenewLicensesRequest Request(Action<RenewLicensesRequest> change)
        {
            var request = new RenewLicensesRequest { LicenseIds = { license.Id }, Terms = 1, IdempotencyKey = "bad-input-0001" };
            change(request);
            return request;
        }

        await RpcAssert.InvalidField("terms", () => client.RenewLicensesAsync(Request(r => r.Terms = 0)));
        await RpcAssert.InvalidField("terms", () => client.RenewLicensesAsync(Request(r => r.Terms = 11)));
        await RpcAssert.InvalidField("idempotency_key", () => client.RenewLicensesAsync(Request(r => r.IdempotencyKey = "")));
        await RpcAssert.InvalidField("license_ids", () => client.RenewLicensesAsync(Request(r => r.LicenseIds.Clear())));
        await RpcAssert.InvalidField("license_ids", () => client.RenewLicensesAsync(Request(r =>
            r.LicenseIds.AddRange(Enumerable.Range(0, 10_000).Select(_ => Guid.NewGuid().ToString())))));
        await RpcAssert.InvalidField("license_ids[1]", () => client.RenewLicensesAsync(Request(r => r.LicenseIds.Add(license.Id))));
        await RpcAssert.InvalidField("license_ids[1]", () => client.RenewLicensesAsync(Request(r => r.LicenseIds.Add("not-an-id"))));
        await RpcAssert.InvalidField("license_id", () =>
            client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = "nope", Terms = 1, IdempotencyKey = "bad-input-0002" }));
        await RpcAssert.InvalidField("idempotency_key", () =>
            client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1 }));
        await RpcAssert.InvalidField("terms", () =>
            client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, IdempotencyKey = "bad-input-0003" }));

        // Licenses of two plans cannot share one order's price.
        var pro = (await AssignAsync(c.Reseller, c.Pro, 1))[0].License;
        await RpcAssert.InvalidField("license_ids", () => client.RenewLicensesAsync(Request(r => r.LicenseIds.Add(pro.Id))));

        Assert.Equal(0, _factory.WithDb(db => db.Orders.Count(o => o.Kind != LicenseHub.Domain.Pools.OrderKind.Purchase)));
        Assert.Equal(license.ExpiresAt.ToDateTimeOffset(), ExpiryOf(license.Id));
    }

    [Fact]
    public async Task RenewLicense_ValidateOnly_QuotesThePrice_AndChangesNothing()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Basic, 1))[0].License;
        var client = _factory.Reseller(c.Reseller.OwnerKey);

        var quote = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 4, IdempotencyKey = "quote-0001", ValidateOnly = true });

        Assert.Equal("", quote.Order.Id);
        Assert.Equal(4 * 8_00, quote.Order.Amount.AmountMinor);
        Assert.Equal(license.ExpiresAt.ToDateTimeOffset().AddDays(4 * 365), quote.Licenses[0].ExpiresAt.ToDateTimeOffset());
        Assert.Equal(license.ExpiresAt.ToDateTimeOffset(), ExpiryOf(license.Id));
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count()));
        // The key of a quote is still free.
        var placed = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 4, IdempotencyKey = "quote-0001" });
        Assert.Equal(quote.Order.Amount, placed.Order.Amount);
        Assert.False(placed.Replayed);
    }

    [Fact]
    public async Task RenewLicense_OverRest_IsAnOrderWithARequiredIdempotencyKey()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Basic, 1))[0].License;
        using var http = _factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", c.Reseller.ManagerKey);

        var missing = await http.PostAsJsonAsync($"/v1/licenses/{license.Id}:renew", new { terms = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        // Named as the JSON body names it.
        Assert.Contains("idempotencyKey", await missing.Content.ReadAsStringAsync());

        var body = new { terms = 1, idempotencyKey = "whmcs-invoice-3001" };
        var first = await http.PostAsJsonAsync($"/v1/licenses/{license.Id}:renew", body);
        var again = await http.PostAsJsonAsync($"/v1/licenses/{license.Id}:renew", body);
        var json = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var replay = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("ORDER_KIND_RENEWAL", json.GetProperty("order").GetProperty("kind").GetString());
        Assert.Equal("800", json.GetProperty("order").GetProperty("amount").GetProperty("amountMinor").ToString());
        Assert.Equal(json.GetProperty("order").GetProperty("id").GetString(), replay.GetProperty("order").GetProperty("id").GetString());
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(license.ExpiresAt.ToDateTimeOffset().AddDays(365), ExpiryOf(license.Id));

        var bulk = await http.PostAsJsonAsync("/v1/licenses:renew", new { licenseIds = new[] { license.Id }, terms = 2, idempotencyKey = "whmcs-invoice-3002" });
        Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        Assert.Equal(license.ExpiresAt.ToDateTimeOffset().AddDays(3 * 365), ExpiryOf(license.Id));
    }

    [Fact]
    public async Task ChangePlan_Upgrade_ChargesTheProratedDifference_AndTheNextCheckInTokenNamesTheNewPlan()
    {
        var c = await CatalogueAsync();
        var licenses = await AssignAsync(c.Reseller, c.Basic, 2);
        var activation = await ActivateAsync(licenses[0].LicenseKey);
        Assert.Equal("basic", Claims(activation.Token).GetProperty("edn").GetString());
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        _clock.Advance(TimeSpan.FromDays(100));
        var request = new ChangePlanRequest { LicenseIds = { licenses.Select(l => l.License.Id) }, TargetPlanId = c.Pro.Id, IdempotencyKey = "upgrade-0001" };

        var quote = await client.ChangePlanAsync(new ChangePlanRequest(request) { ValidateOnly = true });
        var upgraded = await client.ChangePlanAsync(request);

        // 10.00 → 20.00 EUR a year with 265 of 365 days left: ⌈1000 × 265 / 365⌉ = 727 cents per license.
        Assert.Equal(OrderKind.Upgrade, upgraded.Order.Kind);
        Assert.Equal(2 * 727, upgraded.Order.Amount.AmountMinor);
        Assert.Equal(quote.Order.Amount, upgraded.Order.Amount);
        Assert.Equal((c.Pro.Id, c.Basic.Id, 0), (upgraded.Order.PlanId, upgraded.Order.FromPlanId, upgraded.Order.Terms));
        Assert.False(upgraded.Scheduled);
        Assert.All(upgraded.Licenses, l => Assert.Equal(c.Pro.Id, l.PlanId));
        // The expiry stays: the upgrade pays for the rest of the term, not for more.
        Assert.Equal(licenses.Select(l => l.License.ExpiresAt), upgraded.Licenses.Select(l => l.ExpiresAt));

        var checkIn = await CheckInAsync(activation);
        Assert.Equal(ValidationCode.Valid, checkIn.Code);
        var claims = Claims(checkIn.Token);
        Assert.Equal("pro-yearly", claims.GetProperty("pln").GetString());
        Assert.Equal("pro", claims.GetProperty("edn").GetString());

        // Replayed, never charged twice; the next renewal is at Pro's renewal price.
        Assert.True((await client.ChangePlanAsync(request)).Replayed);
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count(o => o.Kind == LicenseHub.Domain.Pools.OrderKind.Upgrade)));
        var renewal = await client.RenewLicensesAsync(new RenewLicensesRequest { LicenseIds = { licenses[0].License.Id }, Terms = 1, IdempotencyKey = "renew-after-up" });
        Assert.Equal(18_00, renewal.Order.Amount.AmountMinor);
    }

    [Fact]
    public async Task ChangePlan_Downgrade_IsScheduledForTheRenewal_ChargesNothing_AndTheRenewalMovesAndPricesIt()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Pro, 1))[0];
        var activation = await ActivateAsync(license.LicenseKey);
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        var request = new ChangePlanRequest { LicenseIds = { license.License.Id }, TargetPlanId = c.Basic.Id, IdempotencyKey = "downgrade-0001" };

        var scheduled = await client.ChangePlanAsync(request);

        Assert.True(scheduled.Scheduled);
        Assert.Null(scheduled.Order);
        Assert.Equal(c.Pro.Id, scheduled.Licenses[0].PlanId);
        Assert.Equal(c.Basic.Id, scheduled.Licenses[0].PendingPlanId);
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count()));
        Assert.Equal("pro", Claims((await CheckInAsync(activation)).Token).GetProperty("edn").GetString());

        // The renewal moves it to Basic, at Basic's renewal price and term.
        var renewal = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.License.Id, Terms = 1, IdempotencyKey = "renew-after-down" });
        Assert.Equal(8_00, renewal.Order.Amount.AmountMinor);
        Assert.Equal((c.Basic.Id, c.Pro.Id), (renewal.Order.PlanId, renewal.Order.FromPlanId));
        Assert.Equal(c.Basic.Id, renewal.Licenses[0].PlanId);
        Assert.Equal("", renewal.Licenses[0].PendingPlanId);
        Assert.Equal("basic", Claims((await CheckInAsync(activation)).Token).GetProperty("edn").GetString());
    }

    [Fact]
    public async Task ChangePlan_Downgrade_IsRefusedWhileTheLicenseRunsOnMoreMachinesThanTheTargetAllows()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Pro, 1))[0];
        await ActivateAsync(license.LicenseKey, "machine-a");
        await ActivateAsync(license.LicenseKey, "machine-b");
        var client = _factory.Reseller(c.Reseller.OwnerKey);

        var refused = await RpcAssert.Fails(StatusCode.FailedPrecondition, () => client.ChangePlanAsync(new ChangePlanRequest
        {
            LicenseIds = { license.License.Id }, TargetPlanId = c.Basic.Id, IdempotencyKey = "downgrade-0002",
        }));

        Assert.Contains("2 servers", refused.Status.Detail);
        Assert.Null(_factory.WithDb(db => db.Licenses.Single().PendingPlanId));
    }

    [Fact]
    public async Task ChangePlan_TargetOfAnotherProduct_IsInvalid_AndAnUnknownPlanIsNotFound()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Basic, 1))[0].License;
        var client = _factory.Reseller(c.Reseller.OwnerKey);

        await RpcAssert.InvalidField("target_plan_id", () => client.ChangePlanAsync(new ChangePlanRequest
        {
            LicenseIds = { license.Id }, TargetPlanId = c.OtherProduct.Id, IdempotencyKey = "change-0001",
        }));
        await RpcAssert.InvalidField("target_plan_id", () => client.ChangePlanAsync(new ChangePlanRequest
        {
            LicenseIds = { license.Id }, TargetPlanId = "", IdempotencyKey = "change-0002",
        }));
        await RpcAssert.Fails(StatusCode.NotFound, () => client.ChangePlanAsync(new ChangePlanRequest
        {
            LicenseIds = { license.Id }, TargetPlanId = Guid.NewGuid().ToString(), IdempotencyKey = "change-0003",
        }));
        Assert.Equal(c.Basic.Id, _factory.WithDb(db => db.Licenses.Single().PlanId.ToString()));
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count()));
    }

    [Fact]
    public async Task Orders_InYenAndBahrainiDinar_AreChargedInTheirMinorUnits()
    {
        var vendor = _factory.Vendor();
        var product = await vendor.CreateProductAsync(new CreateProductRequest { Code = "panel", Name = "Hosting Panel" });
        var yenMonthly = await PlanAsync(product.Id, "yen-basic", "basic", 30, 1, 1000, "JPY");
        var yenPro = await PlanAsync(product.Id, "yen-pro", "pro", 30, 1, 3000, "JPY");
        var other = await vendor.CreateProductAsync(new CreateProductRequest { Code = "mail", Name = "Mail Relay" });
        var dinar = await PlanAsync(other.Id, "bhd-yearly", "basic", 365, 1, 12_500, "BHD", renewalMinor: 10_250);
        var dinarPro = await PlanAsync(other.Id, "bhd-pro", "pro", 365, 1, 20_000, "BHD");
        var reseller = await new Scenario(_factory).AddResellerAsync();
        var client = _factory.Reseller(reseller.OwnerKey);
        var yen = (await AssignAsync(reseller, yenMonthly, 1))[0].License;
        var bhd = await AssignAsync(reseller, dinar, 3);
        var purchases = (await client.ListOrdersAsync(new ListOrdersRequest())).Orders;
        Assert.Contains(purchases, o => o.Amount.Equals(new Money { AmountMinor = 37_500, Currency = "BHD" }) && o.Quantity == 3);
        Assert.Contains(purchases, o => o.Amount.Equals(new Money { AmountMinor = 1000, Currency = "JPY" }) && o.Quantity == 1);

        var renewal = await client.RenewLicensesAsync(new RenewLicensesRequest { LicenseIds = { bhd.Select(l => l.License.Id) }, Terms = 2, IdempotencyKey = "bhd-renew-01" });
        Assert.Equal(new Money { AmountMinor = 61_500, Currency = "BHD" }, renewal.Order.Amount);

        // 1000 → 3000 yen a month, 10 of 30 days left: ⌈2000 × 10 / 30⌉ = 667 yen.
        _clock.Advance(TimeSpan.FromDays(20));
        var upgrade = await client.ChangePlanAsync(new ChangePlanRequest { LicenseIds = { yen.Id }, TargetPlanId = yenPro.Id, IdempotencyKey = "jpy-upgrade-1" });
        Assert.Equal(new Money { AmountMinor = 667, Currency = "JPY" }, upgrade.Order.Amount);

        // 12.500 → 20.000 BHD a year; 20 days gone, 345 + 730 renewed days left: ⌈7500 × 1075 / 365⌉ = ⌈22089.04⌉ = 22090 fils.
        var bhdUpgrade = await client.ChangePlanAsync(new ChangePlanRequest { LicenseIds = { bhd[0].License.Id }, TargetPlanId = dinarPro.Id, IdempotencyKey = "bhd-upgrade-1" });
        Assert.Equal(new Money { AmountMinor = 22_090, Currency = "BHD" }, bhdUpgrade.Order.Amount);
    }

    [Fact]
    public async Task ReissueLicenseKey_OldKeyStopsActivating_InstallationsKeepWorking_NewKeyShownOnceAndAudited()
    {
        var c = await CatalogueAsync();
        var license = (await AssignAsync(c.Reseller, c.Pro, 1))[0];
        var activation = await ActivateAsync(license.LicenseKey, "machine-a");
        var client = _factory.Reseller(c.Reseller.ManagerKey);

        var reissued = await client.ReissueLicenseKeyAsync(new ReissueLicenseKeyRequest { LicenseId = license.License.Id });

        Assert.NotEqual(license.LicenseKey, reissued.LicenseKey);
        Assert.StartsWith(reissued.License.KeyPrefix, reissued.LicenseKey.Replace("-", ""));
        Assert.Equal(ValidationCode.NotFound, (await ActivateAsync(license.LicenseKey, "machine-b")).Code);
        Assert.Equal(ValidationCode.Valid, (await CheckInAsync(activation, "machine-a")).Code);
        Assert.Equal(ValidationCode.Valid, (await ActivateAsync(reissued.LicenseKey, "machine-b")).Code);
        var audited = _factory.WithDb(db => db.AuditEvents.Single(e => e.Action == "license.reissue_key" && e.ObjectId == license.License.Id));
        Assert.StartsWith("apikey:", audited.ActorId);
        Assert.DoesNotContain(reissued.LicenseKey.Replace("-", "")[8..], audited.Details);
        var stored = _factory.StoredText();
        Assert.DoesNotContain(reissued.LicenseKey, stored);
        Assert.DoesNotContain(reissued.LicenseKey.Replace("-", ""), stored);
        // Activated, so it cannot be returned.
        Assert.Null((await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = license.License.Id })).License.ReturnableUntil);
    }

    [Fact]
    public async Task ReturnLicense_NeverActivatedWithinTheWindow_GivesTheSeatBack_AsAReturnOrder()
    {
        var c = await CatalogueAsync();
        var licenses = await AssignAsync(c.Reseller, c.Basic, 3);
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        var poolId = licenses[0].License.PoolId;
        var shown = await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenses[0].License.Id });
        Assert.Equal(licenses[0].License.CreatedAt.ToDateTimeOffset().AddDays(14), shown.License.ReturnableUntil.ToDateTimeOffset());
        _clock.Advance(TimeSpan.FromDays(13));

        var returned = await client.ReturnLicenseAsync(new ReturnLicenseRequest { LicenseId = licenses[0].License.Id, IdempotencyKey = "return-0001" });

        Assert.Equal(OrderKind.Return, returned.Order.Kind);
        Assert.Equal(new Money { AmountMinor = 0, Currency = "EUR" }, returned.Order.Amount);
        Assert.Equal([licenses[0].License.Id], returned.Order.LicenseIds);
        Assert.Equal(poolId, returned.Order.PoolId);
        Assert.Equal(LicenseState.Revoked, returned.License.State);
        Assert.NotNull(returned.License.ReturnedAt);
        Assert.Equal((3, 2, 1), (returned.Pool.Purchased, returned.Pool.Assigned, returned.Pool.Available));
        Assert.Equal(ValidationCode.Revoked, (await ActivateAsync(licenses[0].LicenseKey)).Code);
        Assert.True((await client.ReturnLicenseAsync(new ReturnLicenseRequest { LicenseId = licenses[0].License.Id, IdempotencyKey = "return-0001" })).Replayed);
        Assert.Equal(2, (await client.GetPoolAsync(new GetPoolRequest { PoolId = poolId })).Assigned);
        // The seat is assignable again.
        Assert.Single((await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = poolId, Count = 1 })).Licenses);

        // An activated license cannot be returned, even once its server is gone; nor one past the window.
        var activation = await ActivateAsync(licenses[1].LicenseKey);
        await Agent.DeactivateAsync(new DeactivateRequest { InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret });
        var used = await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            client.ReturnLicenseAsync(new ReturnLicenseRequest { LicenseId = licenses[1].License.Id, IdempotencyKey = "return-0002" }));
        Assert.Contains("revoking it is the only way out", used.Status.Detail);
        _clock.Advance(TimeSpan.FromDays(1));
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () =>
            client.ReturnLicenseAsync(new ReturnLicenseRequest { LicenseId = licenses[2].License.Id, IdempotencyKey = "return-0003" }));
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count(o => o.Kind == LicenseHub.Domain.Pools.OrderKind.Return)));
        Assert.Equal(3, (await client.GetPoolAsync(new GetPoolRequest { PoolId = poolId })).Assigned);
    }

    [Fact]
    public async Task AssignLicenses_RetriedWithItsKey_AnswersTheSameLicensesAndKeys_OnlyToTheSameCaller_KeptOnlyEncrypted()
    {
        var c = await CatalogueAsync();
        var client = _factory.Reseller(c.Reseller.ManagerKey);
        var order = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = c.Basic.Id, Quantity = 10, IdempotencyKey = "pool-order-1" });
        var request = new AssignLicensesRequest
        {
            PoolId = order.Pool.Id, IdempotencyKey = "whmcs-assign-77",
            Assignments = { new LicenseAssignment { ResellerReference = "cust-1" }, new LicenseAssignment { ResellerReference = "cust-2" } },
        };

        var first = await client.AssignLicensesAsync(request);
        var retried = await client.AssignLicensesAsync(request);

        Assert.False(first.Replayed);
        Assert.True(retried.Replayed);
        Assert.Equal(first.Licenses.Select(l => (l.License.Id, l.LicenseKey)), retried.Licenses.Select(l => (l.License.Id, l.LicenseKey)));
        Assert.Equal(2, retried.Pool.Assigned);
        Assert.Equal(2, _factory.WithDb(db => db.Licenses.Count()));

        // Kept only under the key-encryption key.
        var stored = _factory.StoredText();
        Assert.All(first.Licenses, l =>
        {
            Assert.DoesNotContain(l.LicenseKey, stored);
            Assert.DoesNotContain(l.LicenseKey.Replace("-", ""), stored);
        });
        Assert.Equal(2, _factory.WithDb(db => db.AssignmentReplayKeys.Count()));

        // Another API key of the same reseller never gets them; another idempotency key is another assignment.
        var other = await RpcAssert.Fails(StatusCode.FailedPrecondition, () => _factory.Reseller(c.Reseller.OwnerKey).AssignLicensesAsync(request));
        Assert.DoesNotContain(first.Licenses[0].LicenseKey, other.Status.Detail);
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () => client.AssignLicensesAsync(new AssignLicensesRequest(request) { Assignments = { new LicenseAssignment() } }));
        var fresh = await client.AssignLicensesAsync(new AssignLicensesRequest(request) { IdempotencyKey = "whmcs-assign-78" });
        Assert.False(fresh.Replayed);
        Assert.DoesNotContain(fresh.Licenses, l => first.Licenses.Any(f => f.LicenseKey == l.LicenseKey));

        // After 24 hours the retention job erases them; the key then assigns anew. The retention report shows the rule.
        var job = _factory.Services.GetRequiredService<LicenseHub.Server.Privacy.RetentionJob>();
        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, (await job.RunOnceAsync(CancellationToken.None)).AssignmentKeysErased);
        Assert.True((await client.AssignLicensesAsync(request)).Replayed);
        _clock.Advance(TimeSpan.FromHours(1));
        var auditorKey = (await _factory.Vendor().CreateVendorApiKeyAsync(new CreateVendorApiKeyRequest { Name = "auditor", Role = ApiKeyRole.VendorAuditor })).ApiKey;
        var auditor = new AuditService.AuditServiceClient(_factory.Channel.Intercept(m => { m.Add("authorization", "Bearer " + auditorKey); return m; }));
        var kept = (await auditor.GetRetentionReportAsync(new GetRetentionReportRequest())).Entries.Single(e => e.Table == "AssignmentReplayKeys");
        Assert.Equal(("Secret", 4L, 4L), (kept.DataClass, kept.Rows, kept.Overdue));
        Assert.Contains("24 hours", kept.Rule);
        Assert.Equal(4, (await job.RunOnceAsync(CancellationToken.None)).AssignmentKeysErased);
        Assert.Equal(0, _factory.WithDb(db => db.AssignmentReplayKeys.Count() + db.AssignmentReplays.Count()));
        var later = await client.AssignLicensesAsync(request);
        Assert.False(later.Replayed);
        Assert.Equal(6, later.Pool.Assigned);
    }

    [Fact]
    public async Task OrdersCsv_OneRowPerOrder_WithKindPlansLicensesAndTheAmountInItsCurrency()
    {
        var c = await CatalogueAsync();
        var licenses = await AssignAsync(c.Reseller, c.Basic, 2);
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = licenses[0].License.Id, Terms = 2, IdempotencyKey = "csv-renew-1" });
        _clock.Advance(TimeSpan.FromDays(265));
        await client.ChangePlanAsync(new ChangePlanRequest { LicenseIds = { licenses[1].License.Id }, TargetPlanId = c.Pro.Id, IdempotencyKey = "csv-upgrade-1" });

        string reseller, vendor;
        using (var scope = _factory.Services.CreateScope())
        {
            var orders = scope.ServiceProvider.GetRequiredService<LicenseHub.Server.Pools.OrderService>();
            var catalog = scope.ServiceProvider.GetRequiredService<LicenseHub.Server.Catalog.CatalogService>();
            var owner = new LicenseHub.Server.Security.Caller(Guid.NewGuid(), LicenseHub.Domain.Security.ApiKeyRole.Viewer, Guid.Parse(c.Reseller.ResellerId));
            var admin = new LicenseHub.Server.Security.Caller(Guid.NewGuid(), LicenseHub.Domain.Security.ApiKeyRole.VendorAdmin, null);
            reseller = await LicenseHub.Server.Portal.Pages.Reseller.OrderRow.CsvAsync(owner, orders, catalog, CancellationToken.None);
            vendor = await LicenseHub.Server.Portal.Pages.Reseller.OrderRow.CsvAsync(admin, orders, catalog, CancellationToken.None);
        }

        var lines = reseller.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("order_id,created_at,kind,plan_id,plan,from_plan_id,from_plan,licenses,terms,amount,currency,amount_minor,idempotency_key,pool_id,license_ids", lines[0]);
        // 100 of 365 days left: ⌈1000 × 100 / 365⌉ = 274 cents.
        Assert.EndsWith($",upgrade,{c.Pro.Id},pro-yearly,{c.Basic.Id},basic-yearly,1,0,2.74,EUR,274,csv-upgrade-1,,{licenses[1].License.Id}", lines[1]);
        Assert.EndsWith($",renewal,{c.Basic.Id},basic-yearly,,,1,2,16.00,EUR,1600,csv-renew-1,,{licenses[0].License.Id}", lines[2]);
        Assert.Contains($",purchase,{c.Basic.Id},basic-yearly,,,2,1,20.00,EUR,2000,buy-", lines[3]);
        Assert.Contains($",{licenses[0].License.PoolId},", lines[3]);
        Assert.StartsWith("order_id,created_at,kind,reseller_id,plan_id,", vendor);
        Assert.Contains($",renewal,{c.Reseller.ResellerId},{c.Basic.Id},", vendor);
    }

    [Fact]
    public async Task DeleteAccount_ErasesTheKeptKeysAtOnce()
    {
        var c = await CatalogueAsync();
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        var order = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = c.Basic.Id, Quantity = 5, IdempotencyKey = "pool-order-4" });
        await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = order.Pool.Id, Count = 2, IdempotencyKey = "assign-before-delete" });
        Assert.Equal(2, _factory.WithDb(db => db.AssignmentReplayKeys.Count()));

        await client.DeleteAccountAsync(new DeleteAccountRequest { ConfirmResellerId = c.Reseller.ResellerId });

        Assert.Equal(0, _factory.WithDb(db => db.AssignmentReplayKeys.Count() + db.AssignmentReplays.Count()));
    }

    [Fact]
    public async Task RenewLicenses_TenThousandLicensesInOneOrder_AndAPageOfOrdersStaysWithinTenThousandLicenses()
    {
        var c = await CatalogueAsync();
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        var licenses = await AssignAsync(c.Reseller, c.Basic, 10_000);
        var ids = licenses.Select(l => l.License.Id).ToList();

        var first = await client.RenewLicensesAsync(new RenewLicensesRequest { LicenseIds = { ids }, Terms = 1, IdempotencyKey = "bulk-renew-1" });
        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = await client.RenewLicensesAsync(new RenewLicensesRequest { LicenseIds = { ids.Take(10) }, Terms = 1, IdempotencyKey = "bulk-renew-2" });

        Assert.Equal(10_000 * 8_00L, first.Order.Amount.AmountMinor);
        Assert.Equal(10_000, first.Order.LicenseIds.Count);
        Assert.Equal(10_000, _factory.WithDb(db => db.Licenses.Count(l => l.ExpiresAt > _clock.GetUtcNow().AddDays(700))));
        // The newest renewal (10 licenses) and the 10,000 one would pass 10,000 covered licenses: a page of one.
        var page = await client.ListOrdersAsync(new ListOrdersRequest());
        Assert.Equal([second.Order.Id], page.Orders.Select(o => o.Id));
        Assert.NotEqual("", page.NextPageToken);
        var next = await client.ListOrdersAsync(new ListOrdersRequest { Page = new PageRequest { PageToken = page.NextPageToken } });
        Assert.Equal([OrderKind.Renewal, OrderKind.Purchase], next.Orders.Select(o => o.Kind));
        Assert.Equal(first.Order.Id, next.Orders[0].Id);
        Assert.Equal(10_000, next.Orders[0].LicenseIds.Count);
        Assert.Equal("", next.NextPageToken);
    }

    [Fact]
    public async Task AssignLicenses_TenConcurrentRetriesWithOneKey_AssignOnce()
    {
        var c = await CatalogueAsync();
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        var order = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = c.Basic.Id, Quantity = 50, IdempotencyKey = "pool-order-2" });
        var request = new AssignLicensesRequest { PoolId = order.Pool.Id, Count = 3, IdempotencyKey = "assign-storm-1" };

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.AssignLicensesAsync(request).ResponseAsync));

        Assert.Single(results.Select(r => string.Join(",", r.Licenses.Select(l => l.LicenseKey))).Distinct());
        Assert.Equal(3, _factory.WithDb(db => db.Licenses.Count()));
        Assert.Equal(3, (await client.GetPoolAsync(new GetPoolRequest { PoolId = order.Pool.Id })).Assigned);
    }

    [Fact]
    public async Task ReissueAndReturn_EraseTheKeptCopyOfTheOldKey_AtOnce()
    {
        var c = await CatalogueAsync();
        var client = _factory.Reseller(c.Reseller.OwnerKey);
        var order = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = c.Basic.Id, Quantity = 5, IdempotencyKey = "pool-order-3" });
        var request = new AssignLicensesRequest { PoolId = order.Pool.Id, Count = 2, IdempotencyKey = "assign-kept-1" };
        var first = await client.AssignLicensesAsync(request);

        await client.ReissueLicenseKeyAsync(new ReissueLicenseKeyRequest { LicenseId = first.Licenses[0].License.Id });
        var retried = await client.AssignLicensesAsync(request);

        Assert.Equal("", retried.Licenses[0].LicenseKey);
        Assert.Equal(first.Licenses[1].LicenseKey, retried.Licenses[1].LicenseKey);
        Assert.Equal(1, _factory.WithDb(db => db.AssignmentReplayKeys.AsEnumerable().Count(k => k.EncryptedKey.Length > 0)));
    }
}
