using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Licensing;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Pools;

public sealed record NewLicense(License License, string Key);

/// <summary>The new licenses with their keys (shown once), the pool after the assignment, and the plan they follow.</summary>
public sealed record Assignment(IReadOnlyList<NewLicense> Licenses, Pool Pool, Plan Plan);

/// <summary>
/// Assigns licenses from a pool, all or nothing. The pool count is taken with one conditional UPDATE
/// (assigned + n ≤ purchased) inside the transaction that inserts the licenses: the database, not
/// application memory, decides, so the pool is never oversold across threads or replicas.
/// </summary>
public sealed class PoolAllocator(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider clock,
    Operations.LicenseHubTelemetry telemetry)
{
    public const int MaxPerCall = 10_000;

    public async Task<Assignment> AssignAsync(Caller caller, string? poolId, int count,
        IReadOnlyList<string?> references, CancellationToken ct)
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
        v.ThrowIfInvalid();
        var n = validReferences.Length;

        var pool = await db.Pools.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.ResellerId == resellerId, ct)
            ?? throw new NotFoundException("pool", poolId!);
        var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == pool.PlanId, ct);

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
                ExpiresAt = now.AddDays(plan.TermDays),
            }, key);
        }

        var updated = await unitOfWork.RunAsync(async token =>
        {
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
            await audit.AppendAsync(caller.ActorId, "license.assign", "pool", pool.Id.ToString(),
                $"count={n};first={assigned[0].License.Id};last={assigned[^1].License.Id}", token);
            return await db.Pools.AsNoTracking().SingleAsync(p => p.Id == pool.Id, token);
        }, ct);
        telemetry.Assigned(n);
        return new Assignment(assigned, updated, plan);
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
