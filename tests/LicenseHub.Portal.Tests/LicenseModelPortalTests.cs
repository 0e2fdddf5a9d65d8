using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

/// <summary>
/// The license models in a real browser: the vendor defines a feature and a plan that includes one and sells another as
/// an add-on, sets a reseller's discount and trial quota; the reseller sees its own price and buys the add-on from the
/// license page after the server's quote.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class LicenseModelPortalTests(PortalFixture fixture)
{
    [Fact]
    public async Task VendorDefinesFeaturesAndPrices_ResellerBuysAnAddOnAtItsOwnPrice()
    {
        var admin = await fixture.NewStaffAsync(ApiKeyRole.VendorAdmin);
        var owner = await fixture.NewResellerOwnerAsync("Feature Hosting BV");
        await using var vendorContext = await fixture.NewContextAsync();
        var page = await vendorContext.NewPageAsync();
        await PortalFixture.SignInAsync(page, admin);

        await page.GotoAsync("/vendor/catalog");
        await page.GetByLabel("Feature code").FillAsync("Not A Code");
        await page.GetByLabel("Feature name").FillAsync("Nightly backups");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feature" }).ClickAsync();
        await Assertions.Expect(page.Locator("#feature_code-error")).ToContainTextAsync("lower-case");
        foreach (var (code, name) in new[] { ("web-backups", "Nightly backups"), ("web-dns", "DNS cluster") })
        {
            await page.GetByLabel("Feature code").FillAsync(code);
            await page.GetByLabel("Feature name").FillAsync(name);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add feature" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The feature was added");
        }

        // Plans are listed by code: "web-…" after the fixture's "pro-yearly", which other tests expect preselected.
        await page.GetByLabel("Plan code").FillAsync("web-features");
        await page.GetByLabel("Edition").FillAsync("Web");
        await page.GetByLabel("Price per license").FillAsync("36.50");
        await page.GetByLabel("Nightly backups").CheckAsync();
        await page.GetByLabel("Add-ons sold per license").FillAsync("web-dns=nonsense");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add plan" }).ClickAsync();
        await Assertions.Expect(page.Locator("#add_ons-error")).ToContainTextAsync("code=price");
        await page.GetByLabel("Add-ons sold per license").FillAsync("web-dns=3.65");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add plan" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The plan was added");
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "web-features" }).GetByTestId("plan-features"))
            .ToHaveTextAsync("web-backups, web-dns +3.65 EUR");
        var plan = (await fixture.Vendor.ListPlansAsync(new ListPlansRequest())).Plans.Single(p => p.Code == "web-features");
        Assert.Equal(["web-backups"], plan.Features);

        // 10 % off every plan for this reseller; 3 trials a month.
        await page.GotoAsync($"/vendor/resellers/{owner.ResellerId}");
        await page.GetByLabel("or discount (%)").FillAsync("150");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set price" }).ClickAsync();
        await Assertions.Expect(page.Locator("#discount_percent-error")).ToContainTextAsync("at most 100");
        await page.GetByLabel("or discount (%)").FillAsync("10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set price" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("price-list")).ToContainTextAsync("10 % off list prices");
        await page.GetByLabel("Trials per month").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set trial quota" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("trial-quota")).ToHaveTextAsync("3");
        await PortalFixture.ScreenshotAsync(page, "vendor-reseller-prices");

        // The reseller's license of that plan: buys the add-on at its price, 3.65 less 10 % = 3.29 (3.285 rounded half away from zero) per term.
        var apiKey = (await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = owner.ResellerId, Name = "billing", Role = ApiKeyRole.Manager,
        })).ApiKey;
        var reseller = fixture.Reseller(apiKey);
        var order = await reseller.CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = 1, IdempotencyKey = "web-features-order-1" });
        Assert.Equal(3285, order.Order.Amount.AmountMinor);
        var license = (await reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = order.Pool.Id, Count = 1 })).Licenses[0].License;

        await using var resellerContext = await fixture.NewContextAsync();
        var resellerPage = await resellerContext.NewPageAsync();
        await PortalFixture.SignInAsync(resellerPage, owner);
        await resellerPage.GotoAsync($"/reseller/licenses/{license.Id}");
        await Assertions.Expect(resellerPage.GetByTestId("features")).ToHaveTextAsync("web-backups");
        await resellerPage.GetByRole(AriaRole.Link, new() { Name = "Buy an add-on…" }).ClickAsync();
        await Assertions.Expect(resellerPage.GetByLabel("Add-on", new() { Exact = true })).ToContainTextAsync("3.29 EUR per term");
        await resellerPage.GetByRole(AriaRole.Button, new() { Name = "Show the price" }).ClickAsync();
        // A whole term left: the whole add-on price.
        await Assertions.Expect(resellerPage.GetByTestId("quote-amount")).ToHaveTextAsync("3.29 EUR");
        await resellerPage.GetByRole(AriaRole.Button, new() { Name = "Yes, buy it for 3.29 EUR" }).ClickAsync();
        await Assertions.Expect(resellerPage.GetByRole(AriaRole.Status)).ToContainTextAsync("Bought web-dns: 3.29 EUR charged");
        await Assertions.Expect(resellerPage.GetByTestId("features")).ToHaveTextAsync("web-backups, web-dns");
        await Assertions.Expect(resellerPage.GetByTestId("add-on")).ToContainTextAsync("renewed with the license");
        await Assertions.Expect(resellerPage.GetByTestId("renewal-price")).ToHaveTextAsync("32.85 EUR per term of 365 days + 3.29 EUR for add-ons");
        await PortalFixture.ScreenshotAsync(resellerPage, "reseller-license-add-on");

        await resellerPage.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Assertions.Expect(resellerPage.GetByTestId("add-on")).ToContainTextAsync("ends at the next renewal");
        await Assertions.Expect(resellerPage.GetByTestId("renewal-price")).ToHaveTextAsync("32.85 EUR per term of 365 days");
        // Its history, newest first: removed, bought, assigned.
        var history = resellerPage.GetByTestId("timeline").Locator("li");
        await Assertions.Expect(history).ToHaveCountAsync(3);
        await Assertions.Expect(history.Nth(0)).ToContainTextAsync("Add-on removed (add-on web-dns ends at the next renewal)");
        await Assertions.Expect(history.Nth(1)).ToContainTextAsync("Add-on bought (add-on web-dns)");
        await Assertions.Expect(history.Nth(2)).ToContainTextAsync("Assigned");

        // The licenses of that plan as CSV, for reconciliation: the key's prefix only, and the features.
        await resellerPage.GotoAsync($"/reseller/licenses?plan={plan.Id}");
        var download = await resellerPage.RunAndWaitForDownloadAsync(() => resellerPage.GetByTestId("licenses-csv").ClickAsync());
        var csvPath = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".csv");
        await download.SaveAsAsync(csvPath);
        var lines = (await File.ReadAllLinesAsync(csvPath)).Where(l => l.Length > 0).ToList();
        File.Delete(csvPath);
        Assert.Equal("license_id,key_prefix,plan,state,reseller_reference,created_at,expires_at,maintenance_until,features,servers,max_servers", lines[0]);
        var row = Assert.Single(lines.Skip(1));
        Assert.StartsWith($"{license.Id},{license.KeyPrefix},web-features,active,,", row);
        Assert.EndsWith(",web-backups web-dns,0,1", row);
        var orders = (await reseller.ListOrdersAsync(new ListOrdersRequest())).Orders;
        Assert.Equal((OrderKind.AddOn, 329L, "web-dns"), (orders[0].Kind, orders[0].Amount.AmountMinor, orders[0].FeatureCode));

        // A 5-day trial (within the quota of 3) is on the start page to be converted.
        var trial = await fixture.Vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = plan.ProductId, Code = "web-trial", Edition = "Web", TermDays = 5, MaxMachines = 1, Trial = true,
            Price = new Money { AmountMinor = 0, Currency = "EUR" },
        });
        var trialPool = (await reseller.CreateOrderAsync(new CreateOrderRequest { PlanId = trial.Id, Quantity = 1, IdempotencyKey = "web-trial-order-1" })).Pool;
        await reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = trialPool.Id, Count = 1 });
        await resellerPage.GotoAsync("/reseller");
        await Assertions.Expect(resellerPage.GetByTestId("trials-ending")).ToContainTextAsync("web-trial");

        // The vendor sees what this reseller paid: 32.85 + 3.29 EUR.
        await page.GotoAsync("/vendor/orders");
        await Assertions.Expect(page.GetByTestId("revenue").Locator("tr", new() { HasText = "Feature Hosting BV" })).ToContainTextAsync("36.14 EUR");

        // The vendor retires the trial: no longer offered to buy; the license taken keeps running.
        await page.GotoAsync("/vendor/catalog");
        await page.GetByRole(AriaRole.Button, new() { Name = "Retire web-trial" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The plan is retired");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sell again web-trial" })).ToBeVisibleAsync();
        await resellerPage.GotoAsync("/reseller/buy");
        var offered = await resellerPage.Locator("select option").AllTextContentsAsync();
        Assert.Contains(offered, o => o.Contains("Web · 365 days", StringComparison.Ordinal));
        Assert.DoesNotContain(offered, o => o.Contains("5-day trial", StringComparison.Ordinal));
    }
}
