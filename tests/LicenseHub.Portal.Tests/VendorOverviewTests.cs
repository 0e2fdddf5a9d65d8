using System.Globalization;
using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

[Collection(PortalCollection.Name)]
public sealed class VendorOverviewTests(PortalFixture fixture)
{
    private static async Task<int> CountAsync(IPage page, string testId) =>
        int.Parse((await page.GetByTestId(testId).TextContentAsync())!.Trim(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static async Task<int> OrdersThisMonthAsync(IPage page)
    {
        var row = page.GetByTestId("revenue-periods").Locator("tr", new() { HasText = "This month" }).Filter(new() { HasText = "EUR" });
        return await row.CountAsync() == 0 ? 0
            : int.Parse((await row.Locator("td").Nth(1).TextContentAsync())!.Trim(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Overview_FollowsOrdersResellersInstallationsAndExpiries()
    {
        var admin = await fixture.NewStaffAsync(ApiKeyRole.VendorAdmin);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, admin);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        var before = new
        {
            Active = await CountAsync(page, "count-active-resellers"),
            Suspended = await CountAsync(page, "count-suspended-resellers"),
            Installations = await CountAsync(page, "count-installations"),
            Expiring = await CountAsync(page, "count-expiring"),
            Orders = await OrdersThisMonthAsync(page),
        };

        // A short plan, so its licenses expire within 30 days; two resellers, one of them then suspended.
        var products = await fixture.Vendor.ListProductsAsync(new ListProductsRequest());
        var plan = await fixture.Vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = products.Products.Single(p => p.Code == "panel").Id, Code = "zz-overview-1d", Edition = "Pro", TermDays = 1, MaxMachines = 1,
            OfflineGraceDays = 7, Price = new Money { AmountMinor = 1000, Currency = "EUR" }, TransferBudget = 1,
        });
        var active = await fixture.NewResellerOwnerAsync("Overview Hosting AG");
        var suspended = await fixture.NewResellerOwnerAsync("Overview Suspended Ltd");
        await fixture.Vendor.SuspendResellerAsync(new SuspendResellerRequest { ResellerId = suspended.ResellerId, Reason = "test" });
        var key = (await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = active.ResellerId, Name = "overview", Role = ApiKeyRole.Manager })).ApiKey;
        var reseller = fixture.Reseller(key);
        var pool = (await reseller.CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = 3, IdempotencyKey = "overview-1" })).Pool;
        var assigned = (await reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 2 })).Licenses;
        await fixture.Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = assigned[0].LicenseKey, Fingerprint = new string('c', 64), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });

        await page.ReloadAsync();
        Assert.Equal(before.Active + 1, await CountAsync(page, "count-active-resellers"));
        Assert.Equal(before.Suspended + 1, await CountAsync(page, "count-suspended-resellers"));
        Assert.Equal(before.Installations + 1, await CountAsync(page, "count-installations"));
        Assert.Equal(before.Expiring + 2, await CountAsync(page, "count-expiring"));
        Assert.Equal(before.Orders + 1, await OrdersThisMonthAsync(page));
        // The reseller's revenue this month and all time, at 3 × 10.00 EUR; its licenses in the expiring list.
        await Assertions.Expect(page.GetByTestId("revenue-resellers").Locator("tr", new() { HasText = "Overview Hosting AG" }))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"Overview Hosting AG\s*30\.00 EUR\s*30\.00 EUR"));
        await Assertions.Expect(page.GetByTestId("expiring").Locator("tr", new() { HasText = "Overview Hosting AG" })).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("expiring").Locator("tr", new() { HasText = "Overview Hosting AG" }).First).ToContainTextAsync("zz-overview-1d");
        await Assertions.Expect(page.GetByTestId("expiring").Locator("tr", new() { HasText = assigned[1].License.Id[^8..] })).ToHaveCountAsync(1);
        await PortalFixture.ScreenshotAsync(page, "vendor-overview");
    }
}
