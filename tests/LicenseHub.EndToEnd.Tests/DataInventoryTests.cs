using System.Text.Json;
using Google.Protobuf;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// What a vendor auditor can prove about the data after the quick start, and a reseller's export of its
/// own data: real server, real lhctl. Nothing here changes data beyond the quick start, so the scan sees
/// exactly what the quick start stored.
/// </summary>
public sealed class DataInventoryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AuditInventory_Json_ListsEveryTableWithClassifications()
    {
        await fixture.FlowAsync("panel");
        var auditorKey = await CreateAuditorKeyAsync("inventory");

        var result = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "inventory", "--json");

        var inventory = JsonParser.Default.Parse<DataInventory>(result.StdOut);
        Assert.NotNull(inventory.GeneratedAt);
        var installations = Assert.Single(inventory.Tables, t => t.Table == "Installations");
        Assert.True(installations.EndUserData, "Installations must be marked as end-user data.");
        Assert.Equal("Pseudonymous", Assert.Single(installations.Columns, c => c.Column == "Fingerprint").Classification);
        foreach (var table in inventory.Tables.Where(t => t.EndUserData))
        {
            Assert.All(table.Columns, c => Assert.False(c.Classification == "Personal", $"{table.Table}.{c.Column} is end-user data classified Personal."));
        }
        Assert.All(inventory.Tables.SelectMany(t => t.Columns), c => Assert.NotEqual("Unclassified", c.Classification));
        Assert.True(Assert.Single(inventory.Tables, t => t.Table == "Resellers").RowCount >= 1);
        Assert.Empty(inventory.Rendered);
    }

    [Fact]
    public async Task AuditInventory_MarkdownToFile_WritesRenderedReport()
    {
        var auditorKey = await CreateAuditorKeyAsync("markdown");
        var path = fixture.Work.Combine("inventory.md");

        var result = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "inventory", "--markdown", "--output", path);

        Assert.Equal("", result.StdOut);
        Assert.Contains(path, result.StdErr);
        var markdown = await File.ReadAllTextAsync(path);
        Assert.StartsWith("# LicenseHub data inventory", markdown);
        Assert.Contains("## Installations", markdown);

        var both = await fixture.Lhctl.RunAsync(auditorKey, "audit", "inventory", "--markdown", "--json");
        Assert.True(both.ExitCode == 2, both.ToString());
    }

    [Fact]
    public async Task AuditInventory_Table_ShowsClassificationPerColumn()
    {
        var auditorKey = await CreateAuditorKeyAsync("table");

        var result = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "inventory");

        Assert.Matches(@"(?m)^TABLE\s+ROWS\s+COLUMNS\s+PERSONAL\s+END-USER DATA$", result.StdOut);
        Assert.Matches(@"(?m)^Installations\s+\d+\s+\d+\s+0\s+yes$", result.StdOut);
        Assert.Matches(@"(?m)^Fingerprint\s+Pseudonymous\s+", result.StdOut);
    }

    [Fact]
    public async Task AuditScan_AfterQuickstart_FindsNothing()
    {
        await fixture.FlowAsync("panel");
        var auditorKey = await CreateAuditorKeyAsync("scan");

        var result = await fixture.Lhctl.RunAsync(auditorKey, "audit", "scan");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"No personal data found in [1-9]\d* values scanned\.", result.StdOut);

        var json = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "scan", "--json");
        var report = JsonParser.Default.Parse<PersonalDataScanReport>(json.StdOut);
        Assert.Empty(report.Findings);
        Assert.True(report.ValuesScanned > 0);
    }

    [Fact]
    public async Task AuditRetentionAndStats_AuditorKey_ReportWithoutPersonalData()
    {
        var flow = await fixture.FlowAsync("panel");
        var auditorKey = await CreateAuditorKeyAsync("retention");

        var retention = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "retention", "--json");
        var report = JsonParser.Default.Parse<RetentionReport>(retention.StdOut);
        Assert.Contains(report.Entries, e => e.Table == "Orders" && e.Rows >= 1);
        var table = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "retention");
        Assert.Matches(@"(?m)^DATA CLASS\s+TABLE\s+ROWS\s+OLDEST\s+OVERDUE\s+RULE$", table.StdOut);

        var stats = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "stats", "--days", "7", "--json");
        JsonParser.Default.Parse<UsageStatistics>(stats.StdOut);
        var badDays = await fixture.Lhctl.RunAsync(auditorKey, "audit", "stats", "--days", "0");
        Assert.True(badDays.ExitCode == 2, badDays.ToString());

        Assert.DoesNotContain(flow.ContactEmail, retention.StdOut + table.StdOut + stats.StdOut);
    }

    [Fact]
    public async Task AccountExport_WritesJsonWithoutKeys()
    {
        var flow = await fixture.FlowAsync("panel");
        var path = fixture.Work.Combine("my-data.json");

        var result = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "export", "--output", path);

        Assert.Equal("", result.StdOut);
        Assert.Contains("0600", result.StdErr);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        var text = await File.ReadAllTextAsync(path);
        using (var export = JsonDocument.Parse(text))
        {
            var account = export.RootElement.GetProperty("account");
            Assert.Equal(flow.ResellerId, account.GetProperty("id").GetString());
            Assert.Equal(flow.ContactEmail, account.GetProperty("billing_contact_email").GetString());
            var apiKey = Assert.Single(export.RootElement.GetProperty("api_keys").EnumerateArray());
            Assert.StartsWith(apiKey.GetProperty("prefix").GetString()!, flow.ResellerKey);
            Assert.Equal(3, export.RootElement.GetProperty("licenses").GetArrayLength());
        }
        AssertHoldsNoKeys(flow, text);

        // Printed without --output: the same document on stdout.
        var printed = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "export");
        using (var export = JsonDocument.Parse(printed.StdOut))
        {
            Assert.Equal(flow.ResellerId, export.RootElement.GetProperty("account").GetProperty("id").GetString());
        }
        AssertHoldsNoKeys(flow, printed.StdOut);

        // An existing file is never overwritten.
        var again = await fixture.Lhctl.RunAsync(flow.ResellerKey, "account", "export", "--output", path);
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("already exists", again.StdErr);
        Assert.Equal(text, await File.ReadAllTextAsync(path));
    }

    private static void AssertHoldsNoKeys(FlowResult flow, string text)
    {
        Assert.DoesNotContain(flow.ResellerKey, text);
        Assert.DoesNotContain(flow.ResellerKey[(flow.ResellerKey.LastIndexOf('_') + 1)..], text);
        Assert.DoesNotContain(flow.VendorKey, text);
        Assert.All(flow.LicenseKeys, key =>
        {
            Assert.DoesNotContain(key, text);
            Assert.DoesNotContain(key.Replace("-", "")[8..], text);
        });
    }

    [Fact]
    public async Task AuditEvents_FilteredByActionActorAndDay_ShowOnlyThose_AndAWrongDateIsRefusedNamingItsField()
    {
        var flow = await fixture.FlowAsync("panel");
        var auditorKey = await CreateAuditorKeyAsync("trail");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        // The vendor's key list says when each key was last used; a key not yet presented, never.
        var before = await fixture.Lhctl.SucceedAsync(null, "--api-key-file", fixture.Server.VendorKeyFile, "apikey", "list");
        Assert.Contains("LAST USED", before.StdOut);
        Assert.Matches(@"auditor trail .* never ", Assert.Single(before.StdOut.Split('\n'), l => l.Contains("auditor trail")));

        var assigned = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "events", "--action", "license.assign", "--from", today, "--to", today);
        var rows = assigned.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Contains(" license.assign ", r));
        var json = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "events", "--action", "license.assign", "--json");
        var events = JsonParser.Default.Parse<ListAuditEventsResponse>(json.StdOut).Events;
        Assert.Equal(rows.Count, events.Count);
        // The quick start's reseller key did the assigning: its actor filter finds its events and only those.
        var reseller = events[0].ActorId;
        Assert.StartsWith("apikey:", reseller);
        var byReseller = await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "events", "--actor", reseller, "--json");
        Assert.All(JsonParser.Default.Parse<ListAuditEventsResponse>(byReseller.StdOut).Events, e => Assert.Equal(reseller, e.ActorId));
        Assert.Contains("No audit events.", (await fixture.Lhctl.SucceedAsync(auditorKey, "audit", "events", "--action", "license.assign",
            "--from", DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd"))).StdOut);

        var wrong = await fixture.Lhctl.RunAsync(auditorKey, "audit", "events", "--from", "31.01.2026");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("from_date: must be a date written as yyyy-mm-dd", wrong.StdErr);

        // Now it was: the auditor's key, and the reseller key the quick start used.
        var keys = await fixture.Lhctl.SucceedAsync(null, "--api-key-file", fixture.Server.VendorKeyFile, "apikey", "list", "--json");
        var auditor = Assert.Single(JsonParser.Default.Parse<ListApiKeysResponse>(keys.StdOut).ApiKeys, k => k.Name == "auditor trail");
        Assert.InRange(auditor.LastUsedAt.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        var resellerKeys = await fixture.Lhctl.SucceedAsync(null, "--api-key-file", fixture.Server.VendorKeyFile, "apikey", "list", "--reseller", flow.ResellerId, "--json");
        Assert.All(JsonParser.Default.Parse<ListApiKeysResponse>(resellerKeys.StdOut).ApiKeys, k => Assert.NotNull(k.LastUsedAt));
    }

    private async Task<string> CreateAuditorKeyAsync(string purpose)
    {
        await fixture.Server.ReadVendorKeyAsync();
        var created = await fixture.Lhctl.SucceedAsync(null, "--api-key-file", fixture.Server.VendorKeyFile,
            "apikey", "create-vendor", "--name", $"auditor {purpose}", "--role", "auditor");
        return Assert.Single(NewcomerFlow.ApiKeyPattern().Matches(created.StdOut)).Value;
    }
}
