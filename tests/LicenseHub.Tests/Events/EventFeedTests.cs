using Grpc.Core;
using LicenseHub.Server.Events;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using EventSettings = LicenseHub.V1.EventSettings;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LicenseHub.Tests.Events;

/// <summary>
/// The gap-free event feed: every change a reseller can see is an event, in commit order, scoped to its reseller,
/// free of personal data and secrets; expiry notices are sent once per expiry; pool.low once per crossing.
/// </summary>
public sealed class EventFeedTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly LicenseHubFactory _factory;

    public EventFeedTests()
    {
        _factory = new LicenseHubFactory(builder =>
        {
            builder.UseSetting("LicenseHub:Retention:Enabled", "false");
            builder.UseSetting("LicenseHub:Webhooks:Deliver", "false");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
    }

    public void Dispose() => _factory.Dispose();

    private async Task<List<Event>> AllAsync(string key, long after = 0, params string[] types)
    {
        var all = new List<Event>();
        while (true)
        {
            var request = new ListEventsRequest { After = after, PageSize = 3 };
            request.EventTypes.Add(types);
            var page = await _factory.Events(key).ListEventsAsync(request);
            all.AddRange(page.Events);
            if (page.Events.Count == 0)
            {
                Assert.Equal(after, page.NextAfter);
                return all;
            }
            after = page.NextAfter;
        }
    }

    [Fact]
    public async Task TheLifeCycleOfALicense_IsInTheFeed_InCommitOrder_AndOnlyForItsReseller()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var other = await scenario.AddResellerAsync("Other Hosting Ltd");
        var client = _factory.Reseller(reseller.OwnerKey);

        var pool = await scenario.BuyAsync(reseller, 2);
        var assigned = await client.AssignLicensesAsync(new AssignLicensesRequest
        {
            PoolId = pool.Id,
            Assignments = { new LicenseAssignment { ResellerReference = "whmcs-service-42" } },
        });
        var license = assigned.Licenses[0].License;
        await client.SuspendLicenseAsync(new LicenseActionRequest { LicenseId = license.Id });
        await client.ResumeLicenseAsync(new LicenseActionRequest { LicenseId = license.Id });
        await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = "renewal-0001" });
        await client.RevokeLicenseAsync(new LicenseActionRequest { LicenseId = license.Id });
        await scenario.BuyAsync(other, 1);

        var events = await AllAsync(reseller.OwnerKey);
        Assert.Equal(
            ["order.completed", "license.assigned", "license.suspended", "license.resumed", "order.completed", "license.renewed", "license.revoked"],
            events.Select(e => e.Type));
        // Gap-free for the vendor, who sees every reseller's: 1..n with nothing missing.
        var vendorEvents = await AllAsync(_factory.VendorKey);
        Assert.Equal(Enumerable.Range(1, vendorEvents.Count).Select(i => (long)i), vendorEvents.Select(e => e.Sequence));
        Assert.Equal(8, vendorEvents.Count);
        Assert.Single(vendorEvents, e => e.ResellerId == other.ResellerId);
        Assert.DoesNotContain(events, e => e.ResellerId != reseller.ResellerId);

        var assignedEvent = events[1];
        Assert.Equal("license", assignedEvent.ObjectType);
        Assert.Equal(license.Id, assignedEvent.ObjectId);
        Assert.Equal(license.Id, assignedEvent.Data.Fields["license_id"].StringValue);
        Assert.Equal("whmcs-service-42", assignedEvent.Data.Fields["reseller_reference"].StringValue);
        Assert.Equal("active", assignedEvent.Data.Fields["state"].StringValue);
        Assert.Equal("suspended", events[2].Data.Fields["state"].StringValue);
        Assert.Equal("revoked", events[6].Data.Fields["state"].StringValue);
        Assert.Equal("renewal", events[4].Data.Fields["kind"].StringValue);
        Assert.Equal(1999, events[4].Data.Fields["amount_minor"].NumberValue);
        Assert.True(DateTimeOffset.Parse(events[5].Data.Fields["expires_at"].StringValue) > license.ExpiresAt.ToDateTimeOffset());

        // Never the license key, nor the reseller's company or contact.
        var text = string.Join("\n", vendorEvents.Select(e => e.ToString()));
        Assert.DoesNotContain(assigned.Licenses[0].LicenseKey, text);
        Assert.DoesNotContain("Example Hosting", text);
        Assert.DoesNotContain("billing@", text);

        // Reading on from a cursor gives exactly the rest; a filter by type only those.
        Assert.Equal(events.Skip(3).Select(e => e.Id), (await AllAsync(reseller.OwnerKey, events[2].Sequence)).Select(e => e.Id));
        Assert.Equal(2, (await AllAsync(reseller.OwnerKey, 0, "order.completed")).Count);
    }

    [Fact]
    public async Task BadFilters_AreRefusedNamingTheField_AndAnotherResellersFeed_IsNotFound()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var other = await scenario.AddResellerAsync("Other Hosting Ltd");
        var events = _factory.Events(reseller.ViewerKey);
        await RpcAssert.InvalidField("event_types[0]", () => events.ListEventsAsync(new ListEventsRequest { EventTypes = { "license.exploded" } }));
        await RpcAssert.InvalidField("after", () => events.ListEventsAsync(new ListEventsRequest { After = -1 }));
        await RpcAssert.InvalidField("page_size", () => events.ListEventsAsync(new ListEventsRequest { PageSize = 501 }));
        await RpcAssert.Fails(StatusCode.NotFound, () => events.ListEventsAsync(new ListEventsRequest { ResellerId = other.ResellerId }));
        // The vendor narrows to one reseller.
        await scenario.BuyAsync(other, 1);
        var vendorView = await _factory.Events().ListEventsAsync(new ListEventsRequest { ResellerId = other.ResellerId });
        Assert.Single(vendorView.Events);
    }

    [Fact]
    public async Task ExpiryNotices_AreSentOncePerExpiry_AtTheResellersNoticeDays_AndAgainAfterARenewal()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var client = _factory.Reseller(reseller.OwnerKey);
        await _factory.Events(reseller.OwnerKey).UpdateEventSettingsAsync(new EventSettings { ExpiryNoticeDays = 10 });
        var pool = await scenario.BuyAsync(reseller, 1);
        var license = (await scenario.AssignAsync(reseller, pool.Id, 1)).Licenses[0].License;
        var watcher = _factory.Services.GetRequiredService<ExpiryWatcher>();

        _clock.Advance(TimeSpan.FromDays(365 - 11));
        await watcher.ScanAsync(CancellationToken.None);
        Assert.Empty(await AllAsync(reseller.OwnerKey, 0, "license.expiring"));

        _clock.Advance(TimeSpan.FromDays(2));
        await watcher.ScanAsync(CancellationToken.None);
        await watcher.ScanAsync(CancellationToken.None);
        var expiring = Assert.Single(await AllAsync(reseller.OwnerKey, 0, "license.expiring"));
        Assert.Equal(license.Id, expiring.ObjectId);

        _clock.Advance(TimeSpan.FromDays(10));
        await watcher.ScanAsync(CancellationToken.None);
        await watcher.ScanAsync(CancellationToken.None);
        var expired = Assert.Single(await AllAsync(reseller.OwnerKey, 0, "license.expired"));
        Assert.Equal("expired", expired.Data.Fields["state"].StringValue);

        // Renewed: the new expiry gets its own notices.
        await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = license.Id, Terms = 1, IdempotencyKey = "renewal-after-expiry" });
        _clock.Advance(TimeSpan.FromDays(360));
        await watcher.ScanAsync(CancellationToken.None);
        Assert.Equal(2, (await AllAsync(reseller.OwnerKey, 0, "license.expiring")).Count);
    }

    [Fact]
    public async Task PoolLow_IsSentWhenAnAssignmentTakesThePoolBelowTheThreshold_OncePerCrossing()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var events = _factory.Events(reseller.OwnerKey);
        await RpcAssert.InvalidField("pool_low_threshold", () => events.UpdateEventSettingsAsync(new EventSettings { ExpiryNoticeDays = 7, PoolLowThreshold = -1 }));
        await RpcAssert.InvalidField("expiry_notice_days", () => events.UpdateEventSettingsAsync(new EventSettings { ExpiryNoticeDays = 0 }));
        await RpcAssert.Fails(StatusCode.PermissionDenied,
            () => _factory.Events(reseller.ViewerKey).UpdateEventSettingsAsync(new EventSettings { ExpiryNoticeDays = 7, PoolLowThreshold = 2 }));
        var settings = await events.UpdateEventSettingsAsync(new EventSettings { ExpiryNoticeDays = 7, PoolLowThreshold = 2 });
        Assert.Equal(2, settings.PoolLowThreshold);
        Assert.Equal(2, (await events.GetEventSettingsAsync(new GetEventSettingsRequest())).PoolLowThreshold);

        var pool = await scenario.BuyAsync(reseller, 4);
        await scenario.AssignAsync(reseller, pool.Id, 2); // 2 left: not below
        Assert.Empty(await AllAsync(reseller.OwnerKey, 0, "pool.low"));
        await scenario.AssignAsync(reseller, pool.Id, 1); // 1 left: below
        await scenario.AssignAsync(reseller, pool.Id, 1); // 0 left: still below, no second notice
        var low = Assert.Single(await AllAsync(reseller.OwnerKey, 0, "pool.low"));
        Assert.Equal(1, low.Data.Fields["available"].NumberValue);
        Assert.Equal(2, low.Data.Fields["threshold"].NumberValue);
    }

    [Fact]
    public async Task WatchEvents_StreamsWhatCommitsAfterItStarted()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        await scenario.BuyAsync(reseller, 1);
        var first = (await AllAsync(reseller.OwnerKey)).Single();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = _factory.Events(reseller.OwnerKey).WatchEvents(new WatchEventsRequest { After = first.Sequence }, cancellationToken: cts.Token);
        var next = watch.ResponseStream.MoveNext(cts.Token);
        await Task.Delay(200);
        Assert.False(next.IsCompleted);
        await scenario.BuyAsync(reseller, 1);
        Assert.True(await next);
        Assert.Equal("order.completed", watch.ResponseStream.Current.Type);
        Assert.Equal(first.Sequence + 1, watch.ResponseStream.Current.Sequence);
        cts.Cancel();
    }
}
