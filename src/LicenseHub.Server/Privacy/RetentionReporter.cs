using LicenseHub.Data;
using LicenseHub.Domain.Classification;
using LicenseHub.Domain.Pools;
using LicenseHub.Server.Security;
using LicenseHub.Server.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Privacy;

public sealed record RetentionEntryView(string DataClass, string Table, string Rule, DateTimeOffset? Oldest, long Rows, long Overdue);

public sealed record UsageDay(DateOnly Day, string Product, string ProductVersion, string OsFamily, int Installations);

/// <summary>The retention report (oldest row per data class versus its rule) and anonymous statistics.</summary>
public sealed class RetentionReporter(LicenseHubDbContext db, IOptions<RetentionOptions> options, TimeProvider clock)
{
    /// <summary>Groups counting fewer installations than this are suppressed from statistics.</summary>
    public const int MinimumGroupSize = 5;

    public async Task<IReadOnlyList<RetentionEntryView>> ReportAsync(Caller caller, CancellationToken ct)
    {
        var now = clock.Now();
        var o = options.Value;
        var checkInCutoff = now - o.CheckInWindow;
        var silentCutoff = now - o.SilentInstallationWindow;
        var auditCutoff = now - o.AuditWindow;
        var replayCutoff = now - AssignmentReplay.Window;
        return
        [
            new(nameof(DataClasses.Technical), "CheckIns", Retention.CheckInWindow + $" (configured: {o.CheckInWindow.TotalDays:0} days)",
                await db.CheckIns.MinAsync(c => (DateTimeOffset?)c.At, ct), await db.CheckIns.LongCountAsync(ct),
                await db.CheckIns.LongCountAsync(c => c.At < checkInCutoff, ct)),
            new(nameof(DataClasses.Pseudonymous), "Installations", Retention.InstallationLifetime + $" (configured: {o.SilentInstallationWindow.TotalDays:0} days of silence)",
                await db.Installations.MinAsync(i => (DateTimeOffset?)i.LastCheckInAt, ct), await db.Installations.LongCountAsync(ct),
                await db.Installations.LongCountAsync(i => i.LastCheckInAt < silentCutoff, ct)),
            new(nameof(DataClasses.Operational), "AuditEvents", Retention.AuditWindow + $" (configured: {o.AuditWindow.TotalDays:0} days)",
                await db.AuditEvents.MinAsync(e => (DateTimeOffset?)e.At, ct), await db.AuditEvents.LongCountAsync(ct),
                await db.AuditEvents.LongCountAsync(e => e.At < auditCutoff, ct)),
            new(nameof(DataClasses.Personal), "Resellers", Retention.AccountLifetime,
                await db.Resellers.Where(r => r.BillingContactEmail != null).MinAsync(r => (DateTimeOffset?)r.CreatedAt, ct),
                await db.Resellers.LongCountAsync(r => r.BillingContactEmail != null, ct), 0),
            new(nameof(DataClasses.Secret), "AssignmentReplayKeys", Retention.AssignmentReplayWindow,
                await db.AssignmentReplays.MinAsync(r => (DateTimeOffset?)r.CreatedAt, ct), await db.AssignmentReplayKeys.LongCountAsync(ct),
                await db.AssignmentReplayKeys.LongCountAsync(k => db.AssignmentReplays.Any(r => r.Id == k.AssignmentReplayId
                    && r.CreatedAt <= replayCutoff), ct)),
            new(nameof(DataClasses.Financial), "Orders", Retention.LegalFinancial,
                await db.Orders.MinAsync(r => (DateTimeOffset?)r.CreatedAt, ct), await db.Orders.LongCountAsync(ct),
                await db.Orders.LongCountAsync(r => r.CreatedAt < now.AddYears(-10), ct)),
        ];
    }

    public async Task<(IReadOnlyList<UsageDay> Days, int Suppressed)> StatisticsAsync(Caller caller, int days, CancellationToken ct)
    {
        var since = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-Math.Clamp(days == 0 ? 90 : days, 1, 3660));
        var rows = await db.DailyCheckInCounts.AsNoTracking().Where(d => d.Day >= since).OrderBy(d => d.Day).ToListAsync(ct);
        var shown = rows.Where(r => r.Installations >= MinimumGroupSize)
            .Select(r => new UsageDay(r.Day, r.ProductCode, r.ProductVersion, r.OsFamily, r.Installations)).ToList();
        return (shown, rows.Count - shown.Count);
    }
}
