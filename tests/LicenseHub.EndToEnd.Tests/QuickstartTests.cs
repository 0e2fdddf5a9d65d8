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
        var csvIds = csv.Skip(1).Select(line => line.Split(',')[0]).Order();
        Assert.Equal(csvIds, rows.Select(row => row.Split(' ')[0]).Order());
        Assert.Contains("3 license(s).", flow.LicenseList.StdOut);
        Assert.All(flow.LicenseKeys, key => Assert.DoesNotContain(key, flow.LicenseList.StdOut));

        var json = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "list", "--json", "--page-size", "2", "--all");
        var listed = JsonParser.Default.Parse<ListLicensesResponse>(json.StdOut);
        Assert.Equal(3, listed.Licenses.Count);
        Assert.All(listed.Licenses, l => Assert.Equal(LicenseState.Active, l.State));
        Assert.Equal(csvIds, listed.Licenses.Select(l => l.Id).Order());

        var pool = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "pool", "get", flow.PoolId, "--json");
        var poolState = JsonParser.Default.Parse<Pool>(pool.StdOut);
        Assert.Equal((5, 3, 2), (poolState.Purchased, poolState.Assigned, poolState.Available));
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

    [GeneratedRegex(@"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s")]
    private static partial Regex RowPattern();
}
