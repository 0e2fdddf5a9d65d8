using System.Text;
using LicenseHub.Data;
using LicenseHub.Domain.Audit;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Privacy;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Privacy;

/// <param name="Held">Why the run did not do all it would have (a clock it cannot trust, a mass release), or null.</param>
/// <param name="AssignmentKeysErased">License keys kept for replaying an assignment, erased because their 24 hours were over.</param>
public sealed record RetentionRun(int CheckInsAggregated, int AggregateRows, int InstallationsReleased, int AuditEventsDeleted, string? Held = null,
    int AssignmentKeysErased = 0);

/// <summary>
/// Retention, running on its own: raw check-ins past the window become anonymous daily counts and are
/// deleted; installations silent past their window are released; audit events past theirs are deleted
/// behind a signed checkpoint. Each run logs counts only. It does not act on a time it cannot trust: a clock
/// behind the newest stored time, or far ahead of it, holds the whole run; a run that would release a large share of
/// all installations at once holds the release. Either waits for stored times to catch up or for an operator
/// ('licensehub retention run --confirm'); readiness says so meanwhile.
/// </summary>
public sealed class RetentionJob(
    IServiceScopeFactory scopes,
    IOptions<RetentionOptions> options,
    IOptions<LicenseHubOptions> lhOptions,
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

    private volatile string? _held;

    /// <summary>Why the last run held back, for readiness; null when it did everything.</summary>
    public string? Held => _held;

    public Task<RetentionRun> RunOnceAsync(CancellationToken ct) => RunOnceAsync(confirmed: false, ct);

    /// <param name="confirmed">An operator confirmed this run: act even on a suspicious clock or a mass release.</param>
    public async Task<RetentionRun> RunOnceAsync(bool confirmed, CancellationToken ct)
    {
        var run = await RunCoreAsync(confirmed, ct);
        _held = run.Held;
        if (run.Held is not null)
        {
            logger.LogWarning("Retention held back: {Reason}. It resumes by itself when this clears, or run 'licensehub retention run --confirm'", run.Held);
        }
        return run;
    }

    private async Task<RetentionRun> RunCoreAsync(bool confirmed, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        var keys = scope.ServiceProvider.GetRequiredService<SigningKeyStore>();
        var now = clock.Now();
        var o = options.Value;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Several replicas run this job: one at a time, so no old check-in is counted twice.
        await DatabaseLocks.RetentionAsync(db, ct);

        // 0. Keys kept for replaying an assignment, past their 24 hours: erased with their assignments. Even on a clock
        // that is not trusted: a clock ahead erases them early, which only ends a replay early; one behind erases fewer.
        var replayCutoff = now - AssignmentReplay.Window;
        var keysErased = await db.AssignmentReplayKeys
            .Where(k => db.AssignmentReplays.Any(r => r.Id == k.AssignmentReplayId && r.CreatedAt <= replayCutoff)).ExecuteDeleteAsync(ct);
        await db.AssignmentReplays.Where(r => r.CreatedAt <= replayCutoff).ExecuteDeleteAsync(ct);

        if (!confirmed && await UntrustedClockAsync(db, now, o, ct) is { } clockProblem)
        {
            await transaction.CommitAsync(ct);
            return new RetentionRun(0, 0, 0, 0, clockProblem, keysErased);
        }

        // 1. Raw check-ins past the window deleted. Each was counted as it was written; rows from before check-ins
        // were counted that way become anonymous daily counts (no ids) first.
        var checkInCutoff = now - o.CheckInWindow;
        // Check-ins of resellers who restricted processing are not counted in statistics, only deleted.
        var old = await db.CheckIns.AsNoTracking().Where(c => c.At < checkInCutoff && !c.Counted)
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
        var released = 0;
        string? held = null;
        var releasable = Installation.Releasable(silentCutoff, now);
        var silent = await db.Installations.CountAsync(releasable, ct);
        var all = silent == 0 ? 0 : await db.Installations.CountAsync(ct);
        if (!confirmed && silent > o.ReleaseConfirmationMinimum && silent > all * o.MaxReleaseShare)
        {
            held = $"it would release {silent} of {all} installations at once (more than {o.MaxReleaseShare:P0}); is the clock right?";
        }
        else if (silent > 0)
        {
            var ids = db.Installations.Where(releasable).Select(i => i.Id);
            await db.CheckIns.Where(c => ids.Contains(c.InstallationId)).ExecuteDeleteAsync(ct);
            released = await db.Installations.Where(releasable).ExecuteDeleteAsync(ct);
        }

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
        // Their notes go with them: a note is written in the same transaction as its event, so it is no newer.
        await db.AuditNotes.Where(n => n.At < auditCutoff).ExecuteDeleteAsync(ct);

        // Events and their deliveries past the event window. The newest event stays whatever its age: the next
        // sequence number follows it, so a billing system's cursor never meets a number given twice.
        var eventCutoff = now.AddDays(-Math.Max(1, lhOptions.Value.Events.RetentionDays));
        await db.WebhookDeliveries.Where(d => d.CreatedAt < eventCutoff).ExecuteDeleteAsync(ct);
        var newestEvent = await db.Events.MaxAsync(e => (long?)e.Sequence, ct) ?? 0;
        await db.Events.Where(e => e.At < eventCutoff && e.Sequence < newestEvent).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);

        var run = new RetentionRun(aggregated, groups.Count, released, auditDeleted, held, keysErased);
        logger.LogInformation(
            "Retention run: {CheckIns} check-ins rolled into {Aggregates} anonymous daily counts and deleted, {Installations} silent installations released, {AuditEvents} audit events deleted, {AssignmentKeys} kept assignment keys erased",
            run.CheckInsAggregated, run.AggregateRows, run.InstallationsReleased, run.AuditEventsDeleted, run.AssignmentKeysErased);
        return run;
    }

    /// <summary>The newest stored time against the clock: behind it, or too far ahead of it, the clock is not trusted.</summary>
    private static async Task<string?> UntrustedClockAsync(LicenseHubDbContext db, DateTimeOffset now, RetentionOptions o, CancellationToken ct)
    {
        var lastCheckIn = await db.Installations.MaxAsync(i => (DateTimeOffset?)i.LastCheckInAt, ct);
        var lastEvent = await db.AuditEvents.OrderByDescending(e => e.Sequence).Select(e => (DateTimeOffset?)e.At).FirstOrDefaultAsync(ct);
        var newest = lastCheckIn > lastEvent || lastEvent is null ? lastCheckIn : lastEvent;
        if (newest is not { } stored)
        {
            return null;
        }
        if (now < stored - LicenseHub.Server.Operations.ClockExtensions.StoredTimeTolerance)
        {
            return $"the clock ({now:u}) is behind the newest stored time ({stored:u})";
        }
        if (now - stored > o.ClockJumpLimit)
        {
            return $"the clock ({now:u}) is {(now - stored).TotalDays:F0} days ahead of the newest stored time ({stored:u}); a clock that jumped would release every installation";
        }
        return null;
    }
}

/// <summary>Degraded (still serving) while retention holds back on a clock it cannot trust or a mass release.</summary>
public sealed class RetentionHealthCheck(RetentionJob job) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(job.Held is { } held
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded("retention held back: " + held)
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
}
