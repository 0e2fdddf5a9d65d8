using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// The REST face as a billing system uses it, against the real server: field violations named as the JSON body names
/// them, short enum values, pageSize/pageToken with a total, and lookup by key prefix.
/// </summary>
public sealed class RestApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Rest_FieldViolations_NameJsonFieldsWhileGrpcKeepsProtoNames_AndNothingIsStored()
    {
        var flow = await fixture.FlowAsync("rest");
        using var http = Client(flow.ResellerKey);
        var ordersBefore = (await GetAsync(http, "/v1/orders"))["orders"]!.AsArray().Count;

        var order = await SendAsync(http, HttpMethod.Post, "/v1/orders", new JsonObject
        {
            ["planId"] = flow.PlanId, ["quantity"] = 1, ["idempotencyKey"] = "bad",
        });
        Assert.Equal(HttpStatusCode.BadRequest, order.Status);
        Assert.Equal(3, (int)order.Body["code"]!);
        Assert.Contains("idempotencyKey", Violations(order.Body));
        Assert.DoesNotContain("idempotency_key", Violations(order.Body));

        var assign = await SendAsync(http, HttpMethod.Post, $"/v1/pools/{flow.PoolId}/licenses", new JsonObject
        {
            ["assignments"] = new JsonArray(new JsonObject { ["resellerReference"] = "cust-1" }, new JsonObject { ["resellerReference"] = "not valid!" }),
            ["idempotencyKey"] = "rest-assign-0001",
        });
        Assert.Equal(HttpStatusCode.BadRequest, assign.Status);
        Assert.Contains("assignments[1].resellerReference", Violations(assign.Body));

        Assert.Equal(ordersBefore, (await GetAsync(http, "/v1/orders"))["orders"]!.AsArray().Count);
        Assert.Equal(0, Count((await GetAsync(http, "/v1/licenses?resellerReference=cust-1"))["licenses"]));

        // The same refusal over gRPC keeps the proto name.
        var grpc = await fixture.Lhctl.RunAsync(flow.ResellerKey, "order", "create", "--plan", flow.PlanId, "--quantity", "1",
            "--idempotency-key", "bad");
        Assert.True(grpc.ExitCode == 1, grpc.ToString());
        Assert.Contains("idempotency_key", grpc.StdErr);
    }

    [Fact]
    public async Task Rest_ListLicenses_ShortEnumsPageSizeTotalAndKeyPrefix()
    {
        var flow = await fixture.FlowAsync("rest");
        using var http = Client(flow.ResellerKey);

        foreach (var state in new[] { "active", "ACTIVE", "LICENSE_STATE_ACTIVE" })
        {
            var active = await GetAsync(http, $"/v1/licenses?state={state}");
            Assert.Equal(3, active["licenses"]!.AsArray().Count);
            Assert.Equal(3, (int)active["totalSize"]!);
        }
        var suspended = await GetAsync(http, "/v1/licenses?state=suspended");
        Assert.Equal(0, Count(suspended["licenses"]));
        Assert.Equal(0, (int?)suspended["totalSize"] ?? 0);
        var unknown = await SendAsync(http, HttpMethod.Get, "/v1/licenses?state=sleeping", null);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);

        var first = await GetAsync(http, "/v1/licenses?pageSize=2");
        Assert.Equal(2, first["licenses"]!.AsArray().Count);
        Assert.Equal(3, (int)first["totalSize"]!);
        var token = first["nextPageToken"]!.ToString();
        var second = await GetAsync(http, $"/v1/licenses?pageSize=2&pageToken={Uri.EscapeDataString(token)}");
        Assert.Single(second["licenses"]!.AsArray());
        Assert.Equal("", second["nextPageToken"]?.ToString() ?? "");
        Assert.Equal(2, (await GetAsync(http, "/v1/licenses?page.pageSize=2"))["licenses"]!.AsArray().Count);
        Assert.Single((await GetAsync(http, "/v1/orders?pageSize=1"))["orders"]!.AsArray());
        var tooBig = await SendAsync(http, HttpMethod.Get, "/v1/licenses?pageSize=100000", null);
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.Status);
        Assert.Contains("page.pageSize", Violations(tooBig.Body));

        var key = flow.LicenseKeys[1];
        var byPrefix = await GetAsync(http, $"/v1/licenses?keyPrefix={key[..9]}");
        var found = Assert.Single(byPrefix["licenses"]!.AsArray())!;
        Assert.StartsWith(found["keyPrefix"]!.ToString(), key.Replace("-", ""));
        var whole = await SendAsync(http, HttpMethod.Get, $"/v1/licenses?keyPrefix={key}", null);
        Assert.Equal(HttpStatusCode.BadRequest, whole.Status);
        Assert.Contains("keyPrefix", Violations(whole.Body));
        Assert.DoesNotContain(key, whole.Body.ToJsonString());
    }

    [Fact]
    public async Task Rest_VendorOperations_WithVendorKeyAndShortEnumInBody_ResellerKeyRefused()
    {
        var flow = await fixture.FlowAsync("rest");
        using var vendor = Client(flow.VendorKey);

        var product = await SendAsync(vendor, HttpMethod.Post, "/v1/vendor/products", new JsonObject { ["code"] = "rest-made", ["name"] = "Made over REST" });
        Assert.True(product.Status == HttpStatusCode.OK, product.Body.ToJsonString());
        var productId = product.Body["id"]!.ToString();
        Assert.Contains((await GetAsync(vendor, "/v1/vendor/products"))["products"]!.AsArray(), p => p!["id"]!.ToString() == productId);

        // A body enum in its short form: "role": "viewer" is API_KEY_ROLE_VIEWER.
        var key = await SendAsync(vendor, HttpMethod.Post, $"/v1/vendor/resellers/{flow.ResellerId}/api-keys",
            new JsonObject { ["name"] = "billing-readonly", ["role"] = "viewer" });
        Assert.True(key.Status == HttpStatusCode.OK, key.Body.ToJsonString());
        Assert.Equal("API_KEY_ROLE_VIEWER", key.Body["info"]!["role"]!.ToString());
        var wrongRole = await SendAsync(vendor, HttpMethod.Post, $"/v1/vendor/resellers/{flow.ResellerId}/api-keys",
            new JsonObject { ["name"] = "billing-bad", ["role"] = "emperor" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongRole.Status);

        var suspended = await SendAsync(vendor, HttpMethod.Post, $"/v1/vendor/resellers/{flow.ResellerId}:suspend", new JsonObject { ["reason"] = "REST test" });
        Assert.True(suspended.Status == HttpStatusCode.OK, suspended.Body.ToJsonString());
        Assert.Equal("RESELLER_STATUS_SUSPENDED", suspended.Body["status"]!.ToString());
        Assert.Single((await GetAsync(vendor, "/v1/vendor/resellers?status=suspended"))["resellers"]!.AsArray());
        var resumed = await SendAsync(vendor, HttpMethod.Post, $"/v1/vendor/resellers/{flow.ResellerId}:resume", null);
        Assert.Equal("RESELLER_STATUS_ACTIVE", resumed.Body["status"]!.ToString());

        using var reseller = Client(flow.ResellerKey);
        var refused = await SendAsync(reseller, HttpMethod.Get, "/v1/vendor/products", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal(7, (int)refused.Body["code"]!);
        using var anonymous = Client("lh_wrongwrong_00000000000000000000000000000000");
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(anonymous, HttpMethod.Get, "/v1/vendor/products", null)).Status);
    }

    private HttpClient Client(string apiKey)
    {
        var http = new HttpClient { BaseAddress = new Uri(fixture.Server.WebUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    private static int Count(JsonNode? array) => array?.AsArray().Count ?? 0;

    private static string Violations(JsonNode status) =>
        string.Join("\n", status["details"]!.AsArray().SelectMany(d => d!["fieldViolations"]?.AsArray() ?? []).Select(v => v!["field"]!.ToString()));

    private static async Task<JsonNode> GetAsync(HttpClient http, string path)
    {
        var (status, body) = await SendAsync(http, HttpMethod.Get, path, null);
        Assert.True(status == HttpStatusCode.OK, $"GET {path} -> {(int)status}\n{body.ToJsonString()}");
        return body;
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpClient http, HttpMethod method, string path, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text)!);
    }
}
