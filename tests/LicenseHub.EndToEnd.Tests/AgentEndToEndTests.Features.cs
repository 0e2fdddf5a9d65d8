using System.Text.RegularExpressions;

namespace LicenseHub.EndToEnd.Tests;

public sealed partial class AgentEndToEndTests
{
    /// <summary>
    /// The quickstart's feature check, then an add-on, on real parts: lhctl defines a feature and a plan that includes it
    /// and sells another, the reseller assigns and later buys the add-on, and lh-agent's check answers per feature from the
    /// signed token alone.
    /// </summary>
    [Fact]
    public async Task CheckFeature_PlanFeatureAndBoughtAddOn_AreInTheToken_MissingFeatureExitsFive()
    {
        var vendor = fixture.Flow.VendorKey;
        var reseller = fixture.Flow.ResellerKey;
        await fixture.Lhctl.SucceedAsync(vendor, "feature", "create", "--product", fixture.Flow.ProductId, "--code", "backups", "--name", "Nightly backups");
        await fixture.Lhctl.SucceedAsync(vendor, "feature", "create", "--product", fixture.Flow.ProductId, "--code", "dns", "--name", "DNS cluster");
        var created = await fixture.Lhctl.SucceedAsync(vendor, "plan", "create", "--product", fixture.Flow.ProductId, "--code", "pro-features",
            "--edition", "pro", "--term-days", "365", "--max-machines", "1", "--price", "49.00", "--currency", "EUR",
            "--feature", "backups", "--add-on", "dns=3.65");
        Assert.Contains("features: backups; add-ons: dns 3.65 EUR", created.StdOut);
        var planId = Regex.Match(created.StdOut, @"id: (\S+)").Groups[1].Value;
        var order = await fixture.Lhctl.SucceedAsync(reseller, "order", "create", "--plan", planId, "--quantity", "1", "--idempotency-key", "features-order-1");
        var poolId = Regex.Match(order.StdOut, @"pool[: ]+([0-9a-f-]{36})").Groups[1].Value;
        var csv = Path.Combine(Path.GetTempPath(), $"features-{Guid.NewGuid():N}.csv");
        try
        {
            await fixture.Lhctl.SucceedAsync(reseller, "license", "assign", "--pool", poolId, "--count", "1", "--csv", csv);
            var row = File.ReadAllLines(csv)[1].Split(',');
            var (licenseId, key) = (row[0], row[1]);

            var machine = Machine("features");
            await Activate(machine, key, fixture.Server);
            await machine.SucceedAsync("check", "--feature", "backups");
            var missing = await machine.ExpectAsync(5, "check", "--feature", "dns");
            Assert.Contains("no feature dns", missing.StdErr);
            await machine.ExpectAsync(2, "check", "--feature", "Not A Code");

            var bought = await fixture.Lhctl.SucceedAsync(reseller, "license", "add-on", "buy", licenseId, "--feature", "dns", "--idempotency-key", "features-addon-1");
            Assert.Contains("Bought dns for 1 license(s)", bought.StdOut);
            await machine.SucceedAsync("run", "--once");
            await machine.SucceedAsync("check", "--feature", "backups", "--feature", "dns");
            var shown = await fixture.Lhctl.SucceedAsync(reseller, "license", "get", licenseId);
            Assert.Contains("features:       backups, dns", shown.StdOut);
            Assert.Contains("add-on:         dns since", shown.StdOut);
        }
        finally
        {
            File.Delete(csv);
        }
    }
}
