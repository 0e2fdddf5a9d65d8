using System.Security.Cryptography;
using System.Text;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Events;
using LicenseHub.Domain.Events;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Licensing;
using LicenseHub.Server.Signing;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Pools;

public sealed record NewLicense(License License, string Key);

/// <summary>
/// The new licenses with their keys (shown once, or again to the same caller replaying the same idempotency key within
/// 24 hours), the pool after the assignment, and the plan they follow.
/// </summary>
public sealed record Assignment(IReadOnlyList<NewLicense> Licenses, Pool Pool, Plan Plan, bool Replayed = false);

/// <summary>
/// Assigns licenses from a pool, all or nothing. The pool count is taken with one conditional UPDATE
/// (assigned + n ≤ purchased) inside the transaction that inserts the licenses: the database, not
/// application memory, decides, so the pool is never oversold across threads or replicas.
/// <para>
/// With an idempotency key, a billing system that retries after a timeout gets the same licenses and the same keys,
/// not a second assignment: the keys are kept for <see cref="AssignmentReplay.Window"/>, only encrypted under the
/// key-encryption key, for the caller that assigned them, and erased by the retention job afterwards.
/// </para>
/// </summary>
public sealed class PoolAllocator(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, EventOutbox events, TimeProvider clock,
    Operations.LicenseHubTelemetry telemetry, KeyEncryptionKey kek)
{
    public const int MaxPerCall = 10_000;

    private const string AssignKeyScope = "assign";

    public async Task<Assignment> AssignAsync(Caller caller, string? poolId, int count,
        IReadOnlyList<string?> references, CancellationToken ct, string? idempotencyKey = null)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("pool_id", poolId);
        string?[] validReferences;
        if (references.Count > 0)
        {
            if (count != 0 && count != references.Count)
            {
                v.Fail("count", "must be 0 or equal to the number of assignments");
            }
            if (references.Count > MaxPerCall)
            {
                v.Fail("assignments", $"at most {MaxPerCall} licenses per call");
            }
            validReferences = new string?[Math.Min(references.Count, MaxPerCall)];
            for (var i = 0; i < validReferences.Length; i++)
            {
                validReferences[i] = ResellerReference.Validate(v, $"assignments[{i}].reseller_reference", references[i]);
            }
        }
        else
        {
            v.Range("count", count, 1, MaxPerCall);
            validReferences = new string?[Math.Clamp(count, 0, MaxPerCall)];
        }
        var replayKey = string.IsNullOrWhiteSpace(idempotencyKey) ? null : v.IdempotencyKey("idempotency_key", idempotencyKey);
        v.ThrowIfInvalid();
        var n = validReferences.Length;
        var requestHash = RequestHash(id, validReferences, references.Count > 0);

        var pool = await db.Pools.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.ResellerId == resellerId, ct)
            ?? throw new NotFoundException("pool", poolId!);
        var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == pool.PlanId, ct);
        var entitlements = License.JoinCodes(await Catalog.Entitlements.IncludedAsync(db, plan.Id, ct));

        // Keys are made before the transaction so hashing does not hold the write lock.
        var now = clock.Now();
        var assigned = new NewLicense[n];
        for (var i = 0; i < n; i++)
        {
            var key = LicenseKey.Generate();
            LicenseKey.TryNormalize(key, out var normalized);
            assigned[i] = new NewLicense(new License
            {
                Id = Guid.CreateVersion7(now),
                ResellerId = resellerId,
                PoolId = pool.Id,
                PlanId = plan.Id,
                KeyPrefix = LicenseKey.Prefix(normalized),
                KeyHash = LicenseKey.Hash(normalized),
                State = LicenseState.Active,
                ResellerReference = validReferences[i],
                CreatedAt = now,
                // A perpetual license never expires; its term is its first maintenance term.
                ExpiresAt = plan.Perpetual ? License.Never : now.AddDays(plan.TermDays),
                MaintenanceUntil = plan.Perpetual ? now.AddDays(plan.TermDays) : null,
                Entitlements = entitlements,
            }, key);
        }

        // Encrypted outside the transaction too; each key bound to its row, so no copy can stand in for another.
        var replay = replayKey is null ? null : new AssignmentReplay
        {
            Id = Guid.CreateVersion7(now),
            ResellerId = resellerId,
            ActorId = caller.ActorId,
            IdempotencyKey = replayKey,
            PoolId = pool.Id,
            RequestHash = requestHash,
            CreatedAt = now,
        };
        var kept = replay is null ? [] : assigned.Select((a, i) => new AssignmentReplayKey
        {
            AssignmentReplayId = replay.Id,
            Position = i,
            LicenseId = a.License.Id,
            EncryptedKey = kek.Encrypt(Encoding.UTF8.GetBytes(a.Key), KeyContext(replay.Id, a.License.Id)),
        }).ToArray();

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await unitOfWork.RunAsync(async token =>
                {
                    if (replay is not null)
                    {
                        await DatabaseLocks.IdempotencyKeyAsync(db, AssignKeyScope, resellerId, replay.IdempotencyKey, token);
                        if (await ReplayAsync(caller, resellerId, replay.IdempotencyKey, requestHash, plan, now, token) is { } earlier)
                        {
                            return earlier;
                        }
                    }
                    var rows = await db.Pools
                        .Where(p => p.Id == pool.Id && p.Purchased - p.Assigned >= n)
                        .ExecuteUpdateAsync(s => s.SetProperty(p => p.Assigned, p => p.Assigned + n), token);
                    if (rows == 0)
                    {
                        var available = await db.Pools.Where(p => p.Id == pool.Id).Select(p => p.Purchased - p.Assigned).SingleAsync(token);
                        throw new PreconditionFailedException(
                            $"The pool has {available} license(s) available, fewer than the {n} requested; nothing was assigned. Buy more first.");
                    }
                    await InsertLicensesAsync(assigned, token);
                    if (replay is not null)
                    {
                        db.AssignmentReplays.Add(replay);
                        await db.SaveChangesAsync(token);
                        await InsertKeptKeysAsync(kept, token);
                    }
                    var after = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == pool.Id, token);
                    foreach (var a in assigned)
                    {
                        events.License(EventTypes.LicenseAssigned, a.License, now);
                    }
                    await events.PoolChangedAsync(after, after.Available + n, token);
                    await audit.AppendAsync(caller.ActorId, "license.assign", "pool", pool.Id.ToString(),
                        $"count={n};first={assigned[0].License.Id};last={assigned[^1].License.Id}" + (replay is null ? "" : ";kept_for_replay=24h"), token);
                    return new Assignment(assigned, after, plan);
                }, ct);
                if (!result.Replayed)
                {
                    telemetry.Assigned(n);
                }
                return result;
            }
            catch (DbUpdateException ex) when (attempt < 3 && DatabaseErrors.IsUniqueViolation(ex))
            {
                // Another call with this key committed first: the next attempt replays it.
            }
        }
    }

    /// <summary>
    /// The assignment this key made within the window, when the same caller asks for the same again; refused for
    /// another caller or another request. A row past the window (the retention job has not run yet) is erased here,
    /// and the key assigns anew.
    /// </summary>
    private async Task<Assignment?> ReplayAsync(Caller caller, Guid resellerId, string key, byte[] requestHash, Plan plan, DateTimeOffset now,
        CancellationToken ct)
    {
        var earlier = await db.AssignmentReplays.AsNoTracking().SingleOrDefaultAsync(r => r.ResellerId == resellerId && r.IdempotencyKey == key, ct);
        if (earlier is null)
        {
            return null;
        }
        if (earlier.CreatedAt <= now - AssignmentReplay.Window)
        {
            await db.AssignmentReplayKeys.Where(k => k.AssignmentReplayId == earlier.Id).ExecuteDeleteAsync(ct);
            await db.AssignmentReplays.Where(r => r.Id == earlier.Id).ExecuteDeleteAsync(ct);
            return null;
        }
        if (earlier.ActorId != caller.ActorId)
        {
            throw new PreconditionFailedException(
                $"The idempotency key '{key}' was used by another API key or person of your account for its own assignment; use a new key.");
        }
        if (!CryptographicOperations.FixedTimeEquals(earlier.RequestHash, requestHash))
        {
            throw new PreconditionFailedException($"The idempotency key '{key}' was already used for a different assignment; use a new key for a new one.");
        }
        var keys = await db.AssignmentReplayKeys.AsNoTracking().Where(k => k.AssignmentReplayId == earlier.Id).OrderBy(k => k.Position).ToListAsync(ct);
        var ids = keys.Select(k => k.LicenseId).ToList();
        var licenses = await db.Licenses.AsNoTracking().Where(l => ids.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
        // A key reissued or returned since was erased from its copy: that license comes back without one.
        var again = keys.Select(k => new NewLicense(licenses[k.LicenseId],
            k.EncryptedKey.Length == 0 ? "" : Encoding.UTF8.GetString(kek.Decrypt(k.EncryptedKey, KeyContext(earlier.Id, k.LicenseId))))).ToList();
        var pool = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == earlier.PoolId, ct);
        return new Assignment(again, pool, plan, Replayed: true);
    }

    /// <summary>What makes two assignment requests the same: the pool and each license's reference, in order.</summary>
    private static byte[] RequestHash(Guid poolId, string?[] references, bool withReferences)
    {
        var text = new StringBuilder().Append(poolId.ToString("D")).Append('\n').Append(references.Length).Append('\n').Append(withReferences);
        foreach (var reference in references)
        {
            // Length-prefixed: no reference can run into the next.
            text.Append('\n').Append(reference is null ? -1 : reference.Length).Append(':').Append(reference);
        }
        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string KeyContext(Guid replayId, Guid licenseId) => $"licensehub:assignment-replay-key:{replayId:D}:{licenseId:D}";

    private async Task InsertKeptKeysAsync(AssignmentReplayKey[] kept, CancellationToken ct)
    {
        await using var insert = await ModelRowCommand<AssignmentReplayKey>.InsertAsync(db, ct);
        if (insert is null)
        {
            db.AssignmentReplayKeys.AddRange(kept);
            return;
        }
        foreach (var row in kept)
        {
            await insert.ExecuteAsync(row, ct);
        }
    }

    /// <summary>
    /// Inserts the new licenses through one prepared command in the unit of work's transaction: EF's change
    /// tracker and batching cost several times the insert itself at 10,000 rows.
    /// </summary>
    private async Task InsertLicensesAsync(NewLicense[] assigned, CancellationToken ct)
    {
        await using var insert = await ModelRowCommand<License>.InsertAsync(db, ct);
        if (insert is null)
        {
            // A column this path cannot fill from the entity: let EF write the rows.
            db.Licenses.AddRange(assigned.Select(a => a.License));
            return;
        }
        foreach (var license in assigned.Select(a => a.License))
        {
            await insert.ExecuteAsync(license, ct);
        }
    }
}
