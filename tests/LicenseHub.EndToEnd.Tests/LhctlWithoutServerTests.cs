using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>lhctl's answers when the server is not there or the command line is wrong.</summary>
public sealed class LhctlWithoutServerTests : IDisposable
{
    private const string WellFormedKey = "lh_abcdefghij_abcdefghijkmnpqrstuvwxyz23456789ab";

    private readonly TempDirectory _work = new("cli");
    private readonly string _nowhere = $"http://127.0.0.1:{FreePort.Next()}";
    private readonly Lhctl _lhctl;

    public LhctlWithoutServerTests() => _lhctl = new Lhctl(_nowhere, _work.Path);

    [Fact]
    public async Task ProductList_ServerUnreachable_ExitsThreeWithClearMessage()
    {
        var result = await _lhctl.RunAsync(WellFormedKey, "product", "list");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains($"cannot reach the LicenseHub server at {_nowhere}", result.StdErr);
        Assert.Contains("is it running?", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.DoesNotContain(WellFormedKey, result.StdErr);
    }

    [Fact]
    public async Task OrderCreate_MissingQuantity_ExitsTwoWithoutCallingServer()
    {
        var result = await _lhctl.RunAsync(WellFormedKey, "order", "create", "--plan", Guid.NewGuid().ToString());

        // 3 would mean it tried the (absent) server.
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--quantity", result.StdErr);
        Assert.Contains("lhctl order create --help", result.StdErr);
    }

    [Fact]
    public async Task ProductList_NoApiKey_ExitsTwoAndSaysHowToGiveOne()
    {
        var result = await _lhctl.RunAsync(null, "product", "list");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("LH_API_KEY", result.StdErr);
        Assert.Contains("--api-key-file", result.StdErr);
    }

    [Fact]
    public async Task PlanCreate_CommaAsDecimalSeparator_ExitsTwo()
    {
        var result = await _lhctl.RunAsync(WellFormedKey, "plan", "create", "--product", Guid.NewGuid().ToString(), "--code", "pro",
            "--edition", "pro", "--term-days", "365", "--max-machines", "1", "--price", "19,99", "--currency", "EUR");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--price", result.StdErr);
    }

    [Theory]
    [InlineData("1500.5", "JPY", "--price has no decimal places in JPY (got '1500.5')")]
    [InlineData("19.999", "EUR", "--price has at most 2 decimal places in EUR (got '19.999')")]
    [InlineData("1.2505", "BHD", "--price has at most 3 decimal places in BHD (got '1.2505')")]
    [InlineData("-5", "EUR", "--price must not be negative (got '-5')")]
    [InlineData("99999999999999999999", "JPY", "--price is too large")]
    [InlineData("19.99", "euro", "--currency must be a three-letter ISO 4217 currency code such as EUR (got 'euro')")]
    public async Task PlanCreate_PriceTheCurrencyCannotHold_ExitsTwoSayingWhy(string price, string currency, string expected)
    {
        var result = await _lhctl.RunAsync(WellFormedKey, "plan", "create", "--product", Guid.NewGuid().ToString(), "--code", "pro",
            "--edition", "pro", "--term-days", "365", "--max-machines", "1", "--price", price, "--currency", currency);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.StdErr);
    }

    [Fact]
    public async Task Help_EveryCommand_IsDescribed()
    {
        var result = await _lhctl.RunAsync(null, "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "product", "plan", "plans", "reseller", "account", "apikey", "order", "pool", "license", "vendor", "audit", "signing-key" })
        {
            Assert.Matches($@"(?m)^\s+{command}\s+\S", result.StdOut);
        }
    }

    public void Dispose() => _work.Dispose();
}
