using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

[Collection(PortalCollection.Name)]
public sealed class VendorPortalTests(PortalFixture fixture)
{
    [Fact]
    public async Task VendorAdmin_AddsResellerAndItsOwner_OwnerGetsOneTimePassword()
    {
        var admin = await fixture.NewStaffAsync(ApiKeyRole.VendorAdmin);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, admin);
        // A vendor admin starts on the overview; the resellers are one link away.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Resellers", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Resellers" })).ToBeVisibleAsync();

        await page.GetByLabel("Company name").FillAsync("Nordic Servers AS");
        await page.GetByLabel("Country").FillAsync("NO");
        await page.GetByLabel("Billing contact name").FillAsync("Accounts");
        await page.GetByLabel("Billing contact e-mail").FillAsync("not-an-email");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add reseller" }).ClickAsync();
        await Assertions.Expect(page.Locator("#billing_contact_email-error")).ToBeVisibleAsync();
        await PortalFixture.ScreenshotAsync(page, "vendor-resellers-error");

        await page.GetByLabel("Billing contact e-mail").FillAsync("accounts@nordic-servers.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add reseller" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nordic Servers AS" })).ToBeVisibleAsync();

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Olga Owner");
        await page.GetByLabel("E-mail address (sign-in name)").FillAsync("olga@nordic-servers.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        var password = (await page.Locator("#initial-password").TextContentAsync())!.Trim();
        Assert.Equal(20, password.Length);
        await PortalFixture.ScreenshotAsync(page, "vendor-reseller-detail");

        foreach (var (path, name) in new[] { ("/vendor", "vendor-resellers"), ("/vendor/catalog", "vendor-catalog"), ("/vendor/orders", "vendor-orders"), ("/vendor/signing-keys", "vendor-signing-keys") })
        {
            await page.GotoAsync(path);
            await PortalFixture.ScreenshotAsync(page, name);
        }
        await page.GetByRole(AriaRole.Link, new() { Name = "Rotate…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, rotate now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Rotated");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);
        // Both keys, the new one too, are certified by the root in the trust anchor.
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "not certified" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "for tokens issued until" })).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("li", new() { HasText = "active" }).First).ToContainTextAsync("root-");
    }

    [Fact]
    public async Task VendorAdmin_AddsYenPlanAt1500_StoredAs1500YenAndSoldAtThatPrice()
    {
        var admin = await fixture.NewStaffAsync(ApiKeyRole.VendorAdmin);
        await using var vendorContext = await fixture.NewContextAsync();
        var page = await vendorContext.NewPageAsync();
        await PortalFixture.SignInAsync(page, admin);
        await page.GotoAsync("/vendor/catalog");
        // Plans are listed by code: "yen-…" after the fixture's "pro-yearly", which other tests expect preselected.
        await page.GetByLabel("Plan code").FillAsync("yen-yearly");
        await page.GetByLabel("Edition").FillAsync("Pro");
        await page.GetByLabel("Currency").FillAsync("JPY");

        // The yen has no decimals: half a yen is refused, next to the field.
        await page.GetByLabel("Price per license").FillAsync("1500.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add plan" }).ClickAsync();
        await Assertions.Expect(page.Locator("[id='price.amount_minor-error']")).ToContainTextAsync("no decimal places in JPY");
        await Assertions.Expect(page.GetByLabel("Price per license")).ToHaveAttributeAsync("aria-invalid", "true");

        await page.GetByLabel("Price per license").FillAsync("1500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add plan" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The plan was added");
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "yen-yearly" })).ToContainTextAsync("1,500 JPY");
        var plan = (await fixture.Vendor.ListPlansAsync(new ListPlansRequest())).Plans.Single(p => p.Code == "yen-yearly");
        Assert.Equal(1500, plan.Price.AmountMinor);
        Assert.Equal("JPY", plan.Price.Currency);

        // A reseller sees it at 1,500 yen and pays three times that for three.
        var owner = await fixture.NewResellerOwnerAsync("Tokyo Hosting KK");
        await using var resellerContext = await fixture.NewContextAsync();
        var reseller = await resellerContext.NewPageAsync();
        await PortalFixture.SignInAsync(reseller, owner);
        await reseller.GotoAsync("/reseller/buy");
        await reseller.GetByLabel("Plan", new() { Exact = true }).SelectOptionAsync(plan.Id);
        await Assertions.Expect(reseller.Locator("#plan_id option:checked")).ToContainTextAsync("1,500 JPY each");
        await reseller.GetByLabel("Number of licenses").FillAsync("3");
        await Assertions.Expect(reseller.Locator("#order-total")).ToHaveTextAsync("4,500 JPY");
        await reseller.GetByRole(AriaRole.Button, new() { Name = "Place order" }).ClickAsync();
        await Assertions.Expect(reseller.GetByRole(AriaRole.Status)).ToContainTextAsync("Bought 3 license(s)");
        await reseller.GotoAsync("/reseller/orders");
        await Assertions.Expect(reseller.Locator("tbody tr").First).ToContainTextAsync("4,500 JPY");
        var order = Assert.Single((await fixture.Vendor.ListOrdersAsync(new VendorListOrdersRequest { ResellerId = owner.ResellerId })).Orders);
        Assert.Equal(4500, order.Amount.AmountMinor);
        Assert.Equal("JPY", order.Amount.Currency);
        await page.GotoAsync("/vendor/orders");
        await Assertions.Expect(page.GetByTestId("order-purchase").Filter(new() { HasText = "Tokyo Hosting KK" })).ToContainTextAsync("4,500 JPY");
        // And in the revenue per reseller, in its currency.
        await Assertions.Expect(page.GetByTestId("revenue").Locator("tr", new() { HasText = "Tokyo Hosting KK" })).ToContainTextAsync("4,500 JPY");
    }

    [Fact]
    public async Task Auditor_SeesInventoryScanRetentionAndAnIntactChain_ButNoResellers()
    {
        var auditor = await fixture.NewStaffAsync(ApiKeyRole.VendorAuditor);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, auditor);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Usage statistics" })).ToBeVisibleAsync();
        await PortalFixture.ScreenshotAsync(page, "audit-statistics");

        await page.GotoAsync("/audit/inventory");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Data inventory" })).ToBeVisibleAsync();
        await PortalFixture.ScreenshotAsync(page, "audit-inventory");
        await page.GotoAsync("/audit/pii-scan");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan now" }).ClickAsync();
        await Assertions.Expect(page.GetByText("values scanned")).ToBeVisibleAsync();
        await PortalFixture.ScreenshotAsync(page, "audit-pii-scan");
        await page.GotoAsync("/audit/retention");
        await PortalFixture.ScreenshotAsync(page, "audit-retention");
        await page.GotoAsync("/audit/trail");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the chain" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("chain-result")).ToContainTextAsync("intact");
        // Actors by name and role, not by raw id.
        await Assertions.Expect(page.GetByTestId("audit-actor").First).Not.ToContainTextAsync("apikey:");
        await PortalFixture.ScreenshotAsync(page, "audit-trail");

        // Resellers' personal data is not for auditors.
        var response = await page.GotoAsync("/vendor");
        Assert.Equal(403, response!.Status);
    }
}
