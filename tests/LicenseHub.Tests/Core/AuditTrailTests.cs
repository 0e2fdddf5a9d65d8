using System.Net.Http.Json;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

public sealed class AuditTrailTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private async Task<(ResellerSetup Reseller, AssignLicensesResponse Assigned)> SomeActivityAsync()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 3);
        var assigned = await scenario.AssignAsync(reseller, pool.Id, 2);
        await _factory.Reseller(reseller.OwnerKey).RevokeLicenseAsync(new LicenseActionRequest { LicenseId = assigned.Licenses[0].License.Id });
        return (reseller, assigned);
    }

    [Fact]
    public async Task Mutations_WriteChainedEventsWithActorsAndNoSecrets()
    {
        var (reseller, assigned) = await SomeActivityAsync();
        var events = (await _factory.Vendor().ListAuditEventsAsync(new ListAuditEventsRequest { Page = new PageRequest { PageSize = 500 } })).Events;

        Assert.Contains(events, e => e.Action == "product.create");
        Assert.Contains(events, e => e.Action == "plan.create");
        Assert.Contains(events, e => e.Action == "reseller.create" && e.ObjectId == reseller.ResellerId);
        Assert.Equal(4, events.Count(e => e.Action == "apikey.create"));
        Assert.Contains(events, e => e.Action == "order.create" && e.ActorId == $"apikey:{reseller.OwnerKeyId}");
        Assert.Contains(events, e => e.Action == "license.assign" && e.Details.Contains("count=2"));
        Assert.Contains(events, e => e.Action == "license.revoke" && e.ObjectId == assigned.Licenses[0].License.Id);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i).Reverse(), events.Select(e => e.Sequence));
        var all = string.Join("\n", events.Select(e => e.ToString()));
        Assert.DoesNotContain(reseller.OwnerKey, all);
        Assert.All(assigned.Licenses, l => Assert.DoesNotContain(l.LicenseKey, all));
        Assert.True((await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest())).Intact);
    }

    [Fact]
    public async Task Mutations_WriteOnlyActionsTheTrailFilterOffers()
    {
        await SomeActivityAsync();
        var actions = _factory.WithDb(db => db.AuditEvents.Select(e => e.Action).Distinct().ToList());
        Assert.NotEmpty(actions);
        Assert.All(actions, a => Assert.Contains(a, LicenseHub.Server.Audit.AuditActions.Known));
    }

    [Fact]
    public async Task ListAuditEvents_FiltersByActionActorAndDays_OverGrpcAndRest_AndRefusesWrongOnes()
    {
        var (reseller, assigned) = await SomeActivityAsync();
        var vendor = _factory.Vendor();
        async Task<IReadOnlyList<AuditEvent>> List(ListAuditEventsRequest request)
        {
            request.Page = new PageRequest { PageSize = 500 };
            return (await vendor.ListAuditEventsAsync(request)).Events;
        }
        var all = await List(new ListAuditEventsRequest());
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");

        var revoked = Assert.Single(await List(new ListAuditEventsRequest { Action = "license.revoke" }));
        Assert.Equal(assigned.Licenses[0].License.Id, revoked.ObjectId);
        var byOwner = await List(new ListAuditEventsRequest { Actor = $"apikey:{reseller.OwnerKeyId}" });
        Assert.Equal(all.Count(e => e.ActorId == $"apikey:{reseller.OwnerKeyId}"), byOwner.Count);
        Assert.Contains(byOwner, e => e.Action == "order.create");
        Assert.Equal(byOwner.Select(e => e.Sequence), (await List(new ListAuditEventsRequest { Actor = reseller.OwnerKeyId })).Select(e => e.Sequence));
        var assignedByOwner = Assert.Single(await List(new ListAuditEventsRequest { Action = "license.assign", Actor = reseller.OwnerKeyId }));
        Assert.Contains("count=2", assignedByOwner.Details);
        Assert.Equal(all.Count, (await List(new ListAuditEventsRequest { FromDate = today, ToDate = today })).Count);
        Assert.Empty(await List(new ListAuditEventsRequest { FromDate = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd") }));
        Assert.Empty(await List(new ListAuditEventsRequest { ToDate = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd") }));

        // A wrong filter is refused, naming its field, instead of answering an empty list.
        await RpcAssert.InvalidField("action", () => vendor.ListAuditEventsAsync(new ListAuditEventsRequest { Action = "license.steal" }));
        await RpcAssert.InvalidField("actor", () => vendor.ListAuditEventsAsync(new ListAuditEventsRequest { Actor = "bob" }));
        await RpcAssert.InvalidField("from_date", () => vendor.ListAuditEventsAsync(new ListAuditEventsRequest { FromDate = "2026-02-30" }));
        await RpcAssert.InvalidField("to_date", () => vendor.ListAuditEventsAsync(new ListAuditEventsRequest { FromDate = "2026-03-10", ToDate = "2026-03-01" }));

        // The same filters as REST query parameters.
        using var http = _factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _factory.VendorKey);
        var rest = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/vendor/audit-events?action=license.revoke&fromDate={today}&toDate={today}");
        Assert.Equal(revoked.ObjectId, Assert.Single(rest.GetProperty("events").EnumerateArray()).GetProperty("objectId").GetString());
        var refused = await http.GetAsync("/v1/vendor/audit-events?fromDate=31.01.2026");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        // REST names the field as its JSON does.
        var violation = Assert.Single((await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("details")[0]
            .GetProperty("fieldViolations").EnumerateArray());
        Assert.Equal("fromDate", violation.GetProperty("field").GetString());
    }

    [Fact]
    public async Task VerifyAuditChain_EditedEvent_IsDetected()
    {
        await SomeActivityAsync();
        Assert.Equal(1, _factory.ExecuteSql("UPDATE \"AuditEvents\" SET \"ActorId\" = 'apikey:someone-else' WHERE \"Sequence\" = 5"));

        var result = await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.False(result.Intact);
        Assert.Equal(5, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task VerifyAuditChain_DeletedEvent_IsDetected()
    {
        await SomeActivityAsync();
        Assert.Equal(1, _factory.ExecuteSql("DELETE FROM \"AuditEvents\" WHERE \"Sequence\" = 4"));

        var result = await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.False(result.Intact);
        Assert.Equal(4, result.FirstBrokenSequence);
        Assert.Contains("missing", result.Problem);
    }

    [Fact]
    public async Task FailedMutation_WritesNoEvent()
    {
        var (reseller, assigned) = await SomeActivityAsync();
        var count = _factory.WithDb(db => db.AuditEvents.Count());

        await RpcAssert.Fails(Grpc.Core.StatusCode.FailedPrecondition, () =>
            _factory.Reseller(reseller.OwnerKey).RevokeLicenseAsync(new LicenseActionRequest { LicenseId = assigned.Licenses[0].License.Id }));

        Assert.Equal(count, _factory.WithDb(db => db.AuditEvents.Count()));
        Assert.True((await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest())).Intact);
    }
}
