using LicenseHub.Data;
using LicenseHub.Domain.Licensing;
using LicenseHub.Server.Security;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Privacy;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Portal;

public sealed record LicenseStateCounts(int Active, int Suspended, int Revoked, int Expired)
{
    public int Total => Active + Suspended + Revoked + Expired;
}

public sealed record DayCount(DateOnly Day, int Count);

/// <summary>The vendor's overview: accounts, seats in use and renewals coming up, across every reseller.</summary>
public sealed record VendorFigures(int ActiveResellers, int SuspendedResellers, int Installations, int CheckedInToday, int ExpiringIn30Days,
    IReadOnlyList<ExpiringLicense> NextExpiring);

/// <summary>A license that expires soon, with its reseller's company (corporate data) and plan.</summary>
public sealed record ExpiringLicense(Guid LicenseId, Guid ResellerId, string CompanyName, string PlanCode, DateTimeOffset ExpiresAt);

/// <summary>
/// Read-only figures for the dashboards, each over the caller's own data only. The operations themselves
/// (buy, assign, revoke, ...) are the feature services', called by the pages directly.
/// </summary>
public sealed class PortalQueries(LicenseHubDbContext db, RetentionReporter retention, TimeProvider clock)
{
    public async Task<LicenseStateCounts> LicenseStatesAsync(Caller caller, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var now = clock.Now();
        var licenses = db.Licenses.AsNoTracking().Where(l => l.ResellerId == resellerId);
        var byState = await licenses.GroupBy(l => l.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var expired = await licenses.CountAsync(l => l.State == LicenseState.Active && l.ExpiresAt <= now, ct);
        int Count(LicenseState state) => byState.SingleOrDefault(s => s.Key == state)?.Count ?? 0;
        return new LicenseStateCounts(Count(LicenseState.Active) - expired, Count(LicenseState.Suspended), Count(LicenseState.Revoked), expired);
    }

    /// <summary>
    /// Installations of the reseller's licenses active on each of the last days: activated by the end of the
    /// day and checked in on or after its start. Computed from the reseller's own installations, because the
    /// anonymous daily statistics carry no reseller on purpose.
    /// </summary>
    /// <summary>The caller's trial licenses that end within <paramref name="days"/> (not revoked), soonest first: to convert.</summary>
    public async Task<IReadOnlyList<(Domain.Licensing.License License, Domain.Catalog.Plan Plan)>> TrialsEndingAsync(Caller caller, int days,
        CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var now = clock.GetUtcNow();
        var until = now.AddDays(days);
        var rows = await (from l in db.Licenses.AsNoTracking()
                          join p in db.Plans.AsNoTracking() on l.PlanId equals p.Id
                          where l.ResellerId == resellerId && p.Trial && l.State != Domain.Licensing.LicenseState.Revoked
                              && l.ExpiresAt > now && l.ExpiresAt <= until
                          orderby l.ExpiresAt
                          select new { License = l, Plan = p }).Take(20).ToListAsync(ct);
        return rows.Select(r => (r.License, r.Plan)).ToList();
    }

    public async Task<IReadOnlyList<DayCount>> ActiveInstallationsAsync(Caller caller, int days, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var since = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var spans = await db.Installations.AsNoTracking()
            .Where(i => i.LastCheckInAt >= since && db.Licenses.Any(l => l.Id == i.LicenseId && l.ResellerId == resellerId))
            .Select(i => new { i.ActivatedAt, i.LastCheckInAt })
            .ToListAsync(ct);
        var result = new List<DayCount>(days);
        for (var day = first; day <= today; day = day.AddDays(1))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var end = start.AddDays(1);
            result.Add(new DayCount(day, spans.Count(s => s.ActivatedAt < end && s.LastCheckInAt >= start)));
        }
        return result;
    }

    /// <summary>
    /// Vendor view, a few aggregates over every reseller: resellers by status, installations (and those seen in the
    /// last 24 hours), licenses that expire within 30 days (active, not perpetual), and the next ten of them.
    /// </summary>
    public async Task<VendorFigures> VendorFiguresAsync(Caller caller, CancellationToken ct)
    {
        if (!caller.IsVendor)
        {
            throw new LicenseHub.Domain.PermissionDeniedException("The overview is the vendor's.");
        }
        var now = clock.Now();
        var until = now.AddDays(30);
        var byStatus = await db.Resellers.AsNoTracking().GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var installations = await db.Installations.AsNoTracking().CountAsync(ct);
        var since = now.AddDays(-1);
        var checkedIn = await db.Installations.AsNoTracking().CountAsync(i => i.LastCheckInAt >= since, ct);
        var expiring = db.Licenses.AsNoTracking().Where(l => l.State == LicenseState.Active && l.ExpiresAt > now && l.ExpiresAt <= until);
        var expiringCount = await expiring.CountAsync(ct);
        var next = await (from l in expiring
                          join r in db.Resellers.AsNoTracking() on l.ResellerId equals r.Id
                          join p in db.Plans.AsNoTracking() on l.PlanId equals p.Id
                          orderby l.ExpiresAt
                          select new ExpiringLicense(l.Id, r.Id, r.CompanyName, p.Code, l.ExpiresAt)).Take(10).ToListAsync(ct);
        int Count(Domain.Resellers.ResellerStatus status) => byStatus.SingleOrDefault(s => s.Key == status)?.Count ?? 0;
        return new VendorFigures(Count(Domain.Resellers.ResellerStatus.Active), Count(Domain.Resellers.ResellerStatus.Suspended),
            installations, checkedIn, expiringCount, next);
    }

    /// <summary>Vendor view: installations per day from the anonymous daily statistics (small groups suppressed).</summary>
    public async Task<(IReadOnlyList<DayCount> Days, int Suppressed)> AnonymousInstallationsAsync(Caller caller, int days, CancellationToken ct)
    {
        var (rows, suppressed) = await retention.StatisticsAsync(caller, days, ct);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var byDay = rows.GroupBy(r => r.Day).ToDictionary(g => g.Key, g => g.Sum(r => r.Installations));
        var result = new List<DayCount>(days);
        for (var day = today.AddDays(1 - days); day <= today; day = day.AddDays(1))
        {
            result.Add(new DayCount(day, byDay.GetValueOrDefault(day)));
        }
        return (result, suppressed);
    }
}
