using System.Text.RegularExpressions;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>What the quick start produced, for the assertions that follow it.</summary>
public sealed record FlowResult(
    string VendorKey,
    string ResellerKey,
    string ProductId,
    string PlanId,
    string ResellerId,
    string PoolId,
    string CsvPath,
    IReadOnlyList<string> LicenseKeys,
    LhctlResult LicenseList,
    string ContactName,
    string ContactEmail);

/// <summary>
/// The quick start as a newcomer types it: the vendor defines a product and a plan, onboards a reseller
/// and gives it a key; the reseller buys, assigns three licenses into a CSV file and lists them.
/// Only lhctl processes, only human-readable output.
/// </summary>
public static partial class NewcomerFlow
{
    public const string ContactName = "Erika Mustermann";

    public static async Task<FlowResult> RunAsync(Lhctl lhctl, ServerProcess server, string workDirectory, string productCode = "panel")
    {
        var vendorKey = await server.ReadVendorKeyAsync();
        string[] asVendor = ["--api-key-file", server.VendorKeyFile];
        var contactEmail = $"billing-{productCode}@acme.example";

        var product = await lhctl.SucceedAsync(null, [.. asVendor, "product", "create", "--code", productCode, "--name", "Hosting Panel"]);
        var productId = Id(product);

        var plan = await lhctl.SucceedAsync(null, [.. asVendor, "plan", "create", "--product", productId, "--code", "pro-1y",
            "--edition", "pro", "--term-days", "365", "--max-machines", "2", "--price", "19.99", "--currency", "EUR", "--transfer-budget", "3"]);
        Assert.Contains("19.99 EUR", plan.StdOut);
        var planId = Id(plan);

        var reseller = await lhctl.SucceedAsync(null, [.. asVendor, "reseller", "create", "--company", "Acme Hosting GmbH", "--country", "DE",
            "--vat-id", "DE123456789", "--contact-name", ContactName, "--contact-email", contactEmail]);
        var resellerId = Id(reseller);

        var apiKey = await lhctl.SucceedAsync(null, [.. asVendor, "apikey", "create", "--reseller", resellerId, "--name", "automation", "--role", "owner"]);
        var resellerKey = Assert.Single(ApiKeyPattern().Matches(apiKey.StdOut)).Value;
        Assert.Contains("will not be shown again", apiKey.StdErr);

        var plans = await lhctl.SucceedAsync(resellerKey, "plans");
        Assert.Contains(planId, plans.StdOut);

        var order = await lhctl.SucceedAsync(resellerKey, "order", "create", "--plan", planId, "--quantity", "5");
        Assert.Contains("Ordered 5 license(s) for 99.95 EUR", order.StdOut);
        var poolId = PoolPattern().Match(order.StdOut) is { Success: true } m ? m.Groups["id"].Value : throw Fail("pool id", order);

        var csvPath = Path.Combine(workDirectory, $"{productCode}-keys.csv");
        var assign = await lhctl.SucceedAsync(resellerKey, "license", "assign", "--pool", poolId, "--count", "3", "--csv", csvPath);
        Assert.Contains("Assigned 3 license(s)", assign.StdOut);
        var licenseKeys = File.ReadAllLines(csvPath).Skip(1).Select(line => line.Split(',')[1]).ToList();

        var list = await lhctl.SucceedAsync(resellerKey, "license", "list");
        return new FlowResult(vendorKey, resellerKey, productId, planId, resellerId, poolId, csvPath, licenseKeys, list, ContactName, contactEmail);
    }

    /// <summary>lhctl's create commands print "  id: &lt;uuid&gt;".</summary>
    public static string Id(LhctlResult result) =>
        IdPattern().Match(result.StdOut) is { Success: true } m ? m.Groups["id"].Value : throw Fail("id", result);

    private static Exception Fail(string what, LhctlResult result) => new InvalidOperationException($"No {what} in the output of {result}");

    [GeneratedRegex(@"^\s*id:\s+(?<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$", RegexOptions.Multiline)]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"pool:\s+(?<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")]
    private static partial Regex PoolPattern();

    /// <summary>LicenseHub API keys: lh_, a 10-character lookup prefix, _, a 32-character secret.</summary>
    [GeneratedRegex(@"lh_[a-z0-9]{10}_[a-z0-9]{32}")]
    public static partial Regex ApiKeyPattern();

    /// <summary>License keys in display form: six groups of five Crockford base32 characters.</summary>
    [GeneratedRegex(@"^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){5}$")]
    public static partial Regex LicenseKeyPattern();
}
