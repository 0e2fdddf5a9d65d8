using System.Text.RegularExpressions;
using Google.Protobuf;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>A newcomer's first session: real server, real lhctl, nothing but the command line.</summary>
public sealed partial class QuickstartTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Quickstart_NewcomerFlow_AssignsLicense()
    {
        var flow = await NewcomerFlow.RunAsync(fixture.Lhctl, fixture.Server, fixture.Work.Path, "panel");

        var csv = File.ReadAllLines(flow.CsvPath);
        Assert.Equal("license_id,license_key,reseller_reference", csv[0]);
        Assert.Equal(4, csv.Length);
        Assert.All(flow.LicenseKeys, key => Assert.Matches(NewcomerFlow.LicenseKeyPattern(), key));
        Assert.Equal(3, flow.LicenseKeys.Distinct().Count());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(flow.CsvPath));
        }

        var rows = flow.LicenseList.StdOut.Split('\n').Where(line => RowPattern().IsMatch(line)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.Contains(" active ", row));
        // The plan by its code, as the vendor named it, not by its id.
        Assert.All(rows, row => Assert.Matches(@"\sactive\s+pro-1y\s", row));
        Assert.DoesNotContain(flow.PlanId, flow.LicenseList.StdOut);
        var shown = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "get", rows[0].Split(' ')[0]);
        Assert.Contains($"plan:           pro-1y ({flow.PlanId})", shown.StdOut);
        var csvIds = csv.Skip(1).Select(line => line.Split(',')[0]).Order();
        Assert.Equal(csvIds, rows.Select(row => row.Split(' ')[0]).Order());
        Assert.Contains("3 license(s).", flow.LicenseList.StdOut);
        Assert.All(flow.LicenseKeys, key => Assert.DoesNotContain(key, flow.LicenseList.StdOut));

        var json = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "list", "--json", "--page-size", "2", "--all");
        var listed = JsonParser.Default.Parse<ListLicensesResponse>(json.StdOut);
        Assert.Equal(3, listed.Licenses.Count);
        Assert.All(listed.Licenses, l => Assert.Equal(LicenseState.Active, l.State));
        Assert.Equal(csvIds, listed.Licenses.Select(l => l.Id).Order());

        var pools = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "pool", "list");
        Assert.Matches($@"{flow.PoolId}\s+pro-1y\s+5\s+3\s+2", pools.StdOut);
        var pool = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "pool", "get", flow.PoolId, "--json");
        var poolState = JsonParser.Default.Parse<Pool>(pool.StdOut);
        Assert.Equal((5, 3, 2), (poolState.Purchased, poolState.Assigned, poolState.Available));
        Assert.Equal(flow.PlanId, poolState.PlanId);
    }

    [Fact]
    public async Task OrderCreate_QuantityZero_ExitsOneAndNamesField()
    {
        var flow = await fixture.FlowAsync("bad-input");

        var result = await fixture.Lhctl.RunAsync(flow.ResellerKey, "order", "create", "--plan", flow.PlanId, "--quantity", "0");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("INVALID_ARGUMENT", result.StdErr);
        Assert.Contains("  quantity: ", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
    }

    [Fact]
    public async Task LicenseAssign_EmailAsReference_ExitsOneAndNamesField()
    {
        var flow = await fixture.FlowAsync("bad-input");

        var result = await fixture.Lhctl.RunAsync(flow.ResellerKey, "license", "assign", "--pool", flow.PoolId,
            "--reference", "jane.doe@example.com");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("INVALID_ARGUMENT", result.StdErr);
        Assert.Contains("reseller_reference: ", result.StdErr);
    }

    [Fact]
    public async Task ProductList_ResellerKey_ExitsOneWithPermissionDenied()
    {
        var flow = await fixture.FlowAsync("bad-input");

        var result = await fixture.Lhctl.RunAsync(flow.ResellerKey, "product", "list");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("PERMISSION_DENIED", result.StdErr);
        Assert.DoesNotContain(flow.ResellerKey, result.StdErr + result.StdOut);
    }

    [Fact]
    public async Task LicenseAssign_ExistingCsvFile_ExitsTwoAndKeepsFile()
    {
        var flow = await fixture.FlowAsync("bad-input");
        var before = await File.ReadAllTextAsync(flow.CsvPath);

        var result = await fixture.Lhctl.RunAsync(flow.ResellerKey, "license", "assign", "--pool", flow.PoolId, "--csv", flow.CsvPath);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("already exists", result.StdErr);
        Assert.Equal(before, await File.ReadAllTextAsync(flow.CsvPath));
        var pool = JsonParser.Default.Parse<Pool>((await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "pool", "get", flow.PoolId, "--json")).StdOut);
        Assert.Equal(3, pool.Assigned);
    }

    [Fact]
    public async Task LicenseList_PagesOfTwo_HintTheTokenThatContinues()
    {
        var flow = await fixture.FlowAsync("paging");
        var csvIds = File.ReadAllLines(flow.CsvPath).Skip(1).Select(line => line.Split(',')[0]).Order().ToList();

        var first = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "list", "--page-size", "2");
        var hint = HintPattern().Match(first.StdErr);
        Assert.True(hint.Success, first.ToString());
        var rest = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "list", "--page-size", "2", "--page-token", hint.Groups["token"].Value);
        var all = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "list", "--page-size", "2", "--all");
        var json = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "list", "--page-size", "2", "--json");

        static List<string> Ids(LhctlResult result) =>
            result.StdOut.Split('\n').Where(line => RowPattern().IsMatch(line)).Select(row => row.Split(' ')[0]).ToList();
        Assert.Equal(2, Ids(first).Count);
        Assert.Equal(csvIds, Ids(first).Concat(Ids(rest)).Order());
        Assert.DoesNotContain("More results", rest.StdErr);
        Assert.Equal(csvIds, Ids(all).Order());
        Assert.DoesNotContain("More results", all.StdErr);
        // Machines read the token from the JSON; stderr stays quiet.
        Assert.Equal(hint.Groups["token"].Value, JsonParser.Default.Parse<ListLicensesResponse>(json.StdOut).NextPageToken);
        Assert.DoesNotContain("More results", json.StdErr);
    }

    [Fact]
    public async Task PlanCreate_YenAndDinarPrices_StoredInTheCurrencysOwnMinorUnits()
    {
        await fixture.Server.ReadVendorKeyAsync();
        string[] asVendor = ["--api-key-file", fixture.Server.VendorKeyFile];
        var productId = NewcomerFlow.Id(await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "product", "create", "--code", "prices", "--name", "Price Check"]));
        string[] plan = [.. asVendor, "plan", "create", "--product", productId, "--edition", "pro", "--term-days", "365", "--max-machines", "1"];

        var yen = await fixture.Lhctl.SucceedAsync(null, [.. plan, "--code", "yen-1y", "--price", "1500", "--currency", "jpy"]);
        var dinar = await fixture.Lhctl.SucceedAsync(null, [.. plan, "--code", "dinar-1y", "--price", "1.250", "--currency", "BHD"]);

        Assert.Contains("1500 JPY", yen.StdOut);
        Assert.Contains("1.250 BHD", dinar.StdOut);
        var listed = JsonParser.Default.Parse<ListPlansResponse>(
            (await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "plan", "list", "--product", productId, "--json"])).StdOut);
        Assert.Equal([("dinar-1y", 1250L, "BHD"), ("yen-1y", 1500L, "JPY")],
            listed.Plans.Select(p => (p.Code, p.Price.AmountMinor, p.Price.Currency)).Order().ToList());
        var table = await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "plan", "list", "--product", productId]);
        Assert.Contains("1500 JPY", table.StdOut);
        Assert.Contains("1.250 BHD", table.StdOut);
    }

    [GeneratedRegex(@"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s")]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"More results: add --page-token (?<token>\S+), or --all for everything\.")]
    private static partial Regex HintPattern();
}
