using System.Text.Json;
using Grpc.Core;
using LicenseHub.Server.Events;
using LicenseHub.Testing;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LicenseHub.Tests.Events;

/// <summary>
/// Webhooks to a real HTTP receiver on loopback (allowed here by configuration, as the operator would allow it):
/// signed as the Standard Webhooks specification says, retried until delivered exactly once, never redirected,
/// recorded without bodies, and an endpoint failing for days disabled with the reseller told.
/// </summary>
public sealed class WebhookTests : IAsyncDisposable
{
    private readonly WebhookReceiver _receiver = new();
    private LicenseHubFactory? _factory;

    private LicenseHubFactory Start(bool allowPrivate = true, TimeProvider? clock = null, bool deliver = true)
    {
        _factory = new LicenseHubFactory(builder =>
        {
            builder.UseSetting("LicenseHub:Retention:Enabled", "false");
            builder.UseSetting("LicenseHub:Webhooks:AllowPrivateDestinations", allowPrivate ? "true" : "false");
            builder.UseSetting("LicenseHub:Webhooks:FirstRetryDelay", "00:00:00.050");
            builder.UseSetting("LicenseHub:Webhooks:MaxRetryDelay", "00:00:00.200");
            builder.UseSetting("LicenseHub:Webhooks:AttemptTimeout", "00:00:05");
            builder.UseSetting("LicenseHub:Webhooks:PollInterval", "00:00:00.100");
            builder.UseSetting("LicenseHub:Webhooks:Deliver", deliver ? "true" : "false");
            if (clock is not null)
            {
                builder.ConfigureTestServices(services => services.AddSingleton(clock));
            }
        });
        return _factory;
    }

    public async ValueTask DisposeAsync()
    {
        _factory?.Dispose();
        await _receiver.DisposeAsync();
    }

    private static async Task<(Scenario Scenario, ResellerSetup Reseller)> ResellerAsync(LicenseHubFactory factory)
    {
        var scenario = await Scenario.CreateAsync(factory);
        return (scenario, await scenario.AddResellerAsync());
    }

    [Fact]
    public async Task ADelivery_IsSignedAsTheSpecificationSays_AndCarriesTheEvent()
    {
        var factory = Start();
        var (scenario, reseller) = await ResellerAsync(factory);
        var created = await factory.Events(reseller.OwnerKey).CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest
        {
            Url = _receiver.Url(), EventTypes = { "order.completed" }, Description = "billing",
        });
        Assert.StartsWith("whsec_", created.Secret);
        Assert.Equal(32, Convert.FromBase64String(created.Secret[6..]).Length);

        var pool = await scenario.BuyAsync(reseller, 2);
        await scenario.AssignAsync(reseller, pool.Id, 1); // license.assigned: not subscribed
        var got = await _receiver.WaitForAsync(r => r.Count >= 1, TimeSpan.FromSeconds(30));
        var hook = Assert.Single(got);
        Assert.True(WebhookReceiver.SignatureVerifies(hook, created.Secret), $"signature {hook.Signature} does not verify");
        Assert.False(WebhookReceiver.SignatureVerifies(hook with { Body = hook.Body.Replace("\"quantity\":2", "\"quantity\":20") }, created.Secret));
        Assert.True(Math.Abs(long.Parse(hook.Timestamp) - DateTimeOffset.UtcNow.ToUnixTimeSeconds()) < 120);

        using var body = JsonDocument.Parse(hook.Body);
        Assert.Equal("order.completed", body.RootElement.GetProperty("type").GetString());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(hook.Id, data.GetProperty("event_id").GetString());
        Assert.Equal(2, data.GetProperty("quantity").GetInt32());
        var feed = await factory.Events(reseller.OwnerKey).ListEventsAsync(new ListEventsRequest());
        Assert.Equal(feed.Events[0].Id, hook.Id);

        // The secret is shown once: never listed, and not stored in clear.
        var listed = await factory.Events(reseller.ViewerKey).ListWebhookEndpointsAsync(new ListWebhookEndpointsRequest());
        Assert.DoesNotContain(created.Secret[6..], listed.ToString());
        Assert.DoesNotContain(created.Secret[6..], factory.StoredText());
        await Task.Delay(300);
        Assert.Single(_receiver.Received); // the assignment was not for this endpoint
    }

    [Fact]
    public async Task AReceiverThatFailsThreeTimes_GetsTheEventExactlyOnce_AndTheAttemptsAreRecordedWithoutBodies()
    {
        var factory = Start();
        _receiver.Answer = i => i < 3 ? 500 : 200;
        var (scenario, reseller) = await ResellerAsync(factory);
        var endpoint = (await factory.Events(reseller.OwnerKey).CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest { Url = _receiver.Url() })).Endpoint;
        await scenario.BuyAsync(reseller, 1);

        var got = await _receiver.WaitForAsync(r => r.Any(x => x.Answered == 200), TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        got = _receiver.Received.ToArray();
        Assert.Equal(4, got.Count);
        Assert.Single(got.Select(r => r.Id).Distinct()); // one event, one webhook-id on every retry
        Assert.Single(got, r => r.Answered == 200);

        var deliveries = await factory.Events(reseller.ViewerKey).ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { EndpointId = endpoint.Id });
        var delivery = Assert.Single(deliveries.Deliveries);
        Assert.Equal(WebhookDeliveryState.Delivered, delivery.State);
        Assert.Equal(4, delivery.Attempts);
        Assert.Equal(200, delivery.LastStatusCode);
        Assert.Equal("order.completed", delivery.EventType);
    }

    [Fact]
    public async Task Redirects_AreNotFollowed_AndPrivateDestinations_AreRefusedUnlessAllowed()
    {
        var factory = Start(allowPrivate: false);
        var (_, reseller) = await ResellerAsync(factory);
        var events = factory.Events(reseller.OwnerKey);
        foreach (var url in new[] { _receiver.Url(), "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/",
                     "http://192.168.0.10/", "ftp://billing.example.com/", "https://user:pw@billing.example.com/", "not a url" })
        {
            await RpcAssert.InvalidField("url", () => events.CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest { Url = url }));
        }
        await RpcAssert.InvalidField("event_types[0]", () => events.CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest
        {
            Url = "https://203.0.113.10/hook", EventTypes = { "license.exploded" },
        }));
        await RpcAssert.Fails(StatusCode.PermissionDenied,
            () => factory.Events(reseller.ManagerKey).CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest { Url = "https://203.0.113.10/hook" }));
        Assert.Empty((await events.ListWebhookEndpointsAsync(new ListWebhookEndpointsRequest())).Endpoints);
    }

    [Fact]
    public async Task ARedirect_CountsAsAFailure_AndItsTargetIsNeverCalled()
    {
        var factory = Start();
        _receiver.Answer = _ => 302;
        var (scenario, reseller) = await ResellerAsync(factory);
        var endpoint = (await factory.Events(reseller.OwnerKey).CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest { Url = _receiver.Url() })).Endpoint;
        await scenario.BuyAsync(reseller, 1);
        await _receiver.WaitForAsync(r => r.Count >= 2, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(_receiver.Received, r => r.Path == _receiver.RedirectPath);
        var delivery = (await factory.Events(reseller.OwnerKey).ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { EndpointId = endpoint.Id }))
            .Deliveries.Single();
        Assert.Equal(WebhookDeliveryState.Pending, delivery.State);
        Assert.Equal(302, delivery.LastStatusCode);
        Assert.Contains("redirects are not followed", delivery.LastError);
    }

    [Fact]
    public async Task AnEndpointFailingForFiveDays_IsDisabled_TheResellerIsTold_AndRedeliveryAfterEnablingSendsWhatFailed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var factory = Start(clock: clock, deliver: false);
        _receiver.Answer = _ => 503;
        var (scenario, reseller) = await ResellerAsync(factory);
        var events = factory.Events(reseller.OwnerKey);
        var endpoint = (await events.CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest { Url = _receiver.Url() })).Endpoint;
        await scenario.BuyAsync(reseller, 1);
        var dispatcher = factory.Services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(1, await dispatcher.DeliverDueAsync(CancellationToken.None));
        // A new order every day, every delivery refused: failing for five days.
        for (var day = 0; day < 5; day++)
        {
            clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
            await scenario.BuyAsync(reseller, 1);
            await dispatcher.DeliverDueAsync(CancellationToken.None);
        }
        var listed = (await events.ListWebhookEndpointsAsync(new ListWebhookEndpointsRequest())).Endpoints.Single();
        Assert.NotNull(listed.DisabledAt);
        var told = (await events.ListEventsAsync(new ListEventsRequest { EventTypes = { "webhook_endpoint.disabled" } })).Events.Single();
        Assert.Equal(endpoint.Id, told.ObjectId);
        Assert.Contains("503", told.Data.Fields["reason"].StringValue);
        // Nothing is left pending: the first order's delivery ran out of its three-day retry window, the rest ended with the endpoint.
        var deliveries = (await events.ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { EndpointId = endpoint.Id })).Deliveries;
        Assert.Equal(6, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(WebhookDeliveryState.Failed, d.State));

        // Disabled: nothing more is queued for it, and redelivery waits for it to be enabled.
        await scenario.BuyAsync(reseller, 1);
        Assert.Equal(6, (await events.ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { EndpointId = endpoint.Id })).Deliveries.Count);
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () => events.RedeliverEventsAsync(new RedeliverEventsRequest
        {
            EndpointId = endpoint.Id, Since = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(clock.GetUtcNow().AddDays(-10)),
        }));

        _receiver.Answer = _ => 200;
        await events.EnableWebhookEndpointAsync(new WebhookEndpointRequest { EndpointId = endpoint.Id });
        var queued = await events.RedeliverEventsAsync(new RedeliverEventsRequest
        {
            EndpointId = endpoint.Id, Since = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(clock.GetUtcNow().AddDays(-10)),
        });
        Assert.Equal(8, queued.Queued); // seven orders and the disabled notice
        await RpcAssert.InvalidField("event_id", () => events.RedeliverEventsAsync(new RedeliverEventsRequest { EndpointId = endpoint.Id }));
        Assert.Equal(8, await dispatcher.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(8, _receiver.Received.Where(r => r.Answered == 200).Select(r => r.Id).Distinct().Count());
    }
}
