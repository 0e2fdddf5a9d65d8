using System.Globalization;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Pricing;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Pricing;

/// <summary>A reseller's price list line as the vendor sees it, with the plan's code when it is for one plan.</summary>
public sealed record PriceLine(ResellerPrice Line, Plan? Plan);

/// <summary>What one reseller paid in one currency over a period, and in how many orders.</summary>
public sealed record RevenueLine(Guid ResellerId, string CompanyName, string Currency, long AmountMinor, int Orders);

/// <summary>
/// Per-reseller prices. The vendor sets a price list per reseller (an explicit price per plan, or a discount per plan
/// or for every plan); every order (purchase, renewal, upgrade, add-on) is priced from it through <see cref="PlanPrices"/>,
/// and a reseller reading the catalogue sees its own prices, never another's.
/// </summary>
public sealed class PriceBook(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider clock)
{
    /// <summary>What <paramref name="resellerId"/> pays for <paramref name="plan"/>.</summary>
    public async Task<PlanPrices> ForAsync(Guid resellerId, Plan plan, CancellationToken ct) =>
        (await ForAsync(resellerId, [plan], ct))[plan.Id];

    /// <summary>What <paramref name="resellerId"/> pays for each of <paramref name="plans"/>.</summary>
    public async Task<IReadOnlyDictionary<Guid, PlanPrices>> ForAsync(Guid resellerId, IReadOnlyCollection<Plan> plans, CancellationToken ct)
    {
        var lines = await db.ResellerPrices.AsNoTracking().Where(p => p.ResellerId == resellerId).ToListAsync(ct);
        var all = lines.FirstOrDefault(l => l.PlanId is null);
        return plans.DistinctBy(p => p.Id).ToDictionary(p => p.Id, p => PlanPrices.For(p, lines.FirstOrDefault(l => l.PlanId == p.Id), all));
    }

    /// <summary>
    /// Sets the reseller's price for one plan (<paramref name="planId"/>) or every plan (empty): an explicit price
    /// (<paramref name="priceMinor"/>, optional <paramref name="renewalPriceMinor"/>; one plan only) or a discount in percent
    /// with up to two decimals (<paramref name="discountPercent"/>, e.g. "12.5"). Replaces the line there was.
    /// </summary>
    public async Task<PriceLine> SetAsync(Caller caller, string? resellerId, string? planId, long? priceMinor, string? priceCurrency,
        long? renewalPriceMinor, string? discountPercent, CancellationToken ct)
    {
        var v = new Validator();
        var reseller = v.Id("reseller_id", resellerId);
        var plan = v.OptionalId("plan_id", planId);
        int? discount = null;
        if (priceMinor is null == string.IsNullOrWhiteSpace(discountPercent))
        {
            v.Fail("price", "give either a price or discount_percent, not both and not neither");
        }
        else if (priceMinor is { } price)
        {
            if (plan is null)
            {
                v.Fail("plan_id", "is required for an explicit price; a line for every plan is a discount");
            }
            if (price is < 0 or > CatalogService.MaxPriceMinor)
            {
                v.Fail("price.amount_minor", $"must be between 0 and {CatalogService.MaxPriceMinor}");
            }
            if (renewalPriceMinor is < 0 or > CatalogService.MaxPriceMinor)
            {
                v.Fail("renewal_price.amount_minor", $"must be between 0 and {CatalogService.MaxPriceMinor}");
            }
        }
        else
        {
            discount = ParsePercent(v, "discount_percent", discountPercent!);
            if (renewalPriceMinor is not null)
            {
                v.Fail("renewal_price", "goes with an explicit price; a discount applies to the renewal price too");
            }
        }
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            if (!await db.Resellers.AnyAsync(r => r.Id == reseller, token))
            {
                throw new NotFoundException("reseller", resellerId!);
            }
            var planRow = plan is null ? null : await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == plan, token)
                ?? throw new NotFoundException("plan", planId!);
            if (planRow is { Trial: true })
            {
                throw new ValidationException("plan_id", "is a trial plan, which is free for every reseller");
            }
            if (priceMinor is not null && !string.IsNullOrWhiteSpace(priceCurrency) && Currencies.Normalize(priceCurrency) != planRow!.Currency)
            {
                throw new ValidationException("price.currency", $"must be the plan's currency, {planRow.Currency}");
            }
            // One line per reseller and plan (or for all plans): PostgreSQL's unique index lets two NULL plans through, the lock does not.
            await DatabaseLocks.IdempotencyKeyAsync(db, "price", reseller, plan?.ToString() ?? "all", token);
            var line = await db.ResellerPrices.SingleOrDefaultAsync(p => p.ResellerId == reseller && p.PlanId == plan, token);
            if (line is null)
            {
                line = new ResellerPrice { Id = Guid.CreateVersion7(), ResellerId = reseller, PlanId = plan };
                db.ResellerPrices.Add(line);
            }
            line.PriceMinor = priceMinor;
            line.RenewalPriceMinor = priceMinor is null ? null : renewalPriceMinor;
            line.DiscountBasisPoints = discount;
            line.UpdatedAt = clock.Now();
            await audit.AppendAsync(caller.ActorId, "price.set", "reseller", reseller.ToString(),
                $"plan={plan?.ToString() ?? "all"};" + (priceMinor is { } p ? $"price={p};renewal={renewalPriceMinor ?? p}" : $"discount_bp={discount}"), token);
            return new PriceLine(line, planRow);
        }, ct);
    }

    /// <summary>Removes a line of a reseller's price list: the plan (or every plan) is at list price again.</summary>
    public async Task RemoveAsync(Caller caller, string? resellerId, string? planId, CancellationToken ct)
    {
        var v = new Validator();
        var reseller = v.Id("reseller_id", resellerId);
        var plan = v.OptionalId("plan_id", planId);
        v.ThrowIfInvalid();
        await unitOfWork.RunAsync(async token =>
        {
            if (await db.ResellerPrices.Where(p => p.ResellerId == reseller && p.PlanId == plan).ExecuteDeleteAsync(token) == 0)
            {
                throw new NotFoundException("price", plan?.ToString() ?? "all plans");
            }
            await audit.AppendAsync(caller.ActorId, "price.remove", "reseller", reseller.ToString(), $"plan={plan?.ToString() ?? "all"}", token);
            return true;
        }, ct);
    }

    /// <summary>The reseller's price list: the line for every plan first, then one per plan.</summary>
    public async Task<IReadOnlyList<PriceLine>> ListAsync(Caller caller, string? resellerId, CancellationToken ct)
    {
        var v = new Validator();
        var reseller = v.Id("reseller_id", resellerId);
        v.ThrowIfInvalid();
        if (!await db.Resellers.AnyAsync(r => r.Id == reseller, ct))
        {
            throw new NotFoundException("reseller", resellerId!);
        }
        var lines = await db.ResellerPrices.AsNoTracking().Where(p => p.ResellerId == reseller).ToListAsync(ct);
        var planIds = lines.Where(l => l.PlanId is not null).Select(l => l.PlanId!.Value).ToList();
        var plans = await db.Plans.AsNoTracking().Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        return lines.OrderBy(l => l.PlanId is not null).ThenBy(l => l.PlanId is { } id ? plans[id].Code : "")
            .Select(l => new PriceLine(l, l.PlanId is { } id ? plans[id] : null)).ToList();
    }

    /// <summary>
    /// What each reseller was charged from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), per
    /// currency: the sum of its orders' amounts. Returns refund nothing, so they count as the zero they are.
    /// </summary>
    public async Task<IReadOnlyList<RevenueLine>> RevenueAsync(Caller caller, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var start = from ?? DateTimeOffset.UnixEpoch;
        var end = to ?? DateTimeOffset.MaxValue;
        if (end <= start)
        {
            throw new ValidationException("to", "must be after from");
        }
        var query = db.Orders.AsNoTracking().Where(o => o.CreatedAt >= start);
        if (to is not null)
        {
            query = query.Where(o => o.CreatedAt < end);
        }
        var sums = await query.GroupBy(o => new { o.ResellerId, o.Currency })
            .Select(g => new { g.Key.ResellerId, g.Key.Currency, Amount = g.Sum(o => o.AmountMinor), Orders = g.Count() }).ToListAsync(ct);
        var ids = sums.Select(s => s.ResellerId).Distinct().ToList();
        var names = await db.Resellers.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.CompanyName, ct);
        return sums.Select(s => new RevenueLine(s.ResellerId, names.GetValueOrDefault(s.ResellerId) ?? "", s.Currency, s.Amount, s.Orders))
            .OrderByDescending(s => s.AmountMinor).ThenBy(s => s.CompanyName, StringComparer.Ordinal).ToList();
    }

    /// <summary>"12.5" → 1250 basis points; more than 0 and at most 100, with at most two decimals.</summary>
    public static int ParsePercent(Validator v, string field, string text)
    {
        if (!decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent)
            || percent <= 0 || percent > 100 || decimal.Round(percent, 2) != percent)
        {
            v.Fail(field, "must be a percentage above 0 and at most 100, with at most two decimals (e.g. 12.5)");
            return 0;
        }
        return (int)(percent * 100);
    }
}
