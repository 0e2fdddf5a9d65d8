using System.Text;
using LicenseHub.Data;
using LicenseHub.Domain.Audit;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Privacy;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Privacy;

public sealed record RetentionRun(int CheckInsAggregated, int AggregateRows, int InstallationsReleased, int AuditEventsDeleted,
    int AssignmentKeysErased = 0);

/// <summary>
/// Retention, running on its own: raw check-ins past the window become anonymous daily counts and are
/// deleted; installations silent past their window are released; audit events past theirs are deleted
/// behind a signed checkpoint. Each run logs counts only.
/// </summary>
public sealed class RetentionJob(
    IServiceScopeFactory scopes,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<RetentionJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Retention run failed; it will be retried at the next interval");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<RetentionRun> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        var keys = scope.ServiceProvider.GetRequiredService<SigningKeyStore>();
        var now = clock.Now();
        var o = options.Value;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Several replicas run this job: one at a time, so no old check-in is counted twice.
        await DatabaseLocks.RetentionAsync(db, ct);

        // 1. Check-ins past the window → anonymous daily counts (no ids), then deleted.
        var checkInCutoff = now - o.CheckInWindow;
        // Check-ins of resellers who restricted processing are not counted in statistics, only deleted.
        var old = await db.CheckIns.AsNoTracking().Where(c => c.At < checkInCutoff)
            .Where(c => !db.Installations.Any(i => i.Id == c.InstallationId
                && db.Licenses.Any(l => l.Id == i.LicenseId && db.Resellers.Any(r => r.Id == l.ResellerId && r.ProcessingRestricted))))
            .Select(c => new { c.At, c.ProductCode, c.ProductVersion, c.OsFamily, c.InstallationId }).ToListAsync(ct);
        var groups = old.GroupBy(c => (Day: DateOnly.FromDateTime(c.At.UtcDateTime), c.ProductCode, c.ProductVersion, Os: c.OsFamily?.ToString() ?? ""))
            .ToList();
        foreach (var g in groups)
        {
            var row = await db.DailyCheckInCounts.SingleOrDefaultAsync(d => d.Day == g.Key.Day && d.ProductCode == g.Key.ProductCode
                && d.ProductVersion == g.Key.ProductVersion && d.OsFamily == g.Key.Os, ct);
            if (row is null)
            {
                row = new DailyCheckInCount { Day = g.Key.Day, ProductCode = g.Key.ProductCode, ProductVersion = g.Key.ProductVersion, OsFamily = g.Key.Os };
                db.DailyCheckInCounts.Add(row);
            }
            row.CheckIns += g.Count();
            row.Installations += g.Select(c => c.InstallationId).Distinct().Count();
        }
        await db.SaveChangesAsync(ct);
        var aggregated = await db.CheckIns.Where(c => c.At < checkInCutoff).ExecuteDeleteAsync(ct);

        // 2. Installations silent past their window: released, fingerprint gone with the row.
        var silentCutoff = now - o.SilentInstallationWindow;
        await db.CheckIns.Where(c => db.Installations.Any(i => i.Id == c.InstallationId && i.LastCheckInAt < silentCutoff)).ExecuteDeleteAsync(ct);
        var released = await db.Installations.Where(i => i.LastCheckInAt < silentCutoff).ExecuteDeleteAsync(ct);

        // 3. Audit events past their window, behind a signed checkpoint so the rest still verifies.
        var auditCutoff = now - o.AuditWindow;
        await DatabaseLocks.AuditChainAsync(db, ct);
        var lastOld = await db.AuditEvents.AsNoTracking().Where(e => e.At < auditCutoff).OrderByDescending(e => e.Sequence).FirstOrDefaultAsync(ct);
        var auditDeleted = 0;
        if (lastOld is not null)
        {
            var signer = await keys.GetSignerAsync(ct);
            db.AuditCheckpoints.Add(new AuditCheckpoint
            {
                Sequence = lastOld.Sequence,
                Hash = lastOld.Hash,
                At = now,
                Kid = signer.Kid,
                Signature = signer.SignPayload(AuditCheckpoint.SignedPayload(lastOld.Sequence, lastOld.Hash), "lh-audit-checkpoint+jws"),
            });
            await db.SaveChangesAsync(ct);
            auditDeleted = await db.AuditEvents.Where(e => e.Sequence <= lastOld.Sequence).ExecuteDeleteAsync(ct);
        }
        // 4. Keys kept for replaying an assignment, past their 24 hours: erased with their assignments.
        var replayCutoff = now - AssignmentReplay.Window;
        var keysErased = await db.AssignmentReplayKeys
            .Where(k => db.AssignmentReplays.Any(r => r.Id == k.AssignmentReplayId && r.CreatedAt <= replayCutoff)).ExecuteDeleteAsync(ct);
        await db.AssignmentReplays.Where(r => r.CreatedAt <= replayCutoff).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);

        var run = new RetentionRun(aggregated, groups.Count, released, auditDeleted, keysErased);
        logger.LogInformation(
            "Retention run: {CheckIns} check-ins rolled into {Aggregates} anonymous daily counts and deleted, {Installations} silent installations released, {AuditEvents} audit events deleted, {AssignmentKeys} kept assignment keys erased",
            run.CheckInsAggregated, run.AggregateRows, run.InstallationsReleased, run.AuditEventsDeleted, run.AssignmentKeysErased);
        return run;
    }
}
