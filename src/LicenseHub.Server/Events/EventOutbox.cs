using System.Text.Json;
using LicenseHub.Data;
using LicenseHub.Domain.Events;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Events;

/// <summary>
/// Records the events of the current unit of work in its own transaction (the outbox), so an event is committed
/// exactly when its change is. Features publish while they work; at commit the events get their sequence numbers,
/// under the lock that orders the audit chain, which makes the feed gap-free and in commit order across replicas,
/// and each event gets a pending delivery per webhook endpoint of its reseller that receives its type.
/// </summary>
public sealed class EventOutbox(LicenseHubDbContext db, TimeProvider clock, EventSignal signal) : ICommitJournal
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly List<FeedEvent> _staged = [];
    private bool _wrote;

    /// <summary>Stages an event about <paramref name="objectId"/>; <paramref name="data"/> is serialised in snake_case.</summary>
    public void Publish(string type, Guid resellerId, string objectType, Guid objectId, object data)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Events are written with the change they describe: publish inside a unit of work.");
        }
        if (!EventTypes.IsKnown(type))
        {
            throw new ArgumentException($"Unknown event type {type}.", nameof(type));
        }
        var json = JsonSerializer.Serialize(data, data.GetType(), s_json);
        if (json.Length > FeedEvent.MaxDataLength)
        {
            throw new InvalidOperationException($"The data of a {type} event is {json.Length} characters, more than {FeedEvent.MaxDataLength}.");
        }
        _staged.Add(new FeedEvent
        {
            Id = Guid.CreateVersion7(),
            Type = type,
            ResellerId = resellerId,
            ObjectType = objectType,
            ObjectId = objectId,
            Data = json,
        });
    }

    /// <summary>A license's new state: <c>license.*</c> events.</summary>
    public void License(string type, License license, DateTimeOffset now, string? reason = null) =>
        Publish(type, license.ResellerId, "license", license.Id, EventData.Of(license, now, reason));

    /// <summary>An order that completed: <c>order.completed</c>.</summary>
    public void Order(Order order) =>
        Publish(EventTypes.OrderCompleted, order.ResellerId, "order", order.Id, EventData.Of(order));

    /// <summary>An installation of a license: <c>installation.*</c> events.</summary>
    public void Installation(string type, Guid resellerId, Guid licenseId, Guid installationId, string? reason = null) =>
        Publish(type, resellerId, "installation", installationId, new EventData.InstallationData(installationId.ToString(), licenseId.ToString(), reason));

    /// <summary>
    /// <c>pool.low</c> when this change took the pool's available licenses below the reseller's threshold (from at or above it).
    /// </summary>
    public async Task PoolChangedAsync(Pool pool, int availableBefore, CancellationToken ct)
    {
        var threshold = await db.Resellers.Where(r => r.Id == pool.ResellerId).Select(r => r.PoolLowThreshold).SingleAsync(ct);
        if (threshold > 0 && availableBefore >= threshold && pool.Available < threshold)
        {
            Publish(EventTypes.PoolLow, pool.ResellerId, "pool", pool.Id,
                new EventData.PoolData(pool.Id.ToString(), pool.PlanId.ToString(), pool.Purchased, pool.Assigned, pool.Available, threshold));
        }
    }

    public void Reset() => _staged.Clear();

    public async Task<bool> ChainStagedAsync(CancellationToken cancellationToken)
    {
        if (_staged.Count == 0)
        {
            return false;
        }
        // The audit chain's lock: sequence numbers are taken and committed in one order by every replica.
        await DatabaseLocks.AuditChainAsync(db, cancellationToken);
        var last = await db.Events.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        var at = clock.Now();
        await using (var insert = await ModelRowCommand<FeedEvent>.InsertAsync(db, cancellationToken)
            ?? throw new InvalidOperationException("Events have a column only the database can fill."))
        {
            foreach (var e in _staged)
            {
                e.Sequence = ++last;
                e.At = at;
                await insert.ExecuteAsync(e, cancellationToken);
            }
        }
        await FanOutAsync(at, cancellationToken);
        _staged.Clear();
        _wrote = true;
        return false;
    }

    public void Committed()
    {
        if (_wrote)
        {
            _wrote = false;
            signal.Pulse();
        }
    }

    private async Task FanOutAsync(DateTimeOffset now, CancellationToken ct)
    {
        var resellers = _staged.Select(e => e.ResellerId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => resellers.Contains(e.ResellerId) && e.DisabledAt == null).ToListAsync(ct);
        if (endpoints.Count == 0)
        {
            return;
        }
        await using var insert = await ModelRowCommand<WebhookDelivery>.InsertAsync(db, ct)
            ?? throw new InvalidOperationException("Webhook deliveries have a column only the database can fill.");
        foreach (var e in _staged)
        {
            foreach (var endpoint in endpoints.Where(x => x.ResellerId == e.ResellerId && x.Receives(e.Type)))
            {
                await insert.ExecuteAsync(WebhookDeliveries.New(endpoint, e.Sequence, now), ct);
            }
        }
    }
}
