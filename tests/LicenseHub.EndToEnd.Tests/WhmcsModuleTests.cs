using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// The WHMCS provisioning module (integrations/whmcs) run by Debian's php-cli with php-curl through
/// integrations/whmcs/tests/harness.php, which calls each function with the $params WHMCS passes, against the real
/// server: the billing life cycle over REST. What the module did is checked on the server itself, not on its word.
/// Needs <c>apt-get install php-cli php-curl</c> (tests/setup/40-verifiers.sh).
/// </summary>
public sealed class WhmcsModuleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string Harness = Path.Combine(BuiltOutputs.RepositoryRoot, "integrations", "whmcs", "tests", "harness.php");

    [Fact]
    public async Task Harness_FullLifeCycle_OrdersOnceAssignsOnceAndLogsNoSecret()
    {
        var flow = await fixture.FlowAsync("whmcs");
        string[] asVendor = ["--api-key-file", fixture.Server.VendorKeyFile];
        var emptyPlan = NewcomerFlow.Id(await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "plan", "create", "--product", flow.ProductId,
            "--code", "business-1y", "--edition", "business", "--term-days", "365", "--max-machines", "5", "--price", "49.00",
            "--currency", "EUR", "--transfer-budget", "3"]));

        var run = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("php", Path.GetDirectoryName(Harness)!,
            new Dictionary<string, string>
            {
                ["LICENSEHUB_URL"] = fixture.Server.WebUrl,
                ["LICENSEHUB_API_KEY"] = flow.ResellerKey,
                ["LICENSEHUB_PLAN_STOCKED"] = flow.PlanId,
                ["LICENSEHUB_PLAN_EMPTY"] = emptyPlan,
            }, [Harness]), TimeSpan.FromSeconds(120));
        Assert.True(run.ExitCode == 0 && !run.TimedOut, $"php harness.php -> {run.ExitCode}\n{run.StdErr}\n{run.StdOut}");
        var output = JsonNode.Parse(run.StdOut)!;
        var steps = output["steps"]!;
        string Step(string name) => steps[name]!.ToString();

        Assert.Equal("LicenseHub", Step("metaData"));
        Assert.Equal(["Plan ID", "Order Batch", "Renewal Terms"], steps["configOptions"]!.AsArray().Select(n => n!.ToString()));
        Assert.True((bool)steps["testConnection"]!["success"]!, Step("testConnection"));
        Assert.False((bool)steps["testConnectionWrongKey"]!["success"]!);
        Assert.Contains("API key", Step("testConnectionWrongKey"));
        foreach (var name in new[] { "createFromEmptyPool", "createRetried", "createAlreadyStored", "createFromStockedPool", "suspend",
            "suspendRetried", "unsuspend", "renew", "renewRetried", "changePackage", "terminate" })
        {
            Assert.True(Step(name) == "success", $"{name}: {Step(name)}");
        }
        Assert.True((bool)steps["sameLicenseOnRetry"]!);
        Assert.Contains("Plan ID", Step("createWithoutPlan"));
        Assert.StartsWith("LicenseHub: ", Step("createUnknownPlan"));
        Assert.Contains("plan", Step("createUnknownPlan"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Create first", Step("suspendUnprovisioned"));
        Assert.Contains("cannot be reached", Step("createUnreachable"));

        var service101 = output["services"]!["101"]!;
        var license101 = service101["username"]!.ToString();
        var key101 = service101["password"]!.ToString();
        Assert.Matches(NewcomerFlow.LicenseKeyPattern(), key101);
        var license102 = output["services"]!["102"]!["username"]!.ToString();
        Assert.NotEqual(license101, license102);
        Assert.Contains(key101, Step("clientArea"));
        Assert.Contains("active", Step("clientArea"));

        // On the server: the empty plan was bought once (a batch of 2), the stocked plan not at all, and the renewal
        // was paid once although Renew ran twice.
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Server.WebUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", flow.ResellerKey);
        var orders = (await GetAsync(http, "/v1/orders?page.pageSize=500"))["orders"]!.AsArray();
        var purchases = orders.Where(o => o!["idempotencyKey"]?.ToString() == "whmcs:order:101").ToList();
        Assert.Equal(2, (int)Assert.Single(purchases)!["quantity"]!);
        Assert.DoesNotContain(orders, o => o!["idempotencyKey"]?.ToString() == "whmcs:order:102");
        Assert.Single(orders, o => o!["idempotencyKey"]?.ToString().StartsWith("whmcs:renew:101:") == true);

        var assigned = (await GetAsync(http, "/v1/licenses?resellerReference=whmcs:service:101"))["licenses"]!.AsArray();
        Assert.Equal(license101, Assert.Single(assigned)!["id"]!.ToString());
        Assert.StartsWith(assigned[0]!["keyPrefix"]!.ToString(), key101.Replace("-", ""));
        Assert.Equal("LICENSE_STATE_ACTIVE", assigned[0]!["state"]!.ToString());
        var pool = (await GetAsync(http, "/v1/pools"))["pools"]!.AsArray().Single(p => p!["planId"]!.ToString() == emptyPlan)!;
        Assert.Equal(1, (int)pool["assigned"]!);

        var stocked = (await GetAsync(http, $"/v1/licenses/{license102}"))["license"]!;
        Assert.Equal("LICENSE_STATE_REVOKED", stocked["state"]!.ToString());
        Assert.Equal(flow.PlanId, stocked["poolId"] is null ? null : (await GetAsync(http, $"/v1/pools/{stocked["poolId"]}"))["planId"]!.ToString());
        Assert.True(stocked["planId"]!.ToString() == emptyPlan || stocked["pendingPlanId"]?.ToString() == emptyPlan, stocked.ToJsonString());

        // The module log keeps every call but neither the API key nor a license key.
        var log = string.Join("\n", output["log"]!.AsArray().Select(n => n!.ToString()));
        Assert.Contains("POST /v1/orders", log);
        Assert.Contains("whmcs:assign:101", log);
        Assert.DoesNotContain(flow.ResellerKey, log);
        Assert.DoesNotContain(key101, log);
        Assert.DoesNotContain(key101.Replace("-", ""), log);
        Assert.DoesNotContain(flow.ResellerKey, fixture.Server.Output);
        Assert.DoesNotContain(key101, fixture.Server.Output);
    }

    private static async Task<JsonNode> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} -> {(int)response.StatusCode}\n{body}");
        return JsonNode.Parse(body)!;
    }
}
