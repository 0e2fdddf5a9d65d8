using LicenseHub.Data;
using LicenseHub.Domain.Events;
using LicenseHub.Domain.Licensing;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Events;

/// <param name="Expiring">license.expiring events sent.</param>
/// <param name="Expired">license.expired events sent.</param>
public sealed record ExpiryScan(int Expiring, int Expired);

/// <summary>
/// Sends <c>license.expiring</c> once per expiry, the reseller's notice days before it (default 7), and
/// <c>license.expired</c> once when it passes. A renewal moves the expiry, so the next ones are sent for the new one.
/// Each license remembers the expiry it was told about, in the transaction that writes the event, so a crash or a
/// second replica sends neither twice. Licenses that had expired before the upgrade that brought events are marked
/// as told (by the migration): events start with the upgrade, not with a flood of old news.
/// </summary>
public sealed class ExpiryWatcher(IServiceScopeFactory scopes, IOptions<LicenseHubOptions> options, TimeProvider clock,
    ILogger<ExpiryWatcher> logger) : BackgroundService
{
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Events.ScanInterval);
        do
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested
                && (ex is StorageUnavailableException || StorageHealth.CauseOf(ex) is not null))
            {
                // The database is down: StorageHealth says so once per change. The next interval tries again.
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Looking for expiring licenses failed; it will be retried at the next interval");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Sends what is due now, in batches; returns how many of each were sent.</summary>
    public async Task<ExpiryScan> ScanAsync(CancellationToken ct)
    {
        int expiring = 0, expired = 0;
        while (true)
        {
            var (a, b) = await ScanBatchAsync(ct);
            expiring += a;
            expired += b;
            if (a < Batch && b < Batch)
            {
                return new ExpiryScan(expiring, expired);
            }
        }
    }

    /// <summary>How many days before a trial ends its license.trial_ending event is sent.</summary>
    public const int TrialEndingNoticeDays = 7;

    private async Task<(int Expiring, int Expired)> ScanBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var events = scope.ServiceProvider.GetRequiredService<EventOutbox>();
        return await unitOfWork.RunAsync(async token =>
        {
            await DatabaseLocks.ExpiryScanAsync(db, token);
            var now = clock.Now();
            var live = db.Licenses.Where(l => l.State != LicenseState.Revoked && l.ReturnedAt == null);

            var expired = await live.Where(l => l.ExpiresAt <= now && (l.ExpiredNoticeFor == null || l.ExpiredNoticeFor != l.ExpiresAt))
                .OrderBy(l => l.ExpiresAt).Take(Batch).ToListAsync(token);
            foreach (var license in expired)
            {
                license.ExpiredNoticeFor = license.ExpiresAt;
                // Told it expired: telling it will expire is moot.
                license.ExpiringNoticeFor = license.ExpiresAt;
                events.License(EventTypes.LicenseExpired, license, now);
            }

            // Trials are told apart: license.trial_ending, a fixed week ahead (a trial lasts at most 30 days), so a billing
            // system can offer the conversion; they get no license.expiring besides.
            var trialPlans = db.Plans.Where(p => p.Trial).Select(p => p.Id);
            var trialUntil = now.AddDays(TrialEndingNoticeDays);
            var trialsEnding = await live.Where(l => trialPlans.Contains(l.PlanId) && l.ExpiresAt > now && l.ExpiresAt <= trialUntil
                    && (l.ExpiringNoticeFor == null || l.ExpiringNoticeFor != l.ExpiresAt))
                .OrderBy(l => l.ExpiresAt).Take(Batch).ToListAsync(token);
            foreach (var license in trialsEnding)
            {
                license.ExpiringNoticeFor = license.ExpiresAt;
                events.License(EventTypes.LicenseTrialEnding, license, now);
            }

            var expiring = new List<License>(trialsEnding);
            // Per notice length the resellers chose (few distinct values): the window is then a parameter.
            var noticeDays = await db.Resellers.Select(r => r.ExpiryNoticeDays).Distinct().ToListAsync(token);
            foreach (var days in noticeDays)
            {
                var until = now.AddDays(days);
                var resellers = db.Resellers.Where(r => r.ExpiryNoticeDays == days).Select(r => r.Id);
                expiring.AddRange(await live
                    .Where(l => resellers.Contains(l.ResellerId) && !trialPlans.Contains(l.PlanId) && l.ExpiresAt > now && l.ExpiresAt <= until
                        && (l.ExpiringNoticeFor == null || l.ExpiringNoticeFor != l.ExpiresAt))
                    .OrderBy(l => l.ExpiresAt).Take(Batch - expiring.Count).ToListAsync(token));
                if (expiring.Count >= Batch)
                {
                    break;
                }
            }
            foreach (var license in expiring.Skip(trialsEnding.Count))
            {
                license.ExpiringNoticeFor = license.ExpiresAt;
                events.License(EventTypes.LicenseExpiring, license, now);
            }
            return (expiring.Count, expired.Count);
        }, ct);
    }
}
