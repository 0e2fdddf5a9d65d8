using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LicenseHub.Tests.Infrastructure;

namespace LicenseHub.Tests.Portal;

/// <summary>ResellerService as REST/JSON (gRPC JSON transcoding), the way a billing system calls it: a plain HttpClient.</summary>
public sealed class RestTests : IAsyncLifetime
{
    private readonly LicenseHubFactory _factory = new();
    private Scenario _scenario = null!;
    private ResellerSetup _reseller = null!;

    public async Task InitializeAsync()
    {
        _scenario = await Scenario.CreateAsync(_factory);
        _reseller = await _scenario.AddResellerAsync();
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    private HttpClient Client(string? key)
    {
        var client = _factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    [Fact]
    public async Task Rest_BuyAssignListRevoke_WorksLikeGrpc()
    {
        var http = Client(_reseller.ManagerKey);

        var order = await PostAsync(http, "/v1/orders", new { planId = _scenario.Plan.Id, quantity = 5, idempotencyKey = "whmcs-invoice-1001" });
        var poolId = order.GetProperty("pool").GetProperty("id").GetString();
        Assert.Equal(5, order.GetProperty("pool").GetProperty("purchased").GetInt32());

        var assigned = await PostAsync(http, $"/v1/pools/{poolId}/licenses",
            new { assignments = new[] { new { resellerReference = "svc-1" }, new { resellerReference = "svc-2" } } });
        var licenses = assigned.GetProperty("licenses").EnumerateArray().ToList();
        Assert.Equal(2, licenses.Count);
        Assert.Matches("^[0-9A-Z]{5}(-[0-9A-Z]{5}){5}$", licenses[0].GetProperty("licenseKey").GetString());
        Assert.Equal(3, assigned.GetProperty("pool").GetProperty("available").GetInt32());
        var licenseId = licenses[0].GetProperty("license").GetProperty("id").GetString();

        var list = await http.GetFromJsonAsync<JsonElement>("/v1/licenses?resellerReference=svc-1");
        Assert.Equal(licenseId, Assert.Single(list.GetProperty("licenses").EnumerateArray()).GetProperty("id").GetString());

        var revoked = await PostAsync(http, $"/v1/licenses/{licenseId}:revoke", null);
        Assert.Equal("LICENSE_STATE_REVOKED", revoked.GetProperty("state").GetString());

        var revokedList = await http.GetFromJsonAsync<JsonElement>("/v1/licenses?state=LICENSE_STATE_REVOKED&page.pageSize=10");
        Assert.Equal(licenseId, Assert.Single(revokedList.GetProperty("licenses").EnumerateArray()).GetProperty("id").GetString());
        var audited = _factory.WithDb(db => db.AuditEvents.Single(e => e.Action == "license.revoke" && e.ObjectId == licenseId));
        Assert.StartsWith("apikey:", audited.ActorId);
    }

    [Fact]
    public async Task Rest_WrongOrMissingKey_Answers401()
    {
        var wrong = await Client("lh_0000000000_00000000000000000000000000000000").GetAsync("/v1/pools");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var missing = await Client(null).PostAsJsonAsync("/v1/orders", new { planId = _scenario.Plan.Id, quantity = 1, idempotencyKey = "whmcs-invoice-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains("API key", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rest_BadInput_Answers400NamingTheField()
    {
        var http = Client(_reseller.OwnerKey);
        var response = await http.PostAsJsonAsync("/v1/orders", new { planId = _scenario.Plan.Id, quantity = 0, idempotencyKey = "whmcs-invoice-2" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, body.GetProperty("code").GetInt32());
        Assert.Contains("quantity", body.GetProperty("message").GetString());
        var violation = body.GetProperty("details")[0].GetProperty("fieldViolations")[0];
        Assert.Equal("quantity", violation.GetProperty("field").GetString());

        var reference = await http.PostAsJsonAsync("/v1/orders", new { planId = _scenario.Plan.Id, quantity = 1, idempotencyKey = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, reference.StatusCode);
        // Named as the JSON body names it; gRPC callers get idempotency_key.
        Assert.Contains("idempotencyKey", await reference.Content.ReadAsStringAsync());
        Assert.DoesNotContain("idempotency_key", await reference.Content.ReadAsStringAsync());
        Assert.Equal(0, _factory.WithDb(db => db.Orders.Count()));
    }

    [Fact]
    public async Task Rest_UnknownPathOrWrongMethod_AnswersAJsonStatus_NotThePortalsPage()
    {
        var http = Client(_reseller.OwnerKey);

        var unknown = await http.GetAsync("/v1/no-such-operation");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/json", unknown.Content.Headers.ContentType?.MediaType);
        var notFound = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, notFound.GetProperty("code").GetInt32());
        Assert.Contains("/swagger", notFound.GetProperty("message").GetString());

        // Routing answers a path that exists with another method as not found: still a JSON status.
        var wrongMethod = await http.PutAsJsonAsync("/v1/orders", new { quantity = 1 });
        Assert.Contains(wrongMethod.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
        Assert.Equal("application/json", wrongMethod.Content.Headers.ContentType?.MediaType);
        Assert.True((await wrongMethod.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetInt32() is 5 or 12);

        // Outside /v1 the portal's own page answers, as before.
        var page = await Client(null).GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Rest_AnotherResellersLicense_Answers404()
    {
        var other = await _scenario.AddResellerAsync("Other Hosting BV");
        var pool = await _scenario.BuyAsync(other, 1);
        var theirs = (await _scenario.AssignAsync(other, pool.Id, 1)).Licenses[0].License.Id;
        var response = await Client(_reseller.OwnerKey).PostAsync($"/v1/licenses/{theirs}:revoke", null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesEveryResellerAndVendorRpc()
    {
        var document = await Client(null).GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/v1/orders", "/v1/pools/{poolId}/licenses", "/v1/licenses", "/v1/licenses/{licenseId}:revoke", "/v1/account:export",
            "/v1/vendor/products", "/v1/vendor/resellers/{resellerId}:suspend", "/v1/vendor/licenses/{licenseId}:suspend" })
        {
            Assert.Contains(path, paths);
        }
        var operations = document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).Count();
        Assert.Equal(LicenseHub.V1.ResellerService.Descriptor.Methods.Count + LicenseHub.V1.EventService.Descriptor.Methods.Count
            + LicenseHub.V1.VendorService.Descriptor.Methods.Count, operations);
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object? body)
    {
        var response = body is null ? await http.PostAsync(path, null) : await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
