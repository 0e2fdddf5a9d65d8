using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Events;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Pools;

public sealed record OrderResult(Order Order, Pool Pool, bool Replayed);

/// <summary>An order with the licenses it covered (none for a purchase, which buys seats into a pool).</summary>
public sealed record OrderView(Order Order, IReadOnlyList<Guid> LicenseIds);

/// <summary>Bulk purchases: an order tops up the reseller's pool for the plan, exactly once per idempotency key.</summary>
public sealed class OrderService(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, EventOutbox events, Pricing.PriceBook prices,
    TimeProvider clock)
{
    public const int MaxQuantity = 100_000;

    /// <summary>
    /// Most covered license ids one page of orders carries: a page ends early rather than grow past it, so a few
    /// renewals of 10,000 licenses each stay within a message a client accepts.
    /// </summary>
    public const int MaxLicenseIdsPerPage = 10_000;

    public async Task<OrderResult> CreateAsync(Caller caller, string? planId, int quantity, string? idempotencyKey, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var plan = v.Id("plan_id", planId);
        v.Range("quantity", quantity, 1, MaxQuantity);
        var key = v.IdempotencyKey("idempotency_key", idempotencyKey);
        v.ThrowIfInvalid();

        // Two calls with one idempotency key, or two first orders of one plan, may race through different
        // replicas. The unique indexes (reseller, idempotency key) and (reseller, plan) let one commit; the
        // other is run again and then finds that order (a replay) or that pool (a top-up).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await CreateOnceAsync(caller, resellerId, plan, planId, quantity, key, ct);
            }
            catch (DbUpdateException ex) when (attempt < 3 && DatabaseErrors.IsUniqueViolation(ex))
            {
            }
        }
    }

    private async Task<OrderResult> CreateOnceAsync(Caller caller, Guid resellerId, Guid plan, string? planId, int quantity, string key,
        CancellationToken ct)
    {
        return await unitOfWork.RunAsync(async token =>
        {
            var existing = await db.Orders.AsNoTracking()
                .SingleOrDefaultAsync(o => o.ResellerId == resellerId && o.IdempotencyKey == key, token);
            if (existing is not null)
            {
                if (existing.Kind != OrderKind.Purchase || existing.PlanId != plan || existing.Quantity != quantity)
                {
                    throw new PreconditionFailedException(
                        "This idempotency key was already used for a different order; use a new key for a new order.");
                }
                var existingPool = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == existing.PoolId, token);
                return new OrderResult(existing, existingPool, Replayed: true);
            }

            var planRow = await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == plan, token)
                ?? throw new NotFoundException("plan", planId!);
            if (planRow.Retired)
            {
                throw new PreconditionFailedException($"Plan {planRow.Code} is retired: it is no longer sold. Licenses already bought keep working and renew.");
            }
            var now = clock.Now();
            if (planRow.Trial)
            {
                await RequireTrialQuotaAsync(resellerId, quantity, now, token);
            }
            var unitPrice = (await prices.ForAsync(resellerId, planRow, token)).Price;
            var pool = await db.Pools.SingleOrDefaultAsync(p => p.ResellerId == resellerId && p.PlanId == plan, token);
            if (pool is null)
            {
                pool = new Pool { Id = Guid.CreateVersion7(), ResellerId = resellerId, PlanId = plan, Purchased = quantity, CreatedAt = now };
                db.Pools.Add(pool);
            }
            else
            {
                // Atomic in the database, so a concurrent assignment never reads a stale total.
                await db.Pools.Where(p => p.Id == pool.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.Purchased, p => p.Purchased + quantity), token);
                db.Entry(pool).State = EntityState.Detached;
            }
            var order = new Order
            {
                Id = Guid.CreateVersion7(),
                ResellerId = resellerId,
                PlanId = plan,
                PoolId = pool.Id,
                Kind = OrderKind.Purchase,
                Quantity = quantity,
                Terms = 1,
                AmountMinor = unitPrice.Times(quantity).AmountMinor,
                Currency = planRow.Currency,
                IdempotencyKey = key,
                CreatedAt = now,
            };
            db.Orders.Add(order);
            events.Order(order);
            await audit.AppendAsync(caller.ActorId, "order.create", "order", order.Id.ToString(),
                $"pool={pool.Id};quantity={quantity}", token);
            await db.SaveChangesAsync(token);
            var current = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == pool.Id, token);
            return new OrderResult(order, current, Replayed: false);
        }, ct);
    }

    /// <summary>
    /// Trials are free, so they are rationed: a reseller takes at most its vendor-set number of trial licenses per
    /// calendar month (UTC). Machines are not tracked across licenses (fingerprints stay unlinkable), so this quota is
    /// what keeps trials from being farmed.
    /// </summary>
    private async Task RequireTrialQuotaAsync(Guid resellerId, int quantity, DateTimeOffset now, CancellationToken ct)
    {
        // Serialises a reseller's trial orders, so two at once cannot both fit the same remainder.
        await DatabaseLocks.IdempotencyKeyAsync(db, "trial-quota", resellerId, "month", ct);
        var quota = await db.Resellers.AsNoTracking().Where(r => r.Id == resellerId).Select(r => r.TrialsPerMonth).SingleAsync(ct);
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var taken = await (from o in db.Orders.AsNoTracking()
                           join p in db.Plans.AsNoTracking() on o.PlanId equals p.Id
                           where o.ResellerId == resellerId && o.Kind == OrderKind.Purchase && p.Trial && o.CreatedAt >= monthStart
                           select (int?)o.Quantity).SumAsync(ct) ?? 0;
        if (taken + quantity > quota)
        {
            throw new PreconditionFailedException(quota == 0
                ? "Your account has no trial licenses; the vendor sets how many trials a reseller may take per month."
                : $"Your account may take {quota} trial licenses per month and has taken {taken} in {now.UtcDateTime:yyyy-MM}; "
                  + $"{Math.Max(0, quota - taken)} remain. The quota renews on the first of the month (UTC).");
        }
    }

    public async Task<(IReadOnlyList<OrderView> Items, string Next)> ListAsync(Caller caller, Guid? resellerFilter, int pageSize,
        string? pageToken, CancellationToken ct)
    {
        var v = new Validator();
        var page = PageSpec.From(v, pageSize, pageToken);
        v.ThrowIfInvalid();
        var query = db.Orders.AsNoTracking();
        if (caller.IsVendor)
        {
            if (resellerFilter is not null)
            {
                query = query.Where(o => o.ResellerId == resellerFilter);
            }
        }
        else
        {
            var resellerId = caller.OwnResellerId;
            query = query.Where(o => o.ResellerId == resellerId);
        }
        var fetched = await page.Window(query, o => o.Id).ToListAsync(ct);
        // Fewer orders than asked for when they cover many licenses (never fewer than one).
        var size = 0;
        for (var covered = 0; size < Math.Min(page.Size, fetched.Count); size++)
        {
            covered += fetched[size].Kind == OrderKind.Purchase ? 0 : fetched[size].Quantity;
            if (covered > MaxLicenseIdsPerPage && size > 0)
            {
                break;
            }
        }
        var (orders, next) = size < page.Size && size < fetched.Count
            ? PageSpec.Cut(fetched, size, last => PageSpec.Token(last.Id))
            : page.Cut(fetched, o => o.Id);
        var ids = orders.Select(o => o.Id).ToList();
        var lines = await db.OrderLicenses.AsNoTracking().Where(l => ids.Contains(l.OrderId)).ToListAsync(ct);
        var byOrder = lines.GroupBy(l => l.OrderId).ToDictionary(g => g.Key, g => (IReadOnlyList<Guid>)g.Select(l => l.LicenseId).ToList());
        return (orders.Select(o => new OrderView(o, byOrder.GetValueOrDefault(o.Id) ?? [])).ToList(), next);
    }

    public async Task<(IReadOnlyList<Pool> Items, string Next)> ListPoolsAsync(Caller caller, Guid? resellerFilter, int pageSize,
        string? pageToken, CancellationToken ct)
    {
        var v = new Validator();
        var page = PageSpec.From(v, pageSize, pageToken);
        v.ThrowIfInvalid();
        var query = db.Pools.AsNoTracking();
        if (caller.IsVendor)
        {
            if (resellerFilter is not null)
            {
                query = query.Where(p => p.ResellerId == resellerFilter);
            }
        }
        else
        {
            var resellerId = caller.OwnResellerId;
            query = query.Where(p => p.ResellerId == resellerId);
        }
        return page.Cut(await page.Window(query, p => p.Id).ToListAsync(ct), p => p.Id);
    }

    public async Task<Pool> GetPoolAsync(Caller caller, string? poolId, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("pool_id", poolId);
        v.ThrowIfInvalid();
        return await db.Pools.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.ResellerId == resellerId, ct)
            ?? throw new NotFoundException("pool", poolId!);
    }
}
