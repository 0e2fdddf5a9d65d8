using System.Text.RegularExpressions;
using Google.Protobuf;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>lhctl's renew, change-plan, reissue-key and return, as a reseller types them: the price first, then a confirmation.</summary>
public sealed partial class LicenseOrderCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task LicenseRenew_ShowsThePriceAndAsks_NoChargesNothing_YesChargesOnce_AndTheCsvHasIt()
    {
        var flow = await fixture.FlowAsync("renewals");
        var licenseId = File.ReadAllLines(flow.CsvPath)[1].Split(',')[0];
        string[] renew = ["license", "renew", licenseId, "--terms", "2", "--idempotency-key", "invoice-5001"];

        var declined = await fixture.Lhctl.RunWithInputAsync(flow.ResellerKey, "n\n", renew);
        Assert.True(declined.ExitCode == 5, declined.ToString());
        Assert.Contains("Renewal of 1 license(s) for 2 term(s): 39.98 EUR (19.99 EUR per license and term)", declined.StdOut);
        Assert.Contains("Renew and charge 39.98 EUR? [y/N]", declined.StdErr);
        Assert.Contains("Nothing was renewed or charged.", declined.StdErr);
        var noAnswer = await fixture.Lhctl.RunAsync(flow.ResellerKey, renew);
        Assert.True(noAnswer.ExitCode == 5, noAnswer.ToString());
        Assert.Contains("add --yes", noAnswer.StdErr);
        Assert.DoesNotContain(Orders(await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "order", "list", "--json")), o => o.Kind == OrderKind.Renewal);

        var confirmed = await fixture.Lhctl.RunWithInputAsync(flow.ResellerKey, "y\n", renew);
        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.Contains("Renewed 1 license(s) for 2 term(s): 39.98 EUR charged.", confirmed.StdOut);
        var again = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, [.. renew, "--yes"]);
        Assert.Contains("already renewed", again.StdOut);
        var renewals = Orders(await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "order", "list", "--json")).Where(o => o.Kind == OrderKind.Renewal).ToList();
        Assert.Equal(3998, Assert.Single(renewals).Amount.AmountMinor);

        var csv = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "order", "list", "--csv");
        var lines = csv.StdOut.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("order_id,created_at,kind,plan_id,plan,from_plan_id,from_plan,licenses,terms,amount,currency,amount_minor,idempotency_key", lines[0]);
        var row = Assert.Single(lines, l => l.Contains(",renewal,"));
        Assert.Contains($",pro-1y,,,1,2,39.98,EUR,3998,invoice-5001,,{licenseId}", row);
        Assert.Single(lines, l => l.Contains(",purchase,") && l.Contains(",99.95,EUR,9995,"));

        // Ten more terms would pass ten terms ahead of today: refused by the server before anything is asked.
        var tooFar = await fixture.Lhctl.RunAsync(flow.ResellerKey, "license", "renew", licenseId, "--terms", "10", "--dry-run");
        Assert.True(tooFar.ExitCode == 1, tooFar.ToString());
        Assert.Contains("more than 10 terms ahead", tooFar.StdErr);
    }

    [Fact]
    public async Task LicenseChangePlanReissueKeyAndReturn_ShowWhatHappensFirst_AndDoItWhenConfirmed()
    {
        var flow = await fixture.FlowAsync("changes");
        var rows = File.ReadAllLines(flow.CsvPath).Skip(1).Select(l => l.Split(',')).ToList();
        string[] asVendor = ["--api-key-file", fixture.Server.VendorKeyFile];
        var dearer = NewcomerFlow.Id(await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "plan", "create", "--product", flow.ProductId, "--code", "max-1y",
            "--edition", "max", "--term-days", "365", "--max-machines", "5", "--price", "39.99", "--currency", "EUR", "--renewal-price", "35.00"]));

        var preview = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "change-plan", rows[0][0], "--plan", dearer, "--dry-run");
        Assert.Matches(@"Upgrade of 1 license\(s\) to plan [0-9a-f-]{36} now: 20\.00 EUR, the difference", preview.StdOut);
        var upgraded = await fixture.Lhctl.RunWithInputAsync(flow.ResellerKey, "yes\n", "license", "change-plan", rows[0][0], "--plan", dearer);
        Assert.True(upgraded.ExitCode == 0, upgraded.ToString());
        Assert.Contains("Upgraded 1 license(s): 20.00 EUR charged", upgraded.StdOut);
        Assert.Contains("Idempotency key: lhctl-", upgraded.StdErr);
        var shown = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "get", rows[0][0], "--json");
        Assert.Equal(dearer, JsonParser.Default.Parse<GetLicenseResponse>(shown.StdOut).License.PlanId);

        var reissued = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "reissue-key", rows[0][0], "--yes");
        var newKey = Assert.Single(reissued.StdOut.Split('\n').Select(l => l.Trim()), l => NewcomerFlow.LicenseKeyPattern().IsMatch(l));
        Assert.NotEqual(rows[0][1], newKey);
        Assert.Contains("will not be shown again", reissued.StdErr);

        var returned = await fixture.Lhctl.RunWithInputAsync(flow.ResellerKey, "y\n", "license", "return", rows[1][0]);
        Assert.True(returned.ExitCode == 0, returned.ToString());
        Assert.Contains("Nothing is charged or refunded", returned.StdOut);
        Assert.Matches(@"Returned license [0-9a-f-]{36}: pool [0-9a-f-]{36} has 3 of 5 available again\.", returned.StdOut);
        var upgradedReturn = await fixture.Lhctl.RunAsync(flow.ResellerKey, "license", "return", rows[0][0], "--yes");
        Assert.True(upgradedReturn.ExitCode == 1, upgradedReturn.ToString());
        Assert.Contains("cannot be returned", upgradedReturn.StdErr);

        var table = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "order", "list");
        Assert.Matches(@"\supgrade\s", table.StdOut);
        Assert.Matches(@"\sreturn\s", table.StdOut);
    }

    [Fact]
    public async Task LicenseRevoke_NamesTheLicenseAndAsks_NoOrNoAnswerKeepsIt_YesRevokesIt()
    {
        var flow = await fixture.FlowAsync("revocations");
        var licenseId = File.ReadAllLines(flow.CsvPath)[3].Split(',')[0];
        async Task<LicenseState> StateAsync() => JsonParser.Default.Parse<GetLicenseResponse>(
            (await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "get", licenseId, "--json")).StdOut).License.State;

        var declined = await fixture.Lhctl.RunWithInputAsync(flow.ResellerKey, "n\n", "license", "revoke", licenseId);
        Assert.True(declined.ExitCode == 5, declined.ToString());
        Assert.Contains($"License {licenseId}, active on 0 server(s), is revoked for good", declined.StdOut);
        Assert.Contains("Revoke it? [y/N]", declined.StdErr);
        Assert.Contains("The license was not revoked.", declined.StdErr);
        var noAnswer = await fixture.Lhctl.RunAsync(flow.ResellerKey, "license", "revoke", licenseId);
        Assert.True(noAnswer.ExitCode == 5, noAnswer.ToString());
        Assert.Contains("add --yes", noAnswer.StdErr);
        Assert.Equal(LicenseState.Active, await StateAsync());

        // An id that is not the reseller's is refused before anything is asked.
        var unknown = await fixture.Lhctl.RunWithInputAsync(flow.ResellerKey, "y\n", "license", "revoke", Guid.NewGuid().ToString());
        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.DoesNotContain("[y/N]", unknown.StdErr);

        var confirmed = await fixture.Lhctl.RunWithInputAsync(flow.ResellerKey, "y\n", "license", "revoke", licenseId);
        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.Contains($"License {licenseId} is revoked", confirmed.StdOut);
        Assert.Equal(LicenseState.Revoked, await StateAsync());
    }

    [Fact]
    public async Task Help_RenewChangePlanReissueReturnAndOrderCsv_SayWhatTheyCostAndHowToConfirm()
    {
        foreach (var (command, expected) in new[]
                 {
                     ("renew", "renewal price x licenses x terms"), ("change-plan", "prorated"), ("reissue-key", "stops activating"),
                     ("return", "never activated"),
                 })
        {
            var help = await fixture.Lhctl.SucceedAsync(null, "license", command, "--help");
            Assert.Contains(expected, help.StdOut);
            if (command is "renew" or "change-plan")
            {
                Assert.Contains("--dry-run", help.StdOut);
                Assert.Contains("--idempotency-key", help.StdOut);
            }
            Assert.Contains("--yes", help.StdOut);
        }
        Assert.Contains("--csv", (await fixture.Lhctl.SucceedAsync(null, "order", "list", "--help")).StdOut);
        Assert.Contains("5 not confirmed", (await fixture.Lhctl.SucceedAsync(null, "--help")).StdOut);
    }

    private static IReadOnlyList<Order> Orders(LhctlResult result) => JsonParser.Default.Parse<ListOrdersResponse>(result.StdOut).Orders;
}
