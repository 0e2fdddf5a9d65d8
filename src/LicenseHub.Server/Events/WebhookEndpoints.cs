using System.Security.Cryptography;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Events;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Security;
using LicenseHub.Server.Signing;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Events;

/// <summary>A new endpoint and its signing secret (<c>whsec_</c> and base64), shown this once.</summary>
public sealed record CreatedEndpoint(WebhookEndpoint Endpoint, string Secret);

/// <summary>What a redelivery queued.</summary>
public sealed record Redelivery(int Queued);

/// <summary>Helpers for delivery rows.</summary>
public static class WebhookDeliveries
{
    public static WebhookDelivery New(WebhookEndpoint endpoint, long sequence, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        EndpointId = endpoint.Id,
        ResellerId = endpoint.ResellerId,
        EventSequence = sequence,
        Status = WebhookDeliveryStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
    };
}

/// <summary>
/// A reseller's webhook endpoints: register (the secret is shown once), list, delete, enable again after the server
/// disabled one for failing, list deliveries and redeliver. Destinations are checked by <see cref="DestinationPolicy"/>.
/// </summary>
public sealed class WebhookEndpoints(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, DestinationPolicy destinations,
    KeyEncryptionKey kek, TimeProvider clock)
{
    public const int MaxRedelivery = 10_000;

    public static string SealContext(Guid endpointId) => $"webhook-secret:{endpointId}";

    /// <summary>The secret a delivery is signed with.</summary>
    public static string Secret(KeyEncryptionKey kek, WebhookEndpoint endpoint) =>
        "whsec_" + Convert.ToBase64String(kek.Decrypt(endpoint.SealedSecret, SealContext(endpoint.Id)));

    public async Task<CreatedEndpoint> CreateAsync(Caller caller, string? url, IReadOnlyList<string> eventTypes, string? description, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var text = v.Text("url", url, WebhookEndpoint.MaxUrlLength);
        var types = EventFeed.Types(v, eventTypes, "event_types");
        var label = v.OptionalText("description", description, WebhookEndpoint.MaxDescriptionLength);
        Uri? uri = null;
        if (v.Violations.All(x => x.Field != "url") && !Uri.TryCreate(text, UriKind.Absolute, out uri))
        {
            v.Fail("url", "must be an absolute URL such as https://billing.example.com/licensehub/webhook");
        }
        if (uri is not null && await destinations.ProblemAsync(uri, ct) is { } problem)
        {
            v.Fail("url", problem);
        }
        v.ThrowIfInvalid();

        return await unitOfWork.RunAsync(async token =>
        {
            if (await db.WebhookEndpoints.CountAsync(e => e.ResellerId == resellerId, token) >= WebhookEndpoint.MaxPerReseller)
            {
                throw new PreconditionFailedException($"A reseller has at most {WebhookEndpoint.MaxPerReseller} webhook endpoints; delete one first.");
            }
            var secret = RandomNumberGenerator.GetBytes(32);
            var id = Guid.CreateVersion7();
            var endpoint = new WebhookEndpoint
            {
                Id = id,
                ResellerId = resellerId,
                Url = uri!.AbsoluteUri,
                Description = label,
                EventTypes = string.Join(',', types),
                SealedSecret = kek.Encrypt(secret, SealContext(id)),
                CreatedAt = clock.Now(),
            };
            db.WebhookEndpoints.Add(endpoint);
            await audit.AppendAsync(caller.ActorId, "webhook.create", "webhook_endpoint", id.ToString(),
                $"types={(types.Count == 0 ? "all" : endpoint.EventTypes)}", token);
            return new CreatedEndpoint(endpoint, "whsec_" + Convert.ToBase64String(secret));
        }, ct);
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(Caller caller, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        return await db.WebhookEndpoints.AsNoTracking().Where(e => e.ResellerId == resellerId).OrderBy(e => e.CreatedAt).ToListAsync(ct);
    }

    public async Task DeleteAsync(Caller caller, string? endpointId, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var id = ParseId(endpointId);
        await unitOfWork.RunAsync(async token =>
        {
            var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id && e.ResellerId == resellerId, token)
                ?? throw new NotFoundException("webhook endpoint", endpointId!);
            await db.WebhookDeliveries.Where(d => d.EndpointId == id).ExecuteDeleteAsync(token);
            db.WebhookEndpoints.Remove(endpoint);
            await audit.AppendAsync(caller.ActorId, "webhook.delete", "webhook_endpoint", id.ToString(), null, token);
            return true;
        }, ct);
    }

    /// <summary>Receives events again after the server disabled the endpoint; what failed meanwhile can be redelivered.</summary>
    public async Task<WebhookEndpoint> EnableAsync(Caller caller, string? endpointId, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var id = ParseId(endpointId);
        return await unitOfWork.RunAsync(async token =>
        {
            var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id && e.ResellerId == resellerId, token)
                ?? throw new NotFoundException("webhook endpoint", endpointId!);
            if (endpoint.DisabledAt is not null)
            {
                endpoint.DisabledAt = null;
                endpoint.FailingSince = null;
                await audit.AppendAsync(caller.ActorId, "webhook.enable", "webhook_endpoint", id.ToString(), null, token);
            }
            return endpoint;
        }, ct);
    }

    /// <summary>The endpoint's deliveries, newest first, with the events' types.</summary>
    public async Task<(IReadOnlyList<(WebhookDelivery Delivery, string EventType, Guid EventId)> Items, string Next)> DeliveriesAsync(Caller caller,
        string? endpointId, int pageSize, string? pageToken, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("endpoint_id", endpointId);
        var page = PageSpec.From(v, pageSize, pageToken);
        v.ThrowIfInvalid();
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id && e.ResellerId == resellerId, ct))
        {
            throw new NotFoundException("webhook endpoint", endpointId!);
        }
        var rows = await page.Window(db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == id), d => d.Id).ToListAsync(ct);
        var (items, next) = page.Cut(rows, d => d.Id);
        var sequences = items.Select(d => d.EventSequence).ToList();
        var events = await db.Events.AsNoTracking().Where(e => sequences.Contains(e.Sequence))
            .Select(e => new { e.Sequence, e.Type, e.Id }).ToDictionaryAsync(e => e.Sequence, ct);
        return (items.Select(d => (d, events.TryGetValue(d.EventSequence, out var e) ? e.Type : "", events.TryGetValue(d.EventSequence, out var f) ? f.Id : Guid.Empty))
            .ToList(), next);
    }

    /// <summary>
    /// Queues one event (by id) or every event since a time again for the endpoint, whatever their earlier deliveries did;
    /// the receiver deduplicates on webhook-id. Only events of the types the endpoint receives, at most 10,000 per call.
    /// </summary>
    public async Task<Redelivery> RedeliverAsync(Caller caller, string? endpointId, string? eventId, DateTimeOffset? since, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("endpoint_id", endpointId);
        var one = v.OptionalId("event_id", eventId);
        if ((one is null) == (since is null))
        {
            v.Fail(one is null ? "event_id" : "since", "give either event_id (one event) or since (every event from that time on), not both");
        }
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id && e.ResellerId == resellerId, token)
                ?? throw new NotFoundException("webhook endpoint", endpointId!);
            if (endpoint.DisabledAt is not null)
            {
                throw new PreconditionFailedException("The endpoint is disabled (its deliveries failed for days); enable it first, then redeliver.");
            }
            var query = db.Events.AsNoTracking().Where(e => e.ResellerId == resellerId);
            query = one is { } eid ? query.Where(e => e.Id == eid) : query.Where(e => e.At >= since!.Value);
            var events = await query.OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.Type }).Take(MaxRedelivery + 1).ToListAsync(token);
            if (one is not null && events.Count == 0)
            {
                throw new NotFoundException("event", eventId!);
            }
            if (events.Count > MaxRedelivery)
            {
                throw new ValidationException("since", $"covers more than {MaxRedelivery} events; choose a later time");
            }
            var now = clock.Now();
            var queued = events.Where(e => endpoint.Receives(e.Type)).Select(e => WebhookDeliveries.New(endpoint, e.Sequence, now)).ToList();
            db.WebhookDeliveries.AddRange(queued);
            await audit.AppendAsync(caller.ActorId, "webhook.redeliver", "webhook_endpoint", id.ToString(), $"events={queued.Count}", token);
            return new Redelivery(queued.Count);
        }, ct);
    }

    private static Guid ParseId(string? endpointId)
    {
        var v = new Validator();
        var id = v.Id("endpoint_id", endpointId);
        v.ThrowIfInvalid();
        return id;
    }
}
