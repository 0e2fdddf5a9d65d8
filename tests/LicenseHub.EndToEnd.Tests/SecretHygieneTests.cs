using System.Text;
using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// The quick start against a real server, the server stopped, started again on the same data directory,
/// stopped again; everything it printed and stored kept for the tests.
/// </summary>
public sealed class FullRunFixture : IAsyncLifetime
{
    /// <summary>Well-formed but unknown: a key someone mistyped must not end up in a log either.</summary>
    public const string UnknownKey = "lh_zzzzzzzzzz_abcdefghijkmnpqrstuvwxyz23456789ab";

    public TempDirectory Work { get; } = new("full-run");

    public string DataDirectory => Work.Combine("data");

    public FlowResult Flow { get; private set; } = null!;

    public Lhctl Lhctl { get; private set; } = null!;

    public string FirstOutput { get; private set; } = "";

    public string SecondOutput { get; private set; } = "";

    public string VendorKeyFileAfterFirstStart { get; private set; } = "";

    public string VendorKeyFileAfterSecondStart { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await using (var first = await ServerProcess.StartAsync(DataDirectory))
        {
            Lhctl = new Lhctl(first.GrpcUrl, Work.Path);
            Flow = await NewcomerFlow.RunAsync(Lhctl, first, Work.Path);
            var licenseId = File.ReadAllLines(Flow.CsvPath)[1].Split(',')[0];
            await Lhctl.SucceedAsync(Flow.ResellerKey, "license", "get", licenseId);
            await Lhctl.SucceedAsync(Flow.ResellerKey, "license", "suspend", licenseId);
            await Lhctl.RunAsync(Flow.ResellerKey, "product", "list");
            await Lhctl.RunAsync(UnknownKey, "pool", "list");
            await Lhctl.RunAsync(Flow.ResellerKey, "order", "create", "--plan", Flow.PlanId, "--quantity", "0");
            await first.StopAsync();
            FirstOutput = first.Output;
            VendorKeyFileAfterFirstStart = await File.ReadAllTextAsync(first.VendorKeyFile);
        }
        await using (var second = await ServerProcess.StartAsync(DataDirectory))
        {
            var lhctl = new Lhctl(second.GrpcUrl, Work.Path);
            await lhctl.SucceedAsync(Flow.ResellerKey, "license", "list");
            await second.StopAsync();
            SecondOutput = second.Output;
            VendorKeyFileAfterSecondStart = await File.ReadAllTextAsync(second.VendorKeyFile);
        }
    }

    public Task DisposeAsync()
    {
        Work.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SecretHygieneTests(FullRunFixture fixture) : IClassFixture<FullRunFixture>
{
    private const string Banner = "First start: created the vendor admin API key";

    [Fact]
    public void Logs_FullRun_ContainNoSecrets()
    {
        var flow = fixture.Flow;
        var output = fixture.FirstOutput;

        // The first start names the key file; the key itself only on a terminal, never into a pipe or the journal.
        Assert.Equal(1, Occurrences(output, Banner));
        Assert.Equal(0, Occurrences(output, flow.VendorKey));
        Assert.Contains("not shown here because", output);
        var withoutBanner = string.Join('\n', output.Split('\n').Where(line => !line.Contains(flow.VendorKey, StringComparison.Ordinal)));
        AssertNoSecrets("server output (first start, banner removed)", withoutBanner);

        foreach (var logFile in Directory.EnumerateFiles(fixture.DataDirectory, "*.log", SearchOption.AllDirectories))
        {
            AssertNoSecrets(logFile, File.ReadAllText(logFile));
            Assert.DoesNotContain(flow.VendorKey, File.ReadAllText(logFile));
        }

        // A second start on the same data directory finds the vendor key and issues none.
        Assert.DoesNotContain(Banner, fixture.SecondOutput);
        Assert.DoesNotMatch(NewcomerFlow.ApiKeyPattern(), fixture.SecondOutput);
        AssertNoSecrets("server output (second start)", fixture.SecondOutput);
        Assert.Equal(fixture.VendorKeyFileAfterFirstStart, fixture.VendorKeyFileAfterSecondStart);
    }

    [Fact]
    public void Storage_FullRun_HoldsNoKeysInPlainText()
    {
        var files = Directory.EnumerateFiles(fixture.DataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ServerProcess.VendorKeyFileName)
            .ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var content = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            foreach (var key in fixture.Flow.LicenseKeys)
            {
                var normalized = key.Replace("-", "");
                Assert.False(content.Contains(key) || content.Contains(normalized[8..]), $"{file} holds license key {key}.");
            }
            foreach (var apiKey in new[] { fixture.Flow.ResellerKey, fixture.Flow.VendorKey })
            {
                Assert.False(content.Contains(Secret(apiKey)), $"{file} holds the secret part of API key {apiKey[..13]}….");
            }
        }
    }

    [Fact]
    public void Lhctl_FullRun_PrintsEachKeyOnlyWhenIssued()
    {
        var flow = fixture.Flow;
        foreach (var run in fixture.Lhctl.History)
        {
            var printed = run.StdOut + run.StdErr;
            var issuesResellerKey = run.Arguments.Contains("apikey") && run.Arguments.Contains("create");
            Assert.Equal(issuesResellerKey ? 1 : 0, Occurrences(printed, flow.ResellerKey));
            Assert.DoesNotContain(flow.VendorKey, printed);
            Assert.DoesNotContain(FullRunFixture.UnknownKey, printed);
            Assert.All(flow.LicenseKeys, key => Assert.DoesNotContain(key, printed));
        }
    }

    private void AssertNoSecrets(string source, string text)
    {
        var flow = fixture.Flow;
        Assert.False(text.Contains(Secret(flow.ResellerKey)), $"{source} contains the reseller API key.");
        Assert.False(text.Contains(Secret(FullRunFixture.UnknownKey)), $"{source} contains a presented (unknown) API key.");
        Assert.False(text.Contains(Secret(flow.VendorKey)), $"{source} contains the vendor API key.");
        foreach (var key in flow.LicenseKeys)
        {
            Assert.False(text.Contains(key) || text.Contains(key.Replace("-", "")), $"{source} contains license key {key}.");
        }
        Assert.False(text.Contains(flow.ContactEmail), $"{source} contains the billing contact's e-mail address.");
        Assert.False(text.Contains(flow.ContactName), $"{source} contains the billing contact's name.");
    }

    /// <summary>The part of an API key after its public lookup prefix.</summary>
    private static string Secret(string apiKey) => apiKey[(apiKey.LastIndexOf('_') + 1)..];

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
