using System.Globalization;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Events;
using LicenseHub.Domain.Resellers;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Events;

/// <summary>One page of the feed and the cursor to read on from (the last sequence it holds, or the one asked for).</summary>
public sealed record EventPage(IReadOnlyList<FeedEvent> Events, long Cursor);

/// <summary>The reseller's notice settings for events.</summary>
public sealed record EventSettings(int ExpiryNoticeDays, int PoolLowThreshold);

/// <summary>
/// The gap-free event feed: events after a cursor (a sequence number), oldest first. A reseller reads its own; the
/// vendor (admin or auditor) reads everyone's, or one reseller's. A billing system keeps the last sequence it
/// processed and asks for what came after: because sequences are given in commit order, nothing is skipped.
/// </summary>
public sealed class EventFeed(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit)
{
    public const int MaxPage = 500;

    /// <summary>The resellers whose events <paramref name="caller"/> reads (null: all) after checking the filter.</summary>
    public static Guid? Scope(Caller caller, string? resellerFilter)
    {
        var v = new Validator();
        var filter = v.OptionalId("reseller_id", resellerFilter);
        v.ThrowIfInvalid();
        if (caller.ResellerId is { } own)
        {
            if (filter is not null && filter != own)
            {
                throw new NotFoundException("reseller", resellerFilter!);
            }
            return own;
        }
        if (!PermissionPolicy.Grants(caller, Permission.VendorAudit))
        {
            throw new PermissionDeniedException($"The {Caller.RoleName(caller.Role)} role may not read events.");
        }
        return filter;
    }

    /// <summary>Validated event types to filter on; empty for all.</summary>
    public static IReadOnlyList<string> Types(Validator v, IReadOnlyList<string> types, string field = "event_types")
    {
        var valid = new List<string>();
        for (var i = 0; i < types.Count; i++)
        {
            if (!EventTypes.IsKnown(types[i]))
            {
                v.Fail($"{field}[{i}]", $"is not an event type; one of {string.Join(", ", EventTypes.All)}");
            }
            else if (!valid.Contains(types[i]))
            {
                valid.Add(types[i]);
            }
        }
        return valid;
    }

    public async Task<EventPage> ListAsync(Caller caller, long after, int pageSize, IReadOnlyList<string> types, string? resellerFilter,
        CancellationToken ct)
    {
        var scope = Scope(caller, resellerFilter);
        var v = new Validator();
        if (after < 0)
        {
            v.Fail("after", "must be 0 (from the oldest kept event) or a sequence number from an earlier event");
        }
        var size = pageSize == 0 ? 100 : v.Range("page_size", pageSize, 1, MaxPage);
        var valid = Types(v, types);
        v.ThrowIfInvalid();
        return await PageAsync(scope, after, size, valid, ct);
    }

    /// <summary>The page after <paramref name="after"/> for an already validated scope (WatchEvents reads on with this).</summary>
    public async Task<EventPage> PageAsync(Guid? scope, long after, int size, IReadOnlyList<string> types, CancellationToken ct)
    {
        var query = db.Events.AsNoTracking().Where(e => e.Sequence > after);
        if (scope is { } reseller)
        {
            query = query.Where(e => e.ResellerId == reseller);
        }
        if (types.Count > 0)
        {
            query = query.Where(e => types.Contains(e.Type));
        }
        var events = await query.OrderBy(e => e.Sequence).Take(size).ToListAsync(ct);
        return new EventPage(events, events.Count > 0 ? events[^1].Sequence : after);
    }

    /// <summary>
    /// One license's history from the feed, newest first: its own events (assigned, renewed, plan changed, suspended, …)
    /// and those of its installations (activated, released, copies suspected), as long as the feed keeps them.
    /// </summary>
    public async Task<IReadOnlyList<FeedEvent>> LicenseTimelineAsync(Caller caller, Guid licenseId, int max, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var marker = $"\"license_id\":\"{licenseId}\"";
        return await db.Events.AsNoTracking()
            .Where(e => e.ResellerId == resellerId && (e.ObjectId == licenseId || (e.ObjectType == "installation" && e.Data.Contains(marker))))
            .OrderByDescending(e => e.Sequence).Take(max).ToListAsync(ct);
    }

    public async Task<EventSettings> SettingsAsync(Caller caller, CancellationToken ct)
    {
        var id = caller.OwnResellerId;
        return await db.Resellers.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new EventSettings(r.ExpiryNoticeDays, r.PoolLowThreshold)).SingleAsync(ct);
    }

    /// <summary>Sets the reseller's notice days (1..90) and pool threshold (0 for never, up to 1,000,000).</summary>
    public async Task<EventSettings> UpdateSettingsAsync(Caller caller, int expiryNoticeDays, int poolLowThreshold, CancellationToken ct)
    {
        var id = caller.OwnResellerId;
        var v = new Validator();
        v.Range("expiry_notice_days", expiryNoticeDays, 1, 90);
        v.Range("pool_low_threshold", poolLowThreshold, 0, 1_000_000);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var reseller = await db.Resellers.SingleAsync(r => r.Id == id, token);
            reseller.ExpiryNoticeDays = expiryNoticeDays;
            reseller.PoolLowThreshold = poolLowThreshold;
            await audit.AppendAsync(caller.ActorId, "reseller.event_settings", "reseller", id.ToString(),
                string.Create(CultureInfo.InvariantCulture, $"expiry_notice_days={expiryNoticeDays};pool_low_threshold={poolLowThreshold}"), token);
            return new EventSettings(reseller.ExpiryNoticeDays, reseller.PoolLowThreshold);
        }, ct);
    }
}
