using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Events;
using LicenseHub.Domain.Events;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Licensing;

/// <param name="Key">A whole license key (matched by its hash) or the 8-character key prefix shown in lists.</param>
public sealed record LicenseFilter(LicenseState? State, string? PlanId, string? ResellerReference, DateTimeOffset? ExpiresBefore, string? PoolId,
    string? Key = null);

/// <param name="ReturnableUntil">
/// Set when the license can still be given back to its pool (never activated, within its plan's return window);
/// filled in by <see cref="LicenseService.GetAsync"/>, which looks at the license's whole history.
/// </param>
/// <param name="PendingPlan">The plan a scheduled downgrade moves the license to at its next renewal.</param>
/// <param name="ForgottenSeats">Seats held by installations their end users had forgotten, until the reseller releases them.</param>
public sealed record LicenseView(License License, Plan Plan, int Installations, DateTimeOffset? ReturnableUntil = null, Plan? PendingPlan = null,
    int ForgottenSeats = 0)
{
    /// <summary>The seats taken, compared with the plan's max machines.</summary>
    public int SeatsTaken => Installations + ForgottenSeats;
}

/// <summary>A license, its installations and the seats of forgotten ones.</summary>
public sealed record LicenseDetail(LicenseView View, IReadOnlyList<Installation> Installations, IReadOnlyList<ForgottenSeat> ForgottenSeats);

/// <summary>A license with its new key, shown once.</summary>
public sealed record ReissuedKey(LicenseView View, string Key);

/// <summary>A reseller's licenses: listing, reading, and state changes (each audited).</summary>
public sealed class LicenseService(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, EventOutbox events, TimeProvider clock)
{
    public async Task<(IReadOnlyList<LicenseView> Items, string Next)> ListAsync(Caller caller, LicenseFilter filter, int pageSize,
        string? pageToken, CancellationToken ct)
    {
        var v = new Validator();
        var page = PageSpec.From(v, pageSize, pageToken);
        var query = Filtered(caller, filter, v);
        v.ThrowIfInvalid();

        var rows = await page.Window(query, l => l.Id)
            .Select(l => new
            {
                License = l,
                Installations = db.Installations.Count(i => i.LicenseId == l.Id),
                Forgotten = db.ForgottenSeats.Count(s => s.LicenseId == l.Id),
            })
            .ToListAsync(ct);
        var (shown, next) = page.Cut(rows, r => r.License.Id);
        var plans = await PlansAsync(shown.Select(r => r.License.PlanId), ct);
        return (shown.Select(r => new LicenseView(r.License, plans[r.License.PlanId], r.Installations, ForgottenSeats: r.Forgotten)).ToList(), next);
    }

    /// <summary>How many licenses of the caller match the filter, over all pages (a list's total_size).</summary>
    public async Task<int> CountAsync(Caller caller, LicenseFilter filter, CancellationToken ct)
    {
        var v = new Validator();
        var query = Filtered(caller, filter, v);
        v.ThrowIfInvalid();
        return await query.CountAsync(ct);
    }

    private IQueryable<License> Filtered(Caller caller, LicenseFilter filter, Validator v)
    {
        var resellerId = caller.OwnResellerId;
        var planId = v.OptionalId("plan_id", filter.PlanId);
        var poolId = v.OptionalId("pool_id", filter.PoolId);
        var reference = v.OptionalText("reseller_reference", filter.ResellerReference, ResellerReference.MaxLength);
        var (keyHash, keyPrefix) = KeySearch(v, filter.Key);

        var now = clock.Now();
        var query = db.Licenses.AsNoTracking().Where(l => l.ResellerId == resellerId);
        query = filter.State switch
        {
            null => query,
            LicenseState.Expired => query.Where(l => l.State == LicenseState.Active && l.ExpiresAt <= now),
            LicenseState.Active => query.Where(l => l.State == LicenseState.Active && l.ExpiresAt > now),
            var state => query.Where(l => l.State == state),
        };
        if (planId is not null)
        {
            query = query.Where(l => l.PlanId == planId);
        }
        if (poolId is not null)
        {
            query = query.Where(l => l.PoolId == poolId);
        }
        if (reference is not null)
        {
            query = query.Where(l => l.ResellerReference == reference);
        }
        if (keyHash is not null)
        {
            query = query.Where(l => l.KeyHash == keyHash);
        }
        else if (keyPrefix is not null)
        {
            query = query.Where(l => l.KeyPrefix == keyPrefix);
        }
        if (filter.ExpiresBefore is { } before)
        {
            query = query.Where(l => l.ExpiresAt < before);
        }
        return query;
    }

    public async Task<LicenseDetail> GetAsync(Caller caller, string? licenseId, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var id = ParseId(licenseId);
        var license = await db.Licenses.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id && l.ResellerId == resellerId, ct)
            ?? throw new NotFoundException("license", licenseId!);
        var installations = await db.Installations.AsNoTracking().Where(i => i.LicenseId == id).OrderBy(i => i.ActivatedAt).ToListAsync(ct);
        var forgotten = await db.ForgottenSeats.AsNoTracking().Where(s => s.LicenseId == id).OrderBy(s => s.Id).ToListAsync(ct);
        var plan = await db.Plans.AsNoTracking().Include(p => p.Product).SingleAsync(p => p.Id == license.PlanId, ct);
        var pending = license.PendingPlanId is { } pendingId ? await db.Plans.AsNoTracking().SingleAsync(p => p.Id == pendingId, ct) : null;
        var returnable = await ReturnableUntilAsync(license, installations.Count + forgotten.Count, ct);
        return new LicenseDetail(new LicenseView(license, plan, installations.Count, returnable, pending, forgotten.Count), installations, forgotten);
    }

    /// <summary>The end of the return window while the license may still be returned; null when it may not.</summary>
    private async Task<DateTimeOffset?> ReturnableUntilAsync(License license, int installations, CancellationToken ct)
    {
        if (license.State == LicenseState.Revoked || installations > 0 || license.TransfersUsed > 0)
        {
            return null;
        }
        var pool = await db.Pools.AsNoTracking().Where(p => p.Id == license.PoolId).Select(p => new { p.PlanId }).SingleAsync(ct);
        if (pool.PlanId != license.PlanId)
        {
            return null;
        }
        var window = await db.Plans.AsNoTracking().Where(p => p.Id == pool.PlanId).Select(p => p.ReturnWindowDays).SingleAsync(ct);
        var until = license.ReturnableUntil(window);
        if (until <= clock.Now() || await ActivationHistory.EverActivatedAsync(db, license, ct))
        {
            return null;
        }
        return until;
    }

    public Task<LicenseView> SuspendAsync(Caller caller, string? licenseId, CancellationToken ct) =>
        ChangeAsync(caller, licenseId, "license.suspend", (l, _) => l.Suspend(byVendor: caller.IsVendor), ct);

    public Task<LicenseView> ResumeAsync(Caller caller, string? licenseId, CancellationToken ct) =>
        ChangeAsync(caller, licenseId, "license.resume", (l, _) => l.Resume(byVendor: caller.IsVendor), ct);

    /// <summary>The vendor gives a license its whole transfer budget back (VendorService.RestoreTransfers).</summary>
    public Task<LicenseView> RestoreTransfersAsync(Caller caller, string? licenseId, CancellationToken ct) =>
        caller.IsVendor
            ? ChangeAsync(caller, licenseId, "license.restore_transfers", (l, _) => l.RestoreTransfers(), ct)
            : throw new PermissionDeniedException("Only the vendor restores a license's transfer budget; a renewal restores it when the plan says so.");

    public Task<LicenseView> RevokeAsync(Caller caller, string? licenseId, CancellationToken ct) =>
        ChangeAsync(caller, licenseId, "license.revoke", (l, _) => l.Revoke(), ct);

    /// <summary>
    /// A new key for a lost one, shown once: the old key stops activating at once (activation finds a license by its
    /// key's hash only); installations already activated keep their own credentials and keep working. A copy of the
    /// old key kept for replaying its assignment is erased with it.
    /// </summary>
    public async Task<ReissuedKey> ReissueKeyAsync(Caller caller, string? licenseId, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var id = ParseId(licenseId);
        // Made before the transaction so hashing does not hold the write lock.
        var key = LicenseKey.Generate();
        LicenseKey.TryNormalize(key, out var normalized);
        var prefix = LicenseKey.Prefix(normalized);
        var hash = LicenseKey.Hash(normalized);
        return await unitOfWork.RunAsync(async token =>
        {
            await DatabaseLocks.LicenseAsync(db, id, token);
            var license = await db.Licenses.SingleOrDefaultAsync(l => l.Id == id && l.ResellerId == resellerId, token)
                ?? throw new NotFoundException("license", licenseId!);
            var oldPrefix = license.KeyPrefix;
            license.ReplaceKey(prefix, hash);
            await db.AssignmentReplayKeys.Where(k => k.LicenseId == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.EncryptedKey, Array.Empty<byte>()), token);
            await audit.AppendAsync(caller.ActorId, "license.reissue_key", "license", license.Id.ToString(),
                $"old_prefix={oldPrefix};new_prefix={prefix}", token);
            var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == license.PlanId, token);
            return new ReissuedKey(await ViewAsync(license, plan, token), key);
        }, ct);
    }

    /// <summary>
    /// Releases a machine so the license can move to another: an installation, or the seat a forgotten installation
    /// left behind. Either way it spends one transfer of the budget.
    /// </summary>
    public async Task<LicenseView> ReleaseInstallationAsync(Caller caller, string? licenseId, string? installationId, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("license_id", licenseId);
        var installation = v.Id("installation_id", installationId);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            await DatabaseLocks.LicenseAsync(db, id, token);
            var license = await db.Licenses.SingleOrDefaultAsync(l => l.Id == id && l.ResellerId == resellerId, token)
                ?? throw new NotFoundException("license", licenseId!);
            var row = await db.Installations.SingleOrDefaultAsync(i => i.Id == installation && i.LicenseId == id, token);
            var seat = row is null ? await db.ForgottenSeats.SingleOrDefaultAsync(s => s.Id == installation && s.LicenseId == id, token) : null;
            if (row is null && seat is null)
            {
                throw new NotFoundException("installation", installationId!);
            }
            var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == license.PlanId, token);
            license.UseTransfer(plan.TransferBudget, plan.RestoreTransfersOnRenewal);
            if (row is not null)
            {
                await db.CheckIns.Where(c => c.InstallationId == row.Id).ExecuteDeleteAsync(token);
                db.Installations.Remove(row);
                await audit.AppendAsync(caller.ActorId, "installation.release", "license", license.Id.ToString(),
                    $"installation={row.Id};transfers_used={license.TransfersUsed}", token);
                events.Installation(EventTypes.InstallationReleased, license.ResellerId, license.Id, row.Id, "released by the reseller");
            }
            else
            {
                db.ForgottenSeats.Remove(seat!);
                await audit.AppendAsync(caller.ActorId, "installation.release", "license", license.Id.ToString(),
                    $"forgotten_seat={seat!.Id};transfers_used={license.TransfersUsed}", token);
                events.Installation(EventTypes.InstallationReleased, license.ResellerId, license.Id, seat.Id, "forgotten seat released by the reseller");
            }
            await db.SaveChangesAsync(token);
            return await ViewAsync(license, plan, token);
        }, ct);
    }

    /// <summary>
    /// Re-activates an installation suspected of running on copies: the suspicion ends and the credential and
    /// tickets every copy holds stop working, so the next activation with the license key (on the genuine
    /// machine, the reseller hopes) takes the installation over. Uses no transfer: the seat stays with the machine.
    /// </summary>
    public async Task<Installation> ResolveClonedInstallationAsync(Caller caller, string? licenseId, string? installationId, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("license_id", licenseId);
        var installation = v.Id("installation_id", installationId);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            await DatabaseLocks.LicenseAsync(db, id, token);
            var license = await db.Licenses.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id && l.ResellerId == resellerId, token)
                ?? throw new NotFoundException("license", licenseId!);
            var row = await db.Installations.SingleOrDefaultAsync(i => i.Id == installation && i.LicenseId == id, token)
                ?? throw new NotFoundException("installation", installationId!);
            if (row.CloneSuspectedAt is not { } since)
            {
                throw new PreconditionFailedException(
                    "This installation is not suspected of running on copies; to move the license to another server, release the installation.");
            }
            row.ResolveClone();
            await audit.AppendAsync(caller.ActorId, "installation.resolve_clone", "license", license.Id.ToString(),
                $"installation={row.Id};suspected_since={since:O}", token);
            return row;
        }, ct);
    }

    private async Task<LicenseView> ChangeAsync(Caller caller, string? licenseId, string action, Action<License, Plan> change,
        CancellationToken ct)
    {
        // The vendor (VendorService.SuspendLicense, ResumeLicense) acts on any reseller's license; a reseller on its own.
        Guid? resellerId = caller.IsVendor ? null : caller.OwnResellerId;
        var id = ParseId(licenseId);
        return await unitOfWork.RunAsync(async token =>
        {
            // Read, decide, write: the row lock keeps a concurrent change through another replica from being lost.
            await DatabaseLocks.LicenseAsync(db, id, token);
            var license = await db.Licenses.SingleOrDefaultAsync(l => l.Id == id && (resellerId == null || l.ResellerId == resellerId), token)
                ?? throw new NotFoundException("license", licenseId!);
            var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == license.PlanId, token);
            change(license, plan);
            if (action switch
                {
                    "license.suspend" => EventTypes.LicenseSuspended,
                    "license.resume" => EventTypes.LicenseResumed,
                    "license.revoke" => EventTypes.LicenseRevoked,
                    _ => null,
                } is { } type)
            {
                events.License(type, license, clock.Now(), caller.IsVendor ? "by the vendor" : null);
            }
            await audit.AppendAsync(caller.ActorId, action, "license", license.Id.ToString(),
                $"state={license.State};expires={license.ExpiresAt:O}" + (caller.IsVendor ? $";reseller={license.ResellerId}" : ""), token);
            return await ViewAsync(license, plan, token);
        }, ct);
    }

    /// <summary>A license with its seat counts, as they stand in this transaction.</summary>
    private async Task<LicenseView> ViewAsync(License license, Plan plan, CancellationToken ct) =>
        new(license, plan, await db.Installations.CountAsync(i => i.LicenseId == license.Id, ct),
            ForgottenSeats: await db.ForgottenSeats.CountAsync(s => s.LicenseId == license.Id, ct));

    private async Task<Dictionary<Guid, Plan>> PlansAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToList();
        return await db.Plans.AsNoTracking().Where(p => distinct.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
    }

    /// <summary>A whole key is looked up by its hash (the key itself is never stored); otherwise the displayed prefix.</summary>
    private static (byte[]? Hash, string? Prefix) KeySearch(Validator v, string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return (null, null);
        }
        if (LicenseKey.TryNormalize(key, out var normalized))
        {
            return (LicenseKey.Hash(normalized), null);
        }
        var compact = key.Replace("-", "").Replace(" ", "").Trim().ToUpperInvariant();
        if (compact.Length != LicenseKey.PrefixLength || !compact.All(char.IsAsciiLetterOrDigit))
        {
            v.Fail("key", $"must be a whole license key or its first {LicenseKey.PrefixLength} characters");
            return (null, null);
        }
        return (null, compact);
    }

    private static Guid ParseId(string? licenseId)
    {
        var v = new Validator();
        var id = v.Id("license_id", licenseId);
        v.ThrowIfInvalid();
        return id;
    }
}
