using System.Text.RegularExpressions;
using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

/// <summary>
/// The auditor's usage statistics come from check-ins counted as they are recorded: today's check-ins show today,
/// not after the raw check-in retention window, and a group of fewer than five installations is still suppressed.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class UsageStatisticsPortalTests(PortalFixture fixture)
{
    [Fact]
    public async Task Auditor_SeesTodaysCheckIns_OnDayOne_SmallGroupsSuppressed()
    {
        var owner = await fixture.NewResellerOwnerAsync("Statistics Hosting Oy");
        var apiKey = (await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = owner.ResellerId, Name = "billing", Role = ApiKeyRole.Manager,
        })).ApiKey;
        var reseller = fixture.Reseller(apiKey);
        var pool = (await reseller.CreateOrderAsync(new CreateOrderRequest { PlanId = fixture.Plan.Id, Quantity = 7, IdempotencyKey = "stats-order-1" })).Pool;
        var licenses = (await reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 7 })).Licenses;

        // Five installations of one version (a group shown), two of another (a group suppressed), each checking in today.
        for (var i = 0; i < licenses.Count; i++)
        {
            var version = i < 5 ? "9.1.0" : "9.0.9";
            var fingerprint = $"{i:x2}{new string('d', 62)}";
            var activation = await fixture.Agent.ActivateAsync(new ActivateRequest
            {
                LicenseKey = licenses[i].LicenseKey, Fingerprint = fingerprint, ProductVersion = version, AgentVersion = "1.0.0", Product = "panel",
            });
            var answer = await fixture.Agent.CheckInAsync(new CheckInRequest
            {
                InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = fingerprint,
                ProductVersion = version, AgentVersion = "1.0.0", CheckInTicket = activation.CheckInTicket,
            });
            Assert.Equal(ValidationCode.Valid, answer.Code);
        }

        var auditor = await fixture.NewStaffAsync(ApiKeyRole.VendorAuditor);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, auditor);
        await page.GotoAsync("/audit");
        var chart = page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("^Installations per day") });
        var label = await chart.GetAttributeAsync("aria-label") ?? "";
        var latest = int.Parse(Regex.Match(label, @"latest (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(latest >= 5, $"today's installations should include the five of version 9.1.0: {label}");
        var suppressed = await page.GetByText(new Regex(@"\d+ small group\(s\) suppressed")).TextContentAsync() ?? "";
        Assert.True(int.Parse(Regex.Match(suppressed, @"(\d+) small group").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1,
            suppressed);
        await Assertions.Expect(page.GetByText("No statistics yet")).ToHaveCountAsync(0);
    }
}
