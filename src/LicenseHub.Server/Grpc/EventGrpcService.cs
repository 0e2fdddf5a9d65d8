using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LicenseHub.Domain.Events;
using LicenseHub.Server.Events;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Security;
using LicenseHub.V1;
using Microsoft.Extensions.Options;
using WebhookEndpoint = LicenseHub.V1.WebhookEndpoint;
using EventSettings = LicenseHub.V1.EventSettings;

namespace LicenseHub.Server.Grpc;

/// <summary>The event feed (resellers their own, the vendor everyone's) and a reseller's webhook endpoints.</summary>
public sealed class EventGrpcService(
    CallerAccessor callers,
    EventFeed feed,
    WebhookEndpoints webhooks,
    EventSignal signal,
    IOptions<LicenseHubOptions> options) : EventService.EventServiceBase
{
    private Caller Caller => callers.Caller;

    // Readable by every reseller key and by vendor admin and auditor keys; EventFeed scopes what each sees.
    [Requires(Permission.Authenticated)]
    public override async Task<ListEventsResponse> ListEvents(ListEventsRequest request, ServerCallContext context)
    {
        var page = await feed.ListAsync(Caller, request.After, request.PageSize, request.EventTypes, NullIfEmpty(request.ResellerId), context.CancellationToken);
        return new ListEventsResponse { Events = { page.Events.Select(ToProto) }, NextAfter = page.Cursor };
    }

    [Requires(Permission.Authenticated)]
    public override async Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context)
    {
        // Validated once, as ListEvents would.
        var first = await feed.ListAsync(Caller, request.After, EventFeed.MaxPage, request.EventTypes, NullIfEmpty(request.ResellerId), context.CancellationToken);
        var scope = EventFeed.Scope(Caller, NullIfEmpty(request.ResellerId));
        var types = request.EventTypes.Distinct().ToList();
        // The headers at once, before any event: a watcher knows it is connected (and allowed) while the feed is quiet.
        await context.WriteResponseHeadersAsync(new Metadata());
        var page = first;
        var ct = context.CancellationToken;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                foreach (var e in page.Events)
                {
                    await responseStream.WriteAsync(ToProto(e), ct);
                }
                if (page.Events.Count < EventFeed.MaxPage)
                {
                    await signal.WaitAsync(options.Value.Events.WatchPollInterval, ct);
                }
                page = await feed.PageAsync(scope, page.Cursor, EventFeed.MaxPage, types, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The caller stopped watching.
        }
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<EventSettings> GetEventSettings(GetEventSettingsRequest request, ServerCallContext context)
    {
        var s = await feed.SettingsAsync(Caller, context.CancellationToken);
        return new EventSettings { ExpiryNoticeDays = s.ExpiryNoticeDays, PoolLowThreshold = s.PoolLowThreshold };
    }

    [Requires(Permission.ResellerManageAccount)]
    public override async Task<EventSettings> UpdateEventSettings(EventSettings request, ServerCallContext context)
    {
        var s = await feed.UpdateSettingsAsync(Caller, request.ExpiryNoticeDays, request.PoolLowThreshold, context.CancellationToken);
        return new EventSettings { ExpiryNoticeDays = s.ExpiryNoticeDays, PoolLowThreshold = s.PoolLowThreshold };
    }

    [Requires(Permission.ResellerManageAccount)]
    public override async Task<CreateWebhookEndpointResponse> CreateWebhookEndpoint(CreateWebhookEndpointRequest request, ServerCallContext context)
    {
        var created = await webhooks.CreateAsync(Caller, request.Url, request.EventTypes, NullIfEmpty(request.Description), context.CancellationToken);
        return new CreateWebhookEndpointResponse { Endpoint = ToProto(created.Endpoint), Secret = created.Secret };
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<ListWebhookEndpointsResponse> ListWebhookEndpoints(ListWebhookEndpointsRequest request, ServerCallContext context) =>
        new() { Endpoints = { (await webhooks.ListAsync(Caller, context.CancellationToken)).Select(ToProto) } };

    [Requires(Permission.ResellerManageAccount)]
    public override async Task<DeleteWebhookEndpointResponse> DeleteWebhookEndpoint(WebhookEndpointRequest request, ServerCallContext context)
    {
        await webhooks.DeleteAsync(Caller, request.EndpointId, context.CancellationToken);
        return new DeleteWebhookEndpointResponse();
    }

    [Requires(Permission.ResellerManageAccount)]
    public override async Task<WebhookEndpoint> EnableWebhookEndpoint(WebhookEndpointRequest request, ServerCallContext context) =>
        ToProto(await webhooks.EnableAsync(Caller, request.EndpointId, context.CancellationToken));

    [Requires(Permission.ResellerRead)]
    public override async Task<ListWebhookDeliveriesResponse> ListWebhookDeliveries(ListWebhookDeliveriesRequest request, ServerCallContext context)
    {
        var (items, next) = await webhooks.DeliveriesAsync(Caller, request.EndpointId, request.Page?.PageSize ?? 0, request.Page?.PageToken,
            context.CancellationToken);
        return new ListWebhookDeliveriesResponse
        {
            Deliveries =
            {
                items.Select(x => new V1.WebhookDelivery
                {
                    Id = x.Delivery.Id.ToString(),
                    EventId = x.EventId == Guid.Empty ? "" : "evt_" + x.EventId.ToString("N"),
                    EventSequence = x.Delivery.EventSequence,
                    EventType = x.EventType,
                    State = x.Delivery.Status switch
                    {
                        WebhookDeliveryStatus.Pending => WebhookDeliveryState.Pending,
                        WebhookDeliveryStatus.Delivered => WebhookDeliveryState.Delivered,
                        _ => WebhookDeliveryState.Failed,
                    },
                    Attempts = x.Delivery.Attempts,
                    LastAttemptAt = x.Delivery.LastAttemptAt?.ToProto(),
                    LastStatusCode = x.Delivery.LastStatusCode ?? 0,
                    LastError = x.Delivery.LastError ?? "",
                    NextAttemptAt = x.Delivery.Status == WebhookDeliveryStatus.Pending ? x.Delivery.NextAttemptAt.ToProto() : null,
                }),
            },
            NextPageToken = next,
        };
    }

    [Requires(Permission.ResellerManageAccount)]
    public override async Task<RedeliverEventsResponse> RedeliverEvents(RedeliverEventsRequest request, ServerCallContext context)
    {
        var eventId = NullIfEmpty(request.EventId);
        // The feed shows ids as evt_ and 32 hex digits; the plain id is accepted too.
        if (eventId is not null && eventId.StartsWith("evt_", StringComparison.Ordinal))
        {
            eventId = eventId[4..];
        }
        var redelivery = await webhooks.RedeliverAsync(Caller, request.EndpointId, eventId, request.Since?.ToDateTimeOffset(), context.CancellationToken);
        return new RedeliverEventsResponse { Queued = redelivery.Queued };
    }

    private static Event ToProto(FeedEvent e) => new()
    {
        Id = WebhookDispatcher.EventId(e),
        Sequence = e.Sequence,
        Type = e.Type,
        OccurredAt = e.At.ToProto(),
        ResellerId = e.ResellerId.ToString(),
        ObjectType = e.ObjectType,
        ObjectId = e.ObjectId.ToString(),
        Data = Struct.Parser.ParseJson(e.Data),
    };

    private static WebhookEndpoint ToProto(Domain.Events.WebhookEndpoint e) => new()
    {
        Id = e.Id.ToString(),
        Url = e.Url,
        EventTypes = { e.EventTypes.Length == 0 ? [] : e.EventTypes.Split(',') },
        Description = e.Description ?? "",
        CreatedAt = e.CreatedAt.ToProto(),
        FailingSince = e.FailingSince?.ToProto(),
        DisabledAt = e.DisabledAt?.ToProto(),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
