using System.Net;
using System.Text.RegularExpressions;
using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

[Collection(PortalCollection.Name)]
public sealed class ResellerPortalTests(PortalFixture fixture)
{
    [Fact]
    public async Task Reseller_BuysAssignsTenDownloadsCsvAndRevokesOne_DashboardFollows()
    {
        var owner = await fixture.NewResellerOwnerAsync("Example Hosting GmbH");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/reseller$"));
        await Assertions.Expect(page.GetByTestId("count-active")).ToHaveTextAsync("0");

        // Buy a pool.
        await page.GetByRole(AriaRole.Link, new() { Name = "Buy licenses" }).First.ClickAsync();
        await page.GetByLabel("Number of licenses").FillAsync("25");
        await Assertions.Expect(page.Locator("#order-total")).ToContainTextAsync("1,225.00 EUR");
        await PortalFixture.ScreenshotAsync(page, "reseller-buy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Place order" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Bought 25 license(s)");
        await Assertions.Expect(page.GetByTestId("count-available")).ToHaveTextAsync("25");

        // Assign ten, with references, and download the keys once as CSV.
        await page.GetByRole(AriaRole.Link, new() { Name = "Assign licenses" }).First.ClickAsync();
        await page.GetByLabel("Your references").FillAsync(string.Join("\n", Enumerable.Range(1, 10).Select(i => $"cust-{i:000}")));
        await PortalFixture.ScreenshotAsync(page, "reseller-assign");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign licenses" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New license keys" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(10);
        await PortalFixture.ScreenshotAsync(page, "reseller-new-keys");
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download CSV (once)" }).ClickAsync());
        var csvPath = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".csv");
        await download.SaveAsAsync(csvPath);
        var lines = (await File.ReadAllLinesAsync(csvPath)).Where(l => l.Length > 0).ToList();
        File.Delete(csvPath);
        Assert.Equal("license_id,license_key,reseller_reference,expires_at", lines[0]);
        Assert.Equal(11, lines.Count);
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^[0-9a-f-]{36},[0-9A-Z]{5}(-[0-9A-Z]{5}){5},""cust-\d{3}"",\d{4}-\d\d-\d\dT", l));
        // Once: afterwards the keys are gone from the server.
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByText("These keys are no longer shown")).ToBeVisibleAsync();

        // The list shows the ten; open one and revoke it, with confirmation.
        await page.GotoAsync("/reseller/licenses");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(10);
        await PortalFixture.ScreenshotAsync(page, "reseller-licenses");
        await page.GetByLabel("Reference or license key").FillAsync("cust-007");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Link, new() { Name = "Open" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Revoke…" }).ClickAsync();
        await PortalFixture.ScreenshotAsync(page, "reseller-revoke-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, revoke it" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("license-state")).ToHaveTextAsync("revoked");
        await PortalFixture.ScreenshotAsync(page, "reseller-license-detail");

        // The dashboard follows.
        await page.GotoAsync("/reseller");
        await Assertions.Expect(page.GetByTestId("count-active")).ToHaveTextAsync("9");
        await Assertions.Expect(page.GetByTestId("count-revoked")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("count-available")).ToHaveTextAsync("15");
        await PortalFixture.ScreenshotAsync(page, "reseller-dashboard");
    }

    [Fact]
    public async Task LicenseUrl_OfAnotherReseller_Answers404()
    {
        var first = await fixture.NewResellerOwnerAsync("First Hosting Ltd");
        var second = await fixture.NewResellerOwnerAsync("Second Hosting BV");
        await using var firstContext = await fixture.NewContextAsync();
        var firstPage = await firstContext.NewPageAsync();
        await PortalFixture.SignInAsync(firstPage, first);
        var licenseUrl = await AssignOneAsync(firstPage);

        await using var secondContext = await fixture.NewContextAsync();
        var secondPage = await secondContext.NewPageAsync();
        await PortalFixture.SignInAsync(secondPage, second);
        var response = await secondPage.GotoAsync(licenseUrl);
        Assert.Equal((int)HttpStatusCode.NotFound, response!.Status);
        await Assertions.Expect(secondPage.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();

        // The owner still sees it.
        var own = await firstPage.GotoAsync(licenseUrl);
        Assert.Equal((int)HttpStatusCode.OK, own!.Status);
    }

    [Fact]
    public async Task Form_PostedWithoutAntiforgeryToken_IsRefused()
    {
        var owner = await fixture.NewResellerOwnerAsync("Careful Hosting AB");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync("/reseller/buy");

        // The real form, its token removed: refused, and nothing bought.
        await page.EvaluateAsync("document.querySelectorAll('main form input[name=__RequestVerificationToken]').forEach(e => e.remove())");
        await page.GetByRole(AriaRole.Button, new() { Name = "Place order" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The form could not be accepted" })).ToBeVisibleAsync();

        // A raw POST with the session cookie but no token: 400 as well.
        var raw = await context.APIRequest.PostAsync("/reseller/buy", new APIRequestContextOptions
        {
            Form = context.APIRequest.CreateFormData().Set("plan_id", fixture.Plan.Id).Set("quantity", "5").Set("idempotency_key", "forged-order-1"),
        });
        Assert.Equal((int)HttpStatusCode.BadRequest, raw.Status);

        await page.GotoAsync("/reseller");
        await Assertions.Expect(page.GetByTestId("count-available")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task Viewer_CannotOpenBuyOrAssign_AndAForgedLicenseActionIs403()
    {
        var owner = await fixture.NewResellerOwnerAsync("Watchful Hosting AS");
        await using var ownerContext = await fixture.NewContextAsync();
        var ownerPage = await ownerContext.NewPageAsync();
        await PortalFixture.SignInAsync(ownerPage, owner);
        var licenseUrl = await AssignOneAsync(ownerPage);

        var viewer = await fixture.NewStaffAsync(ApiKeyRole.Viewer, owner.ResellerId);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, viewer);
        Assert.Equal((int)HttpStatusCode.Forbidden, (await page.GotoAsync("/reseller/buy"))!.Status);
        Assert.Equal((int)HttpStatusCode.Forbidden, (await page.GotoAsync("/reseller/assign"))!.Status);

        // The license reads, without actions; a revoke posted anyway (with a valid form token) is refused too.
        Assert.Equal((int)HttpStatusCode.OK, (await page.GotoAsync(licenseUrl))!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Revoke…" })).ToHaveCountAsync(0);
        var token = await page.Locator("form[action='/sign-out'] input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var forged = await context.APIRequest.PostAsync(licenseUrl + "?handler=Revoke", new APIRequestContextOptions
        {
            Form = context.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!),
            MaxRedirects = 0,
        });
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.Status);

        await ownerPage.GotoAsync(licenseUrl);
        await Assertions.Expect(ownerPage.GetByTestId("license-state")).ToHaveTextAsync("active");
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LockTheAccount()
    {
        var owner = await fixture.NewResellerOwnerAsync("Forgetful Hosting SRL");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await page.GotoAsync("/sign-in");
            await page.GetByLabel("E-mail address").FillAsync(owner.Email);
            await page.GetByLabel("Password").FillAsync("wrong-password-" + attempt);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        }
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked");
        await PortalFixture.ScreenshotAsync(page, "sign-in-locked");

        // Now even the right password is refused.
        await page.GetByLabel("E-mail address").FillAsync(owner.Email);
        await page.GetByLabel("Password").FillAsync(owner.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked");
        Assert.EndsWith("/sign-in", page.Url);
    }

    [Fact]
    public async Task Assign_ReferenceThatIsAnEmail_ShowsTheErrorNextToTheField()
    {
        var owner = await fixture.NewResellerOwnerAsync("Precise Hosting Oy");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await BuyAsync(page, 5);
        await page.GotoAsync("/reseller/assign");
        await page.GetByLabel("Your references").FillAsync("cust-1\njane.doe@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign licenses" }).ClickAsync();
        var references = page.GetByLabel("Your references");
        await Assertions.Expect(references).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#references-error")).ToContainTextAsync("Line 2");
        await PortalFixture.ScreenshotAsync(page, "reseller-assign-error");
        await page.GotoAsync("/reseller");
        await Assertions.Expect(page.GetByTestId("count-available")).ToHaveTextAsync("5");
    }

    [Fact]
    public async Task Renew_ShowsTheServersPriceBeforeConfirming_ChargesItOnce_AndTheOrdersCsvHasIt()
    {
        var owner = await fixture.NewResellerOwnerAsync("Renewing Hosting GmbH");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        var licenseUrl = await AssignOneAsync(page);
        await page.GotoAsync(licenseUrl);
        var expires = await page.Locator("dt:has-text('Expires') + dd").InnerTextAsync();

        // The price comes from the server before anything is charged: 2 terms × 49.00 EUR.
        await page.GetByRole(AriaRole.Link, new() { Name = "Renew…" }).ClickAsync();
        await page.GetByLabel("Terms").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the price" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("quote-amount")).ToHaveTextAsync("98.00 EUR");
        await PortalFixture.ScreenshotAsync(page, "reseller-renew-confirm");
        await Assertions.Expect(page.Locator("dt:has-text('Expires') + dd")).ToHaveTextAsync(expires);
        await page.GotoAsync("/reseller/orders");
        await Assertions.Expect(page.GetByTestId("order-renewal")).ToHaveCountAsync(0);

        await page.GotoAsync(licenseUrl + "?confirm=Renew&terms=2");
        var form = page.Locator("form:has(button:has-text('Yes, renew'))");
        var key = await form.Locator("input[name=idempotency_key]").GetAttributeAsync("value");
        var token = await form.Locator("input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, renew for 98.00 EUR" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Renewed for 2 term(s): 98.00 EUR charged");
        await Assertions.Expect(page.Locator("dt:has-text('Expires') + dd")).Not.ToHaveTextAsync(expires);
        var renewedUntil = await page.Locator("dt:has-text('Expires') + dd").InnerTextAsync();

        // The same confirmation sent again (a double click, a resent form) charges nothing more.
        var resent = await context.APIRequest.PostAsync(licenseUrl + "?handler=Renew", new APIRequestContextOptions
        {
            Form = context.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!).Set("idempotency_key", key!).Set("terms", "2"),
        });
        Assert.Equal((int)HttpStatusCode.OK, resent.Status);
        Assert.Contains("nothing was charged twice", await resent.TextAsync());
        await page.GotoAsync(licenseUrl);
        await Assertions.Expect(page.Locator("dt:has-text('Expires') + dd")).ToHaveTextAsync(renewedUntil);
        await page.GotoAsync("/reseller/orders");
        var renewals = page.GetByTestId("order-renewal");
        await Assertions.Expect(renewals).ToHaveCountAsync(1);
        await Assertions.Expect(renewals.First).ToContainTextAsync("98.00 EUR");
        await Assertions.Expect(renewals.First).ToContainTextAsync("2 term(s) of 1 license(s)");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
        var csvPath = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".csv");
        await download.SaveAsAsync(csvPath);
        var lines = (await File.ReadAllLinesAsync(csvPath)).Where(l => l.Length > 0).ToList();
        File.Delete(csvPath);
        Assert.StartsWith("order_id,created_at,kind,plan_id,plan,", lines[0]);
        var renewal = Assert.Single(lines, l => l.Contains(",renewal,"));
        Assert.Contains(",1,2,98.00,EUR,9800,portal-", renewal);
        Assert.EndsWith(licenseUrl.Split('/')[^1], renewal);
        Assert.Single(lines, l => l.Contains(",purchase,"));
    }

    [Fact]
    public async Task ChangePlan_UpgradeShowsItsProratedPriceFirst_ReissueShowsTheNewKeyOnce_ReturnGivesTheSeatBack()
    {
        var dearer = await fixture.Vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = fixture.Plan.ProductId, Code = "ultimate-yearly", Edition = "Ultimate", TermDays = 365, MaxMachines = 5, OfflineGraceDays = 7,
            Price = new Money { AmountMinor = 9800, Currency = "EUR" }, TransferBudget = 3,
        });
        var owner = await fixture.NewResellerOwnerAsync("Upgrading Hosting Kft");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        var licenseUrl = await AssignOneAsync(page);

        // Upgrade: 49.00 → 98.00 EUR a year with a whole year left costs the difference, 49.00 EUR.
        await page.GotoAsync(licenseUrl);
        await page.GetByRole(AriaRole.Link, new() { Name = "Change plan…" }).ClickAsync();
        await page.GetByLabel("New plan").SelectOptionAsync(dearer.Id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the price" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("quote-amount")).ToHaveTextAsync("49.00 EUR");
        await PortalFixture.ScreenshotAsync(page, "reseller-upgrade-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, upgrade for 49.00 EUR" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("49.00 EUR charged");
        await Assertions.Expect(page.Locator("header p, .page-head p").First).ToContainTextAsync("Ultimate");

        // A new key, shown once.
        await page.GetByRole(AriaRole.Link, new() { Name = "New key…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, issue a new key" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("new-license-key")).ToHaveTextAsync(new Regex("^[0-9A-Z]{5}(-[0-9A-Z]{5}){5}$"));
        await page.GotoAsync(licenseUrl);
        await Assertions.Expect(page.GetByTestId("new-license-key")).ToHaveCountAsync(0);

        // A license never activated goes back to its pool; an upgraded one cannot, so a fresh one shows it.
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Return to pool…" })).ToHaveCountAsync(0);
        var second = await AssignOneAsync(page);
        await page.GotoAsync(second);
        await page.GetByRole(AriaRole.Link, new() { Name = "Return to pool…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, return it" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("its seat is back in the pool (1 available)");
        await Assertions.Expect(page.GetByTestId("license-state")).ToHaveTextAsync("revoked");
        await page.GotoAsync("/reseller/orders");
        await Assertions.Expect(page.GetByTestId("order-return")).ToContainTextAsync("0.00 EUR");
        await Assertions.Expect(page.GetByTestId("order-upgrade")).ToContainTextAsync("49.00 EUR");
    }

    [Fact]
    public async Task LicenseDetail_CopiedInstallation_IsMarkedAndTheOwnerReactivatesIt()
    {
        var owner = await fixture.NewResellerOwnerAsync("Cloned Hosting SA");
        var apiKey = (await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = owner.ResellerId, Name = "billing", Role = ApiKeyRole.Manager,
        })).ApiKey;
        var reseller = fixture.Reseller(apiKey);
        var pool = (await reseller.CreateOrderAsync(new CreateOrderRequest { PlanId = fixture.Plan.Id, Quantity = 1, IdempotencyKey = "clone-order-1" })).Pool;
        var assigned = (await reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 1 })).Licenses[0];

        // One activation's state on two machines, checking in alternately: noticed at the second round.
        var activation = await fixture.Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = assigned.LicenseKey, Fingerprint = new string('c', 64), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });
        CheckInRequest CheckIn(string ticket) => new()
        {
            InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = new string('c', 64),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0", CheckInTicket = ticket,
        };
        var a = await fixture.Agent.CheckInAsync(CheckIn(activation.CheckInTicket));
        await fixture.Agent.CheckInAsync(CheckIn(activation.CheckInTicket));
        Assert.Equal(ValidationCode.CloneSuspected, (await fixture.Agent.CheckInAsync(CheckIn(a.CheckInTicket))).Code);

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync($"/reseller/licenses/{assigned.License.Id}");
        await Assertions.Expect(page.GetByTestId("clone-suspected")).ToHaveTextAsync("Clone suspected");
        await Assertions.Expect(page.GetByTestId("clone-alert")).ToContainTextAsync("more than one machine");
        await PortalFixture.ScreenshotAsync(page, "reseller-license-clone-suspected");

        await page.GetByRole(AriaRole.Link, new() { Name = "Re-activate…" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Re-activate this server?" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, re-activate it" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("re-activated");
        await Assertions.Expect(page.GetByTestId("clone-suspected")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("clone-alert")).ToHaveCountAsync(0);
        // The copies' credential is gone; the genuine machine takes the installation over with the key.
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await fixture.Agent.CheckInAsync(CheckIn(a.CheckInTicket)));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
        var again = await fixture.Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = assigned.LicenseKey, Fingerprint = new string('c', 64), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });
        Assert.Equal(ValidationCode.Valid, again.Code);
        Assert.Equal(activation.InstallationId, again.InstallationId);
    }

    [Fact]
    public async Task LicenseDetail_ReleaseAServer_ConfirmsAndFreesTheSeat()
    {
        var owner = await fixture.NewResellerOwnerAsync("Moving Hosting KG");
        var apiKey = (await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = owner.ResellerId, Name = "billing", Role = ApiKeyRole.Manager,
        })).ApiKey;
        var reseller = fixture.Reseller(apiKey);
        var pool = (await reseller.CreateOrderAsync(new CreateOrderRequest { PlanId = fixture.Plan.Id, Quantity = 1, IdempotencyKey = "release-order-1" })).Pool;
        var assigned = (await reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 1 })).Licenses[0];
        await fixture.Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = assigned.LicenseKey, Fingerprint = new string('d', 64), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync($"/reseller/licenses/{assigned.License.Id}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Release…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, release the server" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The server was released");
        await Assertions.Expect(page.GetByText("Not activated on any server yet.")).ToBeVisibleAsync();
        Assert.Equal(1, (await reseller.GetLicenseAsync(new GetLicenseRequest { LicenseId = assigned.License.Id })).License.TransfersUsed);
    }

    private static async Task BuyAsync(IPage page, int quantity)
    {
        await page.GotoAsync("/reseller/buy");
        await page.GetByLabel("Number of licenses").FillAsync(quantity.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Place order" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Bought");
    }

    private static async Task<string> AssignOneAsync(IPage page)
    {
        await BuyAsync(page, 1);
        await page.GotoAsync("/reseller/assign");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign licenses" }).ClickAsync();
        var link = page.GetByRole(AriaRole.Link, new() { Name = "details" }).First;
        return new Uri(await link.GetAttributeAsync("href") ?? throw new InvalidOperationException("no license link"), UriKind.Relative).ToString();
    }
}
