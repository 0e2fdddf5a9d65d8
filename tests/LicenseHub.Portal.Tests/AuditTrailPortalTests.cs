using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

[Collection(PortalCollection.Name)]
public sealed class AuditTrailPortalTests(PortalFixture fixture)
{
    [Fact]
    public async Task Trail_FilteredByActionActorAndDays_ShowsNamesAndPagesWithTheFilters()
    {
        var owner = await fixture.NewResellerOwnerAsync("Audit Trail Hosting Ltd");
        var created = await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = owner.ResellerId, Name = "trail-bot", Role = ApiKeyRole.Manager,
        });
        var reseller = fixture.Reseller(created.ApiKey);
        var pool = (await reseller.CreateOrderAsync(new CreateOrderRequest { PlanId = fixture.Plan.Id, Quantity = 1, IdempotencyKey = "trail-order-1" })).Pool;
        var license = (await reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Assignments = { new LicenseAssignment() } })).Licenses[0].License;
        // 101 suspensions: one more than a page holds.
        for (var i = 0; i < 101; i++)
        {
            await reseller.SuspendLicenseAsync(new LicenseActionRequest { LicenseId = license.Id });
            await reseller.ResumeLicenseAsync(new LicenseActionRequest { LicenseId = license.Id });
        }

        var admin = await fixture.NewStaffAsync(ApiKeyRole.VendorAdmin);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, admin);
        await page.GotoAsync("/audit/trail");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await page.GetByLabel("Action").SelectOptionAsync("license.suspend");
        await page.GetByLabel("Actor id").FillAsync("apikey:" + created.Info.Id);
        await page.GetByLabel("From (UTC)").FillAsync(today);
        await page.GetByLabel("To (UTC)").FillAsync(today);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        var rows = page.Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(100);
        // Names, not ids: the key by its name and company, the license by its short id, plan and company.
        await Assertions.Expect(page.GetByTestId("audit-actor").First).ToHaveTextAsync("API key “trail-bot” (reseller manager) at Audit Trail Hosting Ltd");
        await Assertions.Expect(page.GetByTestId("audit-object").First)
            .ToHaveTextAsync($"license …{license.Id[^8..]} (pro-yearly) at Audit Trail Hosting Ltd");
        Assert.All(await page.GetByTestId("audit-action").AllTextContentsAsync(), a => Assert.Equal("license.suspend", a.Trim()));
        await Assertions.Expect(page.GetByLabel("Action")).ToHaveValueAsync("license.suspend");

        // The pager keeps every filter: the next page has the one suspension left, not the rest of the trail.
        await page.GetByTestId("older").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("license.suspend");
        Assert.Contains("actor=apikey", page.Url, StringComparison.Ordinal);
        Assert.Contains("from_date=" + today, page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByLabel("Actor id")).ToHaveValueAsync("apikey:" + created.Info.Id);

        // The reseller's object filter shows it by its company name.
        await page.GotoAsync("/audit/trail?object=" + owner.ResellerId + "&action=reseller.create");
        await Assertions.Expect(page.GetByTestId("audit-object")).ToHaveTextAsync("Audit Trail Hosting Ltd");
    }

    [Fact]
    public async Task Trail_WrongFilters_AreRefusedBesideTheirFields()
    {
        var auditor = await fixture.NewStaffAsync(ApiKeyRole.VendorAuditor);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, auditor);

        await page.GotoAsync("/audit/trail?action=license.steal&actor=bob&from_date=2026-02-30");
        await Assertions.Expect(page.Locator("#action-error")).ToContainTextAsync("not an action of the audit trail");
        await Assertions.Expect(page.Locator("#actor-error")).ToContainTextAsync("staff:<id>, apikey:<id>, agent or system:<task>");
        await Assertions.Expect(page.Locator("#from_date-error")).ToContainTextAsync("yyyy-mm-dd");
        await Assertions.Expect(page.GetByLabel("Actor id")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(0);

        await page.GotoAsync("/audit/trail");
        await page.GetByLabel("From (UTC)").FillAsync("2026-03-10");
        await page.GetByLabel("To (UTC)").FillAsync("2026-03-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.Locator("#to_date-error")).ToContainTextAsync("on or after the from date");
        await Assertions.Expect(page.Locator("#from_date-error")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Trail_StaffActor_NamedForAdmins_OnlyByRoleForAuditors()
    {
        var owner = await fixture.NewResellerOwnerAsync("Named Actor Hosting SA");
        await using var ownerContext = await fixture.NewContextAsync();
        var ownerPage = await ownerContext.NewPageAsync();
        await PortalFixture.SignInAsync(ownerPage, owner);
        await ownerPage.GotoAsync("/reseller/buy");
        await ownerPage.GetByLabel("Number of licenses").FillAsync("2");
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Place order" }).ClickAsync();
        await Assertions.Expect(ownerPage.GetByRole(AriaRole.Status)).ToContainTextAsync("Bought 2 license(s)");

        var admin = await fixture.NewStaffAsync(ApiKeyRole.VendorAdmin);
        await using var adminContext = await fixture.NewContextAsync();
        var adminPage = await adminContext.NewPageAsync();
        await PortalFixture.SignInAsync(adminPage, admin);
        await adminPage.GotoAsync("/audit/trail?action=order.create");
        var actor = adminPage.GetByTestId("audit-actor").First;
        await Assertions.Expect(actor).ToContainTextAsync($"<{owner.Email}> at Named Actor Hosting SA");
        await Assertions.Expect(adminPage.GetByTestId("audit-object").First).ToContainTextAsync("purchase order");

        // An auditor reads no personal data: the same event names the role and the company only.
        var auditor = await fixture.NewStaffAsync(ApiKeyRole.VendorAuditor);
        await using var auditorContext = await fixture.NewContextAsync();
        var auditorPage = await auditorContext.NewPageAsync();
        await PortalFixture.SignInAsync(auditorPage, auditor);
        await auditorPage.GotoAsync("/audit/trail?action=order.create");
        await Assertions.Expect(auditorPage.GetByTestId("audit-actor").First).ToHaveTextAsync("reseller owner (staff) at Named Actor Hosting SA");
        Assert.DoesNotContain(owner.Email, await auditorPage.ContentAsync(), StringComparison.Ordinal);
    }
}
