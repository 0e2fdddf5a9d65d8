using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

/// <summary>
/// A reseller's month on a 390 × 844 phone (mobile viewport, touch): buy, assign, renew, change plan, export for
/// reconciliation and resolve a copied installation. Every screen on the way fits the phone and keeps sign-out in reach.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PhonePortalTests(PortalFixture fixture)
{
    [Fact]
    public async Task Reseller_DoesAMonthsWorkOnAPhone_EveryScreenFitsAndKeepsSignOutInReach()
    {
        var dearer = await fixture.Vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = fixture.Plan.ProductId, Code = "ultimate-pocket", Edition = "Ultimate", TermDays = 365, MaxMachines = 5, OfflineGraceDays = 7,
            Price = new Money { AmountMinor = 9800, Currency = "EUR" }, TransferBudget = 3,
        });
        var owner = await fixture.NewResellerOwnerAsync("Pocket Hosting OÜ");
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Server.WebUrl,
            ViewportSize = Screens.Size(Screens.Phone),
            IsMobile = true,
            HasTouch = true,
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await FitsThePhoneAsync(page);

        // Buy three.
        await page.GetByRole(AriaRole.Link, new() { Name = "Buy licenses" }).First.TapAsync();
        await page.GetByLabel("Plan").SelectOptionAsync(fixture.Plan.Id);
        await page.GetByLabel("Number of licenses").FillAsync("3");
        await Assertions.Expect(page.Locator("#order-total")).ToContainTextAsync("147.00 EUR");
        await FitsThePhoneAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Place order" }).TapAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Bought 3 license(s)");
        await FitsThePhoneAsync(page);

        // Assign two to customers; the keys table scrolls inside its panel, not the page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Assign licenses" }).First.TapAsync();
        await page.GetByLabel("Your references").FillAsync("pocket-001\npocket-002");
        await FitsThePhoneAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign licenses" }).TapAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New license keys" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);
        await FitsThePhoneAsync(page);
        var firstKey = await page.Locator("#key-0").InnerTextAsync();
        // Each key's Copy button stays in view beside its key, though the table scrolls sideways.
        var copy = page.GetByRole(AriaRole.Button, new() { Name = "Copy the key of pocket-001" });
        await Assertions.Expect(copy).ToBeVisibleAsync();
        await PageSweepTests.AssertInsideTheScreenAsync(page, copy, Screens.Phone);
        var links = page.GetByRole(AriaRole.Link, new() { Name = "details" });
        var renewedUrl = await links.Nth(0).GetAttributeAsync("href");
        var upgradedUrl = await links.Nth(1).GetAttributeAsync("href");
        Assert.NotNull(renewedUrl);
        Assert.NotNull(upgradedUrl);
        await PortalFixture.ScreenshotAsync(page, "phone-new-keys");

        // Renew the first for a term: the price first, then the charge.
        await page.GotoAsync(renewedUrl);
        await FitsThePhoneAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Renew…" }).TapAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the price" }).TapAsync();
        await Assertions.Expect(page.GetByTestId("quote-amount")).ToHaveTextAsync("49.00 EUR");
        await FitsThePhoneAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, renew for 49.00 EUR" }).TapAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Renewed for 1 term(s): 49.00 EUR charged");

        // Upgrade the second: a whole year left, so the difference, 49.00 EUR.
        await page.GotoAsync(upgradedUrl);
        await page.GetByRole(AriaRole.Link, new() { Name = "Change plan…" }).TapAsync();
        await page.GetByLabel("New plan").SelectOptionAsync(dearer.Id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the price" }).TapAsync();
        await Assertions.Expect(page.GetByTestId("quote-amount")).ToHaveTextAsync("49.00 EUR");
        await FitsThePhoneAsync(page);
        await PortalFixture.ScreenshotAsync(page, "phone-upgrade-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, upgrade for 49.00 EUR" }).TapAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("49.00 EUR charged");

        // Reconcile: the orders export has the purchase, the renewal and the upgrade; the licenses export has both licenses
        // with their references and current plans.
        await page.GotoAsync("/reseller/orders");
        await FitsThePhoneAsync(page);
        var orders = await DownloadLinesAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }));
        Assert.Contains(orders, l => l.Contains(",purchase,") && l.Contains(",147.00,EUR,"));
        Assert.Contains(orders, l => l.Contains(",renewal,") && l.Contains(",49.00,EUR,"));
        Assert.Contains(orders, l => l.Contains(",upgrade,") && l.Contains(",49.00,EUR,"));
        await page.GotoAsync("/reseller/licenses");
        await FitsThePhoneAsync(page);
        var licenses = await DownloadLinesAsync(page, page.GetByTestId("licenses-csv"));
        Assert.Equal(3, licenses.Count);
        Assert.Contains(licenses, l => l.Contains(",pocket-001,") && l.Contains($",{fixture.Plan.Code},"));
        Assert.Contains(licenses, l => l.Contains(",pocket-002,") && l.Contains(",ultimate-pocket,"));

        // One customer's server state is copied to a second machine: the two check in alternately and are noticed.
        var activation = await fixture.Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = firstKey, Fingerprint = new string('e', 64), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });
        CheckInRequest CheckIn(string ticket) => new()
        {
            InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = new string('e', 64),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0", CheckInTicket = ticket,
        };
        var genuine = await fixture.Agent.CheckInAsync(CheckIn(activation.CheckInTicket));
        await fixture.Agent.CheckInAsync(CheckIn(activation.CheckInTicket));
        Assert.Equal(ValidationCode.CloneSuspected, (await fixture.Agent.CheckInAsync(CheckIn(genuine.CheckInTicket))).Code);

        // Found from the list by the customer's reference, and resolved by re-activating the genuine server.
        await page.GetByLabel("Reference or license key").FillAsync("pocket-001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).TapAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Link, new() { Name = "Open" }).First.TapAsync();
        await Assertions.Expect(page.GetByTestId("clone-alert")).ToContainTextAsync("more than one machine");
        await FitsThePhoneAsync(page);
        await PortalFixture.ScreenshotAsync(page, "phone-clone-suspected");
        await page.GetByRole(AriaRole.Link, new() { Name = "Re-activate…" }).TapAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Re-activate this server?" })).ToBeVisibleAsync();
        await FitsThePhoneAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, re-activate it" }).TapAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("re-activated");
        await Assertions.Expect(page.GetByTestId("clone-suspected")).ToHaveCountAsync(0);
        var again = await fixture.Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = firstKey, Fingerprint = new string('e', 64), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });
        Assert.Equal(ValidationCode.Valid, again.Code);

        // The dashboard adds the month up: two active, one still in the pool.
        await page.GotoAsync("/reseller");
        await Assertions.Expect(page.GetByTestId("count-active")).ToHaveTextAsync("2");
        await Assertions.Expect(page.GetByTestId("count-available")).ToHaveTextAsync("1");
        await FitsThePhoneAsync(page);
        await PortalFixture.ScreenshotAsync(page, "phone-dashboard");
    }

    private static async Task FitsThePhoneAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.Load);
        // The navigation bar keeps its own height on a short page; the page's spare height is the page's.
        var bar = await page.Locator("nav.sidebar").BoundingBoxAsync();
        Assert.True(bar is not null && bar.Height < 150, $"{page.Url}: the navigation bar is {bar?.Height} px tall");
        await PageSweepTests.AssertFitsAsync(page, Screens.Phone);
        var signOut = page.GetByRole(AriaRole.Button, new() { Name = "Sign out" });
        await Assertions.Expect(signOut).ToBeVisibleAsync();
        await PageSweepTests.AssertInsideTheScreenAsync(page, signOut, Screens.Phone);
    }

    private static async Task<List<string>> DownloadLinesAsync(IPage page, ILocator link)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => link.TapAsync());
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".csv");
        await download.SaveAsAsync(path);
        try
        {
            return (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).ToList();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
