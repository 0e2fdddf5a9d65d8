using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using LicenseHub.Server.Events;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.Tokens;
using LicenseHub.V1;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrderKind = LicenseHub.V1.OrderKind;

namespace LicenseHub.Tests.Core;

/// <summary>
/// The license models vendors sell: features included in plans and add-ons bought per license (carried in tokens as
/// <c>ent</c>), free trials rationed per month, perpetual licenses with maintenance (<c>mnt</c>), and each reseller's
/// own price list. On a clock the test moves, against the real server in process.
/// </summary>
public sealed class LicenseModelTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly LicenseHubFactory _factory;

    public LicenseModelTests()
    {
        _factory = new LicenseHubFactory(builder =>
        {
            builder.UseSetting("LicenseHub:Retention:Enabled", "false");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
    }

    public void Dispose() => _factory.Dispose();

    private VendorService.VendorServiceClient Vendor => _factory.Vendor();

    private sealed record Panel(Product Product, ResellerSetup Reseller);

    /// <summary>Product "panel" with features backups, dns and wordpress, and one reseller.</summary>
    private async Task<Panel> PanelAsync()
    {
        var product = await Vendor.CreateProductAsync(new CreateProductRequest { Code = "panel", Name = "Hosting Panel" });
        foreach (var (code, name) in new[] { ("backups", "Backups"), ("dns", "DNS cluster"), ("wordpress", "WordPress toolkit") })
        {
            await Vendor.CreateFeatureAsync(new CreateFeatureRequest { ProductId = product.Id, Code = code, Name = name });
        }
        return new Panel(product, await new Scenario(_factory).AddResellerAsync());
    }

    private static CreatePlanRequest PlanRequest(Product product, string code, int termDays, long priceMinor, long? renewalMinor = null) => new()
    {
        ProductId = product.Id, Code = code, Edition = code, TermDays = termDays, MaxMachines = 2, OfflineGraceDays = 3,
        Price = new Money { AmountMinor = priceMinor, Currency = "EUR" }, TransferBudget = 2,
        RenewalPrice = renewalMinor is { } r ? new Money { AmountMinor = r, Currency = "EUR" } : null,
    };

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

    private static string[] Ent(string token) =>
        Claims(token).TryGetProperty("ent", out var ent) ? ent.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];

    [Fact]
    public async Task PlanFeatures_AreInTheToken_AndAChangeOfThePlansFeatures_ReachesTheNextCheckIn()
    {
        var p = await PanelAsync();
        var request = PlanRequest(p.Product, "pro", 365, 2000);
        request.Features.Add(["dns", "backups"]);
        var plan = await Vendor.CreatePlanAsync(request);
        Assert.Equal(["backups", "dns"], plan.Features);

        var license = (await AssignAsync(p.Reseller, plan, 1))[0];
        Assert.Equal(["backups", "dns"], license.License.Features);
        var activation = await ActivateAsync(license.LicenseKey);
        Assert.Equal(["backups", "dns"], Ent(activation.Token));

        var changed = await Vendor.SetPlanFeaturesAsync(new SetPlanFeaturesRequest { PlanId = plan.Id, Features = { "backups", "wordpress" } });
        Assert.Equal(["backups", "wordpress"], changed.Features);
        var checkIn = await CheckInAsync(activation);
        Assert.Equal(ValidationCode.Valid, checkIn.Code);
        Assert.Equal(["backups", "wordpress"], Ent(checkIn.Token));
    }

    [Fact]
    public async Task FeatureCodes_AreChecked_UnknownOrTwiceOrBoth_AreRefusedWithTheirField_AndNothingIsStored()
    {
        var p = await PanelAsync();
        await RpcAssert.InvalidField("code", () => Vendor.CreateFeatureAsync(new CreateFeatureRequest { ProductId = p.Product.Id, Code = "Not A Slug", Name = "x" }));
        await RpcAssert.Fails(StatusCode.AlreadyExists, () => Vendor.CreateFeatureAsync(new CreateFeatureRequest { ProductId = p.Product.Id, Code = "dns", Name = "again" }));

        var unknown = PlanRequest(p.Product, "pro", 365, 2000);
        unknown.Features.Add("billing");
        await RpcAssert.InvalidField("features[0]", () => Vendor.CreatePlanAsync(unknown));

        var twice = PlanRequest(p.Product, "pro", 365, 2000);
        twice.Features.Add(["dns", "dns"]);
        await RpcAssert.InvalidField("features[1]", () => Vendor.CreatePlanAsync(twice));

        var both = PlanRequest(p.Product, "pro", 365, 2000);
        both.Features.Add("dns");
        both.AddOns.Add(new AddOnOffer { FeatureCode = "dns", Price = new Money { AmountMinor = 100, Currency = "EUR" } });
        await RpcAssert.InvalidField("add_ons[0].feature_code", () => Vendor.CreatePlanAsync(both));

        Assert.Equal(0, _factory.WithDb(db => db.Plans.Count()));
        Assert.Equal(3, (await Vendor.ListFeaturesAsync(new ListFeaturesRequest { ProductId = p.Product.Id })).Features.Count);
    }

    [Fact]
    public async Task AddOn_IsAnIdempotentOrderProratedOverThePaidTimeLeft_InTheNextToken_RenewedWithTheLicense_AndDroppedWhenRemoved()
    {
        var p = await PanelAsync();
        var request = PlanRequest(p.Product, "pro", 365, 36500);
        request.Features.Add("backups");
        request.AddOns.Add(new AddOnOffer { FeatureCode = "wordpress", Price = new Money { AmountMinor = 3650, Currency = "EUR" } });
        var plan = await Vendor.CreatePlanAsync(request);
        var license = (await AssignAsync(p.Reseller, plan, 1))[0];
        var activation = await ActivateAsync(license.LicenseKey);
        Assert.Equal(["backups"], Ent(activation.Token));
        var client = _factory.Reseller(p.Reseller.OwnerKey);

        // 73 of 365 days used: 292 days left of a 36.50 EUR add-on, 29.20 EUR.
        _clock.Advance(TimeSpan.FromDays(73));
        var buy = new BuyAddOnRequest { LicenseIds = { license.License.Id }, FeatureCode = "wordpress", IdempotencyKey = "whmcs-addon-5001" };
        var quote = await client.BuyAddOnAsync(new BuyAddOnRequest(buy) { ValidateOnly = true });
        Assert.Equal(2920, quote.Order.Amount.AmountMinor);
        Assert.Equal("", quote.Order.Id);
        Assert.Equal(0, _factory.WithDb(db => db.LicenseAddOns.Count()));

        var bought = await client.BuyAddOnAsync(buy);
        Assert.Equal((OrderKind.AddOn, 2920L, "wordpress"), (bought.Order.Kind, bought.Order.Amount.AmountMinor, bought.Order.FeatureCode));
        Assert.Equal(["backups", "wordpress"], bought.Licenses[0].Features);
        var replay = await client.BuyAddOnAsync(buy);
        Assert.True(replay.Replayed);
        Assert.Equal(bought.Order.Id, replay.Order.Id);
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count(o => o.Kind == LicenseHub.Domain.Pools.OrderKind.AddOn)));
        await RpcAssert.Fails(StatusCode.FailedPrecondition,
            () => client.BuyAddOnAsync(new BuyAddOnRequest(buy) { IdempotencyKey = "whmcs-addon-5002" }));
        await RpcAssert.Fails(StatusCode.FailedPrecondition,
            () => client.BuyAddOnAsync(new BuyAddOnRequest(buy) { FeatureCode = "dns", IdempotencyKey = "whmcs-addon-5003" }));

        var checkIn = await CheckInAsync(activation);
        Assert.Equal(["backups", "wordpress"], Ent(checkIn.Token));

        // Renewed with the license: the plan's renewal price and the add-on's, per term.
        var renewed = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.License.Id, Terms = 2, IdempotencyKey = "renew-6001" });
        Assert.Equal((36500 + 3650) * 2, renewed.Order.Amount.AmountMinor);

        // Removed: kept until the next renewal (it is paid until then), which no longer charges for it and drops it.
        var removed = await client.RemoveAddOnAsync(new RemoveAddOnRequest { LicenseId = license.License.Id, FeatureCode = "wordpress" });
        Assert.Equal(["backups", "wordpress"], removed.Features);
        var detail = await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = license.License.Id });
        Assert.True(Assert.Single(detail.AddOns).RemovedAtRenewal);
        var next = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.License.Id, Terms = 1, IdempotencyKey = "renew-6002" });
        Assert.Equal(36500, next.Order.Amount.AmountMinor);
        Assert.Equal(["backups"], next.Licenses[0].Features);
        Assert.Empty((await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = license.License.Id })).AddOns);
        Assert.Equal(["backups"], Ent((await CheckInAsync(activation)).Token));
    }

    [Fact]
    public async Task Trial_IsFreeAndRationedPerMonth_NotRenewable_AndConvertsToAPaidPlanForItsPrice()
    {
        var p = await PanelAsync();
        var bad = PlanRequest(p.Product, "trial", 31, 100);
        bad.Trial = true;
        await RpcAssert.InvalidField("price.amount_minor", () => Vendor.CreatePlanAsync(bad));
        await RpcAssert.InvalidField("term_days", () => Vendor.CreatePlanAsync(bad));
        var trialRequest = PlanRequest(p.Product, "trial", 14, 0);
        trialRequest.Trial = true;
        trialRequest.Features.Add("backups");
        var trial = await Vendor.CreatePlanAsync(trialRequest);
        var paid = await Vendor.CreatePlanAsync(PlanRequest(p.Product, "pro", 365, 20000));
        var client = _factory.Reseller(p.Reseller.OwnerKey);

        // No quota until the vendor sets one; then at most that many per calendar month.
        var none = await RpcAssert.Fails(StatusCode.FailedPrecondition,
            () => client.CreateOrderAsync(new CreateOrderRequest { PlanId = trial.Id, Quantity = 1, IdempotencyKey = "trial-0001" }));
        Assert.Contains("no trial licenses", none.Status.Detail);
        var reseller = await Vendor.SetTrialQuotaAsync(new SetTrialQuotaRequest { ResellerId = p.Reseller.ResellerId, TrialsPerMonth = 2 });
        Assert.Equal(2, reseller.TrialsPerMonth);
        await RpcAssert.InvalidField("trials_per_month",
            () => Vendor.SetTrialQuotaAsync(new SetTrialQuotaRequest { ResellerId = p.Reseller.ResellerId, TrialsPerMonth = -1 }));
        var licenses = await AssignAsync(p.Reseller, trial, 2);
        Assert.All(licenses, l => Assert.True(l.License.Trial));
        var over = await RpcAssert.Fails(StatusCode.FailedPrecondition,
            () => client.CreateOrderAsync(new CreateOrderRequest { PlanId = trial.Id, Quantity = 1, IdempotencyKey = "trial-0002" }));
        Assert.Contains("has taken 2", over.Status.Detail);
        Assert.Equal(0, _factory.WithDb(db => db.Orders.Where(o => o.PlanId == Guid.Parse(trial.Id)).Sum(o => o.AmountMinor)));

        // Not renewable; told a week before it ends.
        var trialLicense = licenses[0].License;
        await RpcAssert.Fails(StatusCode.FailedPrecondition,
            () => client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = trialLicense.Id, Terms = 1, IdempotencyKey = "renew-trial-1" }));
        _clock.Advance(TimeSpan.FromDays(8));
        var watcher = _factory.Services.GetRequiredService<ExpiryWatcher>();
        await watcher.ScanAsync(CancellationToken.None);
        await watcher.ScanAsync(CancellationToken.None);
        var ending = await _factory.Events(p.Reseller.OwnerKey).ListEventsAsync(new ListEventsRequest { EventTypes = { "license.trial_ending" } });
        Assert.Equal(2, ending.Events.Count);
        Assert.Empty((await _factory.Events(p.Reseller.OwnerKey).ListEventsAsync(new ListEventsRequest { EventTypes = { "license.expiring" } })).Events);

        // Converted after it ended: the paid plan's price, a first term from today.
        _clock.Advance(TimeSpan.FromDays(10));
        var converted = await client.ChangePlanAsync(new ChangePlanRequest { LicenseIds = { trialLicense.Id }, TargetPlanId = paid.Id, IdempotencyKey = "convert-7001" });
        Assert.Equal((OrderKind.Upgrade, 20000L), (converted.Order.Kind, converted.Order.Amount.AmountMinor));
        Assert.Equal(_clock.GetUtcNow().AddDays(365), converted.Licenses[0].ExpiresAt.ToDateTimeOffset());
        Assert.Equal((LicenseState.Active, false), (converted.Licenses[0].State, converted.Licenses[0].Trial));
        Assert.Empty(converted.Licenses[0].Features);

        // A paid license never moves to a trial.
        await RpcAssert.InvalidField("target_plan_id",
            () => client.ChangePlanAsync(new ChangePlanRequest { LicenseIds = { trialLicense.Id }, TargetPlanId = trial.Id, IdempotencyKey = "convert-7002" }));
    }

    [Fact]
    public async Task Perpetual_NeverExpires_TokenCarriesMaintenance_AndARenewalBuysMoreMaintenance()
    {
        var p = await PanelAsync();
        var request = PlanRequest(p.Product, "lifetime", 365, 49900, renewalMinor: 9900);
        request.Perpetual = true;
        request.AddOns.Add(new AddOnOffer { FeatureCode = "dns", Price = new Money { AmountMinor = 2000, Currency = "EUR" } });
        var perpetual = await Vendor.CreatePlanAsync(request);
        var yearly = await Vendor.CreatePlanAsync(PlanRequest(p.Product, "yearly", 365, 9900));
        var license = (await AssignAsync(p.Reseller, perpetual, 1))[0];
        var start = _clock.GetUtcNow();
        Assert.True(license.License.Perpetual);
        Assert.Null(license.License.ExpiresAt);
        Assert.Equal(start.AddDays(365), license.License.MaintenanceUntil.ToDateTimeOffset());

        var activation = await ActivateAsync(license.LicenseKey);
        var claims = Claims(activation.Token);
        Assert.False(claims.TryGetProperty("lex", out _));
        Assert.Equal(start.AddDays(365).ToUnixTimeSeconds(), claims.GetProperty("mnt").GetInt64());

        // Years later, past maintenance, it still validates: the product decides by its release date.
        _clock.Advance(TimeSpan.FromDays(800));
        var checkIn = await CheckInAsync(activation);
        Assert.Equal(ValidationCode.Valid, checkIn.Code);

        var client = _factory.Reseller(p.Reseller.OwnerKey);
        // An add-on on a perpetual license is kept for ever too, so it costs its whole price: never a share of the
        // maintenance left (none here), which would sell it for ever for next to nothing.
        var addOn = await client.BuyAddOnAsync(new BuyAddOnRequest { LicenseIds = { license.License.Id }, FeatureCode = "dns", IdempotencyKey = "perpetual-addon-1" });
        Assert.Equal(2000, addOn.Order.Amount.AmountMinor);
        Assert.Equal(["dns"], addOn.Licenses[0].Features);

        // Maintenance renewed: the plan's renewal price and the add-on's.
        var renewed = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.License.Id, Terms = 1, IdempotencyKey = "maintenance-1" });
        Assert.Equal(9900 + 2000, renewed.Order.Amount.AmountMinor);
        Assert.Equal(_clock.GetUtcNow().AddDays(365), renewed.Licenses[0].MaintenanceUntil.ToDateTimeOffset());
        Assert.Null(renewed.Licenses[0].ExpiresAt);
        Assert.Equal(_clock.GetUtcNow().AddDays(365).ToUnixTimeSeconds(), Claims((await CheckInAsync(activation)).Token).GetProperty("mnt").GetInt64());

        await RpcAssert.InvalidField("target_plan_id",
            () => client.ChangePlanAsync(new ChangePlanRequest { LicenseIds = { license.License.Id }, TargetPlanId = yearly.Id, IdempotencyKey = "perp-to-term" }));
    }

    [Fact]
    public async Task ResellerPrices_PriceEveryOrder_EachResellerSeesOnlyItsOwn_AndTheVendorSeesRevenuePerReseller()
    {
        var p = await PanelAsync();
        var other = await new Scenario(_factory).AddResellerAsync("Other Hosting Ltd");
        var request = PlanRequest(p.Product, "pro", 365, 1999, renewalMinor: 1799);
        request.AddOns.Add(new AddOnOffer { FeatureCode = "dns", Price = new Money { AmountMinor = 365, Currency = "EUR" } });
        var pro = await Vendor.CreatePlanAsync(request);
        var basic = await Vendor.CreatePlanAsync(PlanRequest(p.Product, "basic", 365, 1000));

        await RpcAssert.InvalidField("discount_percent",
            () => Vendor.SetResellerPriceAsync(new SetResellerPriceRequest { ResellerId = p.Reseller.ResellerId, DiscountPercent = "12.345" }));
        await RpcAssert.InvalidField("price",
            () => Vendor.SetResellerPriceAsync(new SetResellerPriceRequest { ResellerId = p.Reseller.ResellerId }));
        // 12.5 % off everything; basic at an explicit 7.00 EUR.
        await Vendor.SetResellerPriceAsync(new SetResellerPriceRequest { ResellerId = p.Reseller.ResellerId, DiscountPercent = "12.5" });
        await Vendor.SetResellerPriceAsync(new SetResellerPriceRequest
        {
            ResellerId = p.Reseller.ResellerId, PlanId = basic.Id, Price = new Money { AmountMinor = 700, Currency = "EUR" },
        });
        var lines = (await Vendor.ListResellerPricesAsync(new ListResellerPricesRequest { ResellerId = p.Reseller.ResellerId })).Prices;
        Assert.Equal([("", "12.5"), ("basic", "")], lines.Select(l => (l.PlanCode, l.DiscountPercent)));

        // The reseller sees its prices: 19.99 less 12.5 % is 17.49125, rounded to 17.49; renewal 15.74125 → 15.74; add-on 3.19375 → 3.19.
        var own = (await _factory.Reseller(p.Reseller.OwnerKey).ListPlansAsync(new ResellerListPlansRequest())).Plans.Single(x => x.Id == pro.Id);
        Assert.Equal((1749L, 1574L, 319L), (own.Price.AmountMinor, own.RenewalPrice.AmountMinor, own.AddOns[0].Price.AmountMinor));
        var theirs = (await _factory.Reseller(other.OwnerKey).ListPlansAsync(new ResellerListPlansRequest())).Plans.Single(x => x.Id == pro.Id);
        Assert.Equal((1999L, 1799L), (theirs.Price.AmountMinor, theirs.RenewalPrice.AmountMinor));

        var client = _factory.Reseller(p.Reseller.OwnerKey);
        var order = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = pro.Id, Quantity = 3, IdempotencyKey = "price-0001" });
        Assert.Equal(1749 * 3, order.Order.Amount.AmountMinor);
        var basicOrder = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = basic.Id, Quantity = 2, IdempotencyKey = "price-0002" });
        Assert.Equal(700 * 2, basicOrder.Order.Amount.AmountMinor);
        var license = (await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = order.Pool.Id, Count = 1 })).Licenses[0].License;
        var renewal = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 2, IdempotencyKey = "price-0003" });
        Assert.Equal(1574 * 2, renewal.Order.Amount.AmountMinor);
        var otherOrder = await _factory.Reseller(other.OwnerKey).CreateOrderAsync(new CreateOrderRequest { PlanId = pro.Id, Quantity = 1, IdempotencyKey = "price-0004" });
        Assert.Equal(1999, otherOrder.Order.Amount.AmountMinor);

        var revenue = (await Vendor.GetRevenueAsync(new GetRevenueRequest())).Lines;
        Assert.Equal([(p.Reseller.ResellerId, 1749L * 3 + 1400 + 1574 * 2, 3), (other.ResellerId, 1999L, 1)],
            revenue.Select(l => (l.ResellerId, l.Amount.AmountMinor, l.Orders)));

        // Removed: at list price again.
        await Vendor.RemoveResellerPriceAsync(new RemoveResellerPriceRequest { ResellerId = p.Reseller.ResellerId });
        var listed = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = pro.Id, Quantity = 1, IdempotencyKey = "price-0005" });
        Assert.Equal(1999, listed.Order.Amount.AmountMinor);
        await RpcAssert.Fails(StatusCode.PermissionDenied,
            () => _factory.Vendor(p.Reseller.OwnerKey).ListResellerPricesAsync(new ListResellerPricesRequest { ResellerId = p.Reseller.ResellerId }));
    }

    [Fact]
    public async Task UpdatePlan_NewPricesApplyToOrdersFromNow_ARetiredPlanIsNotSoldButItsLicensesRenew()
    {
        var p = await PanelAsync();
        var plan = await Vendor.CreatePlanAsync(PlanRequest(p.Product, "pro", 365, 1000, renewalMinor: 800));
        var other = await Vendor.CreatePlanAsync(PlanRequest(p.Product, "basic", 365, 500));
        var license = (await AssignAsync(p.Reseller, plan, 1))[0].License;
        var client = _factory.Reseller(p.Reseller.OwnerKey);

        await RpcAssert.InvalidField("plan_id", () => Vendor.UpdatePlanAsync(new UpdatePlanRequest { PlanId = plan.Id }));
        await RpcAssert.InvalidField("price.currency", () => Vendor.UpdatePlanAsync(new UpdatePlanRequest
        {
            PlanId = plan.Id, Price = new Money { AmountMinor = 1200, Currency = "USD" },
        }));
        var updated = await Vendor.UpdatePlanAsync(new UpdatePlanRequest
        {
            PlanId = plan.Id, Price = new Money { AmountMinor = 1200, Currency = "EUR" }, RenewalPrice = new Money { AmountMinor = 900, Currency = "EUR" },
        });
        Assert.Equal((1200L, 900L, false), (updated.Price.AmountMinor, updated.RenewalPrice.AmountMinor, updated.Retired));
        var order = await client.CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = 1, IdempotencyKey = "update-0001" });
        Assert.Equal(1200, order.Order.Amount.AmountMinor);

        var retired = await Vendor.UpdatePlanAsync(new UpdatePlanRequest { PlanId = plan.Id, Retired = true });
        Assert.True(retired.Retired);
        var refused = await RpcAssert.Fails(StatusCode.FailedPrecondition,
            () => client.CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = 1, IdempotencyKey = "update-0002" }));
        Assert.Contains("retired", refused.Status.Detail);
        var basicLicense = (await AssignAsync(p.Reseller, other, 1))[0].License;
        await RpcAssert.InvalidField("target_plan_id", () => client.ChangePlanAsync(new ChangePlanRequest
        {
            LicenseIds = { basicLicense.Id }, TargetPlanId = plan.Id, IdempotencyKey = "update-0003",
        }));
        // Its licenses keep renewing, at the renewal price of now.
        var renewed = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = "update-0004" });
        Assert.Equal(900, renewed.Order.Amount.AmountMinor);

        var again = await Vendor.UpdatePlanAsync(new UpdatePlanRequest { PlanId = plan.Id, Retired = false });
        Assert.False(again.Retired);
        await client.CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = 1, IdempotencyKey = "update-0005" });
    }

    [Fact]
    public async Task AddOnAndPriceRoutes_OverRest_AnswerWithJsonFieldNames()
    {
        var p = await PanelAsync();
        var request = PlanRequest(p.Product, "pro", 365, 36500);
        request.AddOns.Add(new AddOnOffer { FeatureCode = "dns", Price = new Money { AmountMinor = 3650, Currency = "EUR" } });
        var plan = await Vendor.CreatePlanAsync(request);
        var license = (await AssignAsync(p.Reseller, plan, 1))[0].License;
        using var http = _factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", p.Reseller.OwnerKey);

        var missing = await http.PostAsJsonAsync("/v1/licenses:buyAddOn", new { licenseIds = new[] { license.Id }, featureCode = "dns" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("idempotencyKey", await missing.Content.ReadAsStringAsync());
        var bought = await http.PostAsJsonAsync("/v1/licenses:buyAddOn", new { licenseIds = new[] { license.Id }, featureCode = "dns", idempotencyKey = "rest-addon-1" });
        Assert.Equal(HttpStatusCode.OK, bought.StatusCode);
        var body = JsonDocument.Parse(await bought.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ORDER_KIND_ADD_ON", body.GetProperty("order").GetProperty("kind").GetString());
        Assert.Equal("dns", body.GetProperty("licenses")[0].GetProperty("features")[0].GetString());
    }
}
