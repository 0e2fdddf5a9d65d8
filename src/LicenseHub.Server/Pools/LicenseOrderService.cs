using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Pricing;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Agents;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Events;
using LicenseHub.Domain.Events;
using LicenseHub.Server.Licensing;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Pools;

/// <summary>
/// What an order on licenses did, or with validate_only would do: <see cref="Order"/> is the order charged (not
/// stored for a quote; null for a scheduled downgrade, which charges nothing), <see cref="Licenses"/> the licenses as
/// they are (or would be) afterwards.
/// </summary>
/// <summary>An add-on of a license as the reseller sees it.</summary>
public sealed record AddOnView(string FeatureCode, DateTimeOffset AddedAt, bool RemoveAtRenewal, Guid OrderId);

public sealed record LicenseOrderResult(Order? Order, IReadOnlyList<LicenseView> Licenses, bool Replayed, bool Scheduled = false, Pool? Pool = null)
{
    public IReadOnlyList<Guid> LicenseIds => Licenses.Select(l => l.License.Id).ToList();
}

/// <summary>
/// Orders on licenses already assigned: renewals, plan changes and returns. Each is priced through <see cref="Money"/>,
/// charged to the reseller as an order in the transaction that changes the licenses, and idempotent on the
/// caller's key: the same key replays the same order and never charges twice; the key reused for anything else
/// is refused. Imitates <see cref="PoolAllocator"/>: validate everything first, then under the locks that make the
/// decision true load, decide (rules in the Domain), record with the audit event, answer.
/// </summary>
public sealed class LicenseOrderService(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, EventOutbox events, Pricing.PriceBook prices,
    TimeProvider clock)
{
    private const string OrderKeyScope = "order";

    /// <summary>
    /// Renews 1..10,000 licenses of one plan for 1..10 terms each, at the plan's renewal price × licenses × terms.
    /// A license with a scheduled downgrade moves to that plan now and is renewed at its price and term.
    /// </summary>
    public async Task<LicenseOrderResult> RenewAsync(Caller caller, IReadOnlyList<string?> licenseIds, int terms, string? idempotencyKey,
        bool validateOnly, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var ids = v.Ids("license_ids", licenseIds, Order.MaxLicenses);
        v.Range("terms", terms, 1, License.MaxTermsAhead);
        var key = v.IdempotencyKey("idempotency_key", idempotencyKey);
        v.ThrowIfInvalid();

        bool SameRequest(Order o) => o.Kind == OrderKind.Renewal && o.Terms == terms;
        if (validateOnly)
        {
            return await ReplayAsync(resellerId, key, ids, SameRequest, ct)
                ?? await QuoteAsync(await DecideRenewalAsync(resellerId, ids, licenseIds, terms, key, ct), ct);
        }
        return await IdempotentAsync(resellerId, key, ids, SameRequest, async token =>
        {
            var decision = await DecideRenewalAsync(resellerId, ids, licenseIds, terms, key, token);
            await RecordAsync(decision, ["ExpiresAt", "MaintenanceUntil", "PlanId", "PendingPlanId", "TransfersUsed", "Entitlements"], token);
            Publish(decision, EventTypes.LicenseRenewed);
            // A scheduled downgrade took effect with the renewal.
            Publish(decision with { Order = null, Licenses = decision.Licenses.Where(l => l.PlanId != decision.FromPlanId).ToList() },
                EventTypes.LicensePlanChanged, "scheduled change applied at renewal");
            await audit.AppendAsync(caller.ActorId, "order.renewal", "order", decision.Order!.Id.ToString(),
                $"licenses={ids.Count};terms={terms};plan={decision.Order.PlanId};amount={decision.Order.AmountMinor} {decision.Order.Currency}{OneLicense(ids)}",
                token);
            return decision;
        }, ct);
    }

    /// <summary>
    /// Moves licenses of one plan to another plan of the same product. Dearer per day (an upgrade): now, as an order
    /// for the difference prorated over each license's remaining paid time (<see cref="Proration"/>), so the next
    /// check-in's token names the new plan and edition. Otherwise (a downgrade): scheduled for the next renewal,
    /// free, no order. The licenses' own plan cancels a scheduled downgrade. Refused while a license has more
    /// machines than the target plan allows.
    /// </summary>
    public async Task<LicenseOrderResult> ChangePlanAsync(Caller caller, IReadOnlyList<string?> licenseIds, string? targetPlanId, string? idempotencyKey,
        bool validateOnly, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var ids = v.Ids("license_ids", licenseIds, Order.MaxLicenses);
        var target = v.Id("target_plan_id", targetPlanId);
        var key = v.IdempotencyKey("idempotency_key", idempotencyKey);
        v.ThrowIfInvalid();

        bool SameRequest(Order o) => o.Kind == OrderKind.Upgrade && o.PlanId == target;
        if (validateOnly)
        {
            return await ReplayAsync(resellerId, key, ids, SameRequest, ct)
                ?? await QuoteAsync(await DecidePlanChangeAsync(resellerId, ids, licenseIds, target, targetPlanId!, key, ct), ct);
        }
        return await IdempotentAsync(resellerId, key, ids, SameRequest, async token =>
        {
            var decision = await DecidePlanChangeAsync(resellerId, ids, licenseIds, target, targetPlanId!, key, token);
            await RecordAsync(decision, ["PlanId", "PendingPlanId", "ExpiresAt", "MaintenanceUntil", "Entitlements"], token);
            Publish(decision, EventTypes.LicensePlanChanged, decision.Order is not null ? "upgraded"
                : decision.Scheduled ? "downgrade scheduled for the next renewal" : "scheduled change cancelled");
            var (action, objectType, objectId) = decision.Order is { } order
                ? ("order.upgrade", "order", order.Id.ToString())
                : (decision.Scheduled ? "license.downgrade_scheduled" : "license.plan_change_cancelled",
                    ids.Count == 1 ? "license" : "plan", ids.Count == 1 ? ids[0].ToString() : target.ToString());
            await audit.AppendAsync(caller.ActorId, action, objectType, objectId,
                $"licenses={ids.Count};from={decision.FromPlanId};to={target}"
                + (decision.Order is { } o ? $";amount={o.AmountMinor} {o.Currency}" : "") + OneLicense(ids), token);
            return decision;
        }, ct);
    }

    /// <summary>
    /// Gives a license that was never activated back to its pool within its plan's return window: the seat is
    /// available again, the license is revoked (its key stops working), and an order of kind RETURN, charging and
    /// refunding nothing, records it. After an activation or the window, revoking is the only way out.
    /// </summary>
    public async Task<LicenseOrderResult> ReturnAsync(Caller caller, string? licenseId, string? idempotencyKey, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("license_id", licenseId);
        var key = v.IdempotencyKey("idempotency_key", idempotencyKey);
        v.ThrowIfInvalid();

        return await IdempotentAsync(resellerId, key, [id], o => o.Kind == OrderKind.Return, async token =>
        {
            var license = await db.Licenses.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id && l.ResellerId == resellerId, token)
                ?? throw new NotFoundException("license", licenseId!);
            var pool = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == license.PoolId, token);
            var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == pool.PlanId, token);
            var everActivated = await ActivationHistory.EverActivatedAsync(db, license, token);
            var now = clock.Now();
            license.Return(now, plan.ReturnWindowDays, everActivated, planChanged: license.PlanId != pool.PlanId);

            var returned = await db.Pools.Where(p => p.Id == pool.Id && p.Assigned > 0)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Assigned, p => p.Assigned - 1), token);
            if (returned == 0)
            {
                throw new InvalidOperationException($"Pool {pool.Id} counts no assigned license, yet license {license.Id} was assigned from it.");
            }
            var order = NewOrder(resellerId, OrderKind.Return, plan.Id, null, pool.Id, 1, 0, Money.Zero(plan.Currency), key, now);
            var decision = new Decision(order, [license], plan.Id);
            await RecordAsync(decision, ["State", "ReturnedAt", "PendingPlanId"], token);
            Publish(decision, EventTypes.LicenseRevoked, "returned to its pool");
            // The copy kept for replaying its assignment opens nothing any more: erased now, not in 24 hours.
            await db.AssignmentReplayKeys.Where(k => k.LicenseId == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.EncryptedKey, Array.Empty<byte>()), token);
            await audit.AppendAsync(caller.ActorId, "license.return", "license", license.Id.ToString(), $"order={order.Id};pool={pool.Id}", token);
            return decision with { Pool = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == pool.Id, token) };
        }, ct);
    }

    /// <summary>The licenses a renewal covers, priced, with their new expiry; nothing written.</summary>
    private async Task<Decision> DecideRenewalAsync(Guid resellerId, IReadOnlyList<Guid> ids, IReadOnlyList<string?> raw, int terms, string key,
        CancellationToken ct)
    {
        var licenses = await LoadAsync(resellerId, ids, raw, ct);
        var (fromPlanId, pendingPlanId) = (licenses[0].PlanId, licenses[0].PendingPlanId);
        if (licenses.Any(l => l.PlanId != fromPlanId || l.PendingPlanId != pendingPlanId))
        {
            throw new ValidationException("license_ids",
                "must all be licenses of one plan with the same scheduled change; renew each plan's licenses in a call of its own");
        }
        var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == (pendingPlanId ?? fromPlanId), ct);
        if (plan.Trial)
        {
            throw new PreconditionFailedException(
                "A trial license is not renewable; convert it to a paid plan of its product with ChangePlan (an order for that plan's price).");
        }
        if (pendingPlanId is not null)
        {
            await RequireMachinesWithinAsync(licenses, plan, "its scheduled downgrade to", ct);
        }
        var now = clock.Now();
        var planPrices = await prices.ForAsync(resellerId, plan, ct);
        // Add-ons are renewed with their license at the renewed plan's add-on price; those removed by the reseller, and
        // those the plan no longer sells (or now includes), are dropped.
        var offers = await db.PlanFeatures.AsNoTracking().Where(f => f.PlanId == plan.Id).ToDictionaryAsync(f => f.FeatureId, ct);
        var addOns = await AddOnsOfAsync(ids, ct);
        var kept = addOns.Where(a => !a.RemoveAtRenewal && offers.TryGetValue(a.FeatureId, out var offer) && !offer.Included).ToList();
        var dropped = addOns.Except(kept).ToList();
        var included = await Catalog.Entitlements.IncludedAsync(db, plan.Id, ct);
        var keptByLicense = kept.ToLookup(a => a.LicenseId, a => a.Code);
        foreach (var license in licenses)
        {
            license.Renew(plan.TermDays, terms, now);
            if (license.PendingPlanId is { } pending)
            {
                license.ChangePlan(pending);
            }
            // A paid term gives the transfer budget back where the plan (the one renewed into) says so.
            if (plan.RestoreTransfersOnRenewal)
            {
                license.RestoreTransfers();
            }
            license.Grant(included.Concat(keptByLicense[license.Id]));
        }
        var amount = planPrices.RenewalPrice.Times(licenses.Count).Times(terms);
        foreach (var addOn in kept)
        {
            amount = amount.Plus(planPrices.AddOn(offers[addOn.FeatureId].AddOnPriceMinor!.Value).Times(terms));
        }
        var order = NewOrder(resellerId, OrderKind.Renewal, plan.Id, pendingPlanId is null ? null : fromPlanId, null, licenses.Count, terms,
            amount, key, now);
        return new Decision(order, licenses, fromPlanId, DropAddOns: dropped);
    }

    /// <summary>The licenses moved (upgrade) or scheduled to move (downgrade), priced; nothing written.</summary>
    private async Task<Decision> DecidePlanChangeAsync(Guid resellerId, IReadOnlyList<Guid> ids, IReadOnlyList<string?> raw, Guid targetId,
        string rawTarget, string key, CancellationToken ct)
    {
        var licenses = await LoadAsync(resellerId, ids, raw, ct);
        var currentId = licenses[0].PlanId;
        if (licenses.Any(l => l.PlanId != currentId))
        {
            throw new ValidationException("license_ids", "must all be licenses of one plan; change each plan's licenses in a call of its own");
        }
        var target = await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == targetId, ct) ?? throw new NotFoundException("plan", rawTarget);
        var current = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == currentId, ct);
        if (target.ProductId != current.ProductId)
        {
            throw new ValidationException("target_plan_id", "is a plan of another product; a license changes plan only within its product");
        }
        if (target.Currency != current.Currency)
        {
            throw new ValidationException("target_plan_id", $"is priced in {target.Currency}, the licenses' plan in {current.Currency}");
        }
        if (target.Retired && target.Id != current.Id)
        {
            throw new ValidationException("target_plan_id", "is a retired plan, which is no longer sold");
        }
        if (target.Trial && target.Id != current.Id)
        {
            throw new ValidationException("target_plan_id", "is a trial plan; a license never moves to a trial");
        }
        if (!current.Trial && target.Perpetual != current.Perpetual)
        {
            throw new ValidationException("target_plan_id", current.Perpetual
                ? "is a plan with a term; a perpetual license changes only to another perpetual plan"
                : "is a perpetual plan; a license with a term changes only to another plan with a term (sell a perpetual license instead)");
        }
        await RequireMachinesWithinAsync(licenses, target, "plan", ct);

        var now = clock.Now();
        var planPrices = await prices.ForAsync(resellerId, [current, target], ct);
        var (currentPrice, targetPrice) = (planPrices[current.Id].Price, planPrices[target.Id].Price);
        Money amount;
        if (current.Trial && target.Id != current.Id)
        {
            // A trial converts now, for the paid plan's price of a first term, counted from today.
            foreach (var license in licenses)
            {
                license.ConvertTrial(target.Id, target.Perpetual, target.TermDays, now);
            }
            amount = targetPrice.Times(licenses.Count);
        }
        else if (current.Perpetual)
        {
            // A perpetual license is owned: an upgrade costs the difference of the two prices, not a share of a term.
            if (target.Id == current.Id || targetPrice.AmountMinor <= currentPrice.AmountMinor)
            {
                return Schedule(licenses, current, target);
            }
            amount = new Money(targetPrice.AmountMinor - currentPrice.AmountMinor, target.Currency).Times(licenses.Count);
            foreach (var license in licenses)
            {
                license.ChangePlan(target.Id);
            }
        }
        else
        {
            if (target.Id == current.Id || !Proration.IsUpgrade(currentPrice, current.TermDays, targetPrice, target.TermDays))
            {
                return Schedule(licenses, current, target);
            }
            amount = Money.Zero(target.Currency);
            foreach (var license in licenses)
            {
                amount = amount.Plus(Proration.UpgradeCharge(currentPrice, current.TermDays, targetPrice, target.TermDays, license.ExpiresAt - now));
                license.ChangePlan(target.Id);
            }
        }
        // The new plan's features from now; add-ons it includes are no longer sold to the license, the others stay
        // until the next renewal (which drops those the plan does not sell).
        var included = await Catalog.Entitlements.IncludedAsync(db, target.Id, ct);
        var addOns = await AddOnsOfAsync(ids, ct);
        var nowIncluded = addOns.Where(a => included.Contains(a.Code)).ToList();
        var byLicense = addOns.ToLookup(a => a.LicenseId, a => a.Code);
        foreach (var license in licenses)
        {
            license.Grant(included.Concat(byLicense[license.Id]));
        }
        var order = NewOrder(resellerId, OrderKind.Upgrade, target.Id, current.Id, null, licenses.Count, current.Trial ? 1 : 0, amount, key, now);
        return new Decision(order, licenses, current.Id, DropAddOns: nowIncluded);
    }

    /// <summary>A downgrade waits for the renewal, which is then priced at the target plan; the licenses' own plan cancels one.</summary>
    private static Decision Schedule(IReadOnlyList<License> licenses, Plan current, Plan target)
    {
        foreach (var license in licenses)
        {
            license.ScheduleChange(target.Id);
        }
        return new Decision(null, licenses, current.Id, Scheduled: target.Id != current.Id);
    }

    /// <summary>
    /// Buys the feature <paramref name="featureCode"/> as an add-on for 1..10,000 licenses of one plan that sells it: an
    /// order of kind ADD_ON for the add-on's price (the reseller's) prorated over each license's paid time left (for a
    /// perpetual license, which keeps it for ever, its whole price), so the next check-in's token carries the feature.
    /// It is renewed with the license from then on.
    /// </summary>
    public async Task<LicenseOrderResult> BuyAddOnAsync(Caller caller, IReadOnlyList<string?> licenseIds, string? featureCode, string? idempotencyKey,
        bool validateOnly, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var ids = v.Ids("license_ids", licenseIds, Order.MaxLicenses);
        var code = v.Slug("feature_code", featureCode);
        var key = v.IdempotencyKey("idempotency_key", idempotencyKey);
        v.ThrowIfInvalid();

        bool SameRequest(Order o) => o.Kind == OrderKind.AddOn && o.FeatureCode == code;
        if (validateOnly)
        {
            return await ReplayAsync(resellerId, key, ids, SameRequest, ct) ?? await QuoteAsync(await DecideAddOnAsync(resellerId, ids, licenseIds, code, key, ct), ct);
        }
        return await IdempotentAsync(resellerId, key, ids, SameRequest, async token =>
        {
            var decision = await DecideAddOnAsync(resellerId, ids, licenseIds, code, key, token);
            await RecordAsync(decision, ["Entitlements"], token);
            var order = decision.Order!;
            await using (var insert = await ModelRowCommand<LicenseAddOn>.InsertAsync(db, token))
            {
                foreach (var license in decision.Licenses)
                {
                    var row = new LicenseAddOn { LicenseId = license.Id, FeatureId = decision.FeatureId!.Value, OrderId = order.Id, AddedAt = order.CreatedAt };
                    if (insert is null)
                    {
                        db.LicenseAddOns.Add(row);
                    }
                    else
                    {
                        await insert.ExecuteAsync(row, token);
                    }
                }
            }
            Publish(decision, EventTypes.LicenseAddOnAdded, $"add-on {code}");
            await audit.AppendAsync(caller.ActorId, "order.add_on", "order", order.Id.ToString(),
                $"licenses={ids.Count};feature={code};amount={order.AmountMinor} {order.Currency}{OneLicense(ids)}", token);
            return decision;
        }, ct);
    }

    private async Task<Decision> DecideAddOnAsync(Guid resellerId, IReadOnlyList<Guid> ids, IReadOnlyList<string?> raw, string code, string key,
        CancellationToken ct)
    {
        var licenses = await LoadAsync(resellerId, ids, raw, ct);
        var planId = licenses[0].PlanId;
        if (licenses.Any(l => l.PlanId != planId))
        {
            throw new ValidationException("license_ids", "must all be licenses of one plan; buy each plan's add-ons in a call of its own");
        }
        var plan = await db.Plans.AsNoTracking().Include(p => p.Product).SingleAsync(p => p.Id == planId, ct);
        var feature = await db.Features.AsNoTracking().SingleOrDefaultAsync(f => f.ProductId == plan.ProductId && f.Code == code, ct)
            ?? throw new ValidationException("feature_code", $"is not a feature of product '{plan.Product!.Code}'");
        var offer = await db.PlanFeatures.AsNoTracking().SingleOrDefaultAsync(f => f.PlanId == planId && f.FeatureId == feature.Id, ct);
        if (offer is null || offer.Included)
        {
            throw new PreconditionFailedException(offer is null
                ? $"Plan {plan.Code} does not sell {code} as an add-on."
                : $"Plan {plan.Code} already includes {code}; its licenses have it without an add-on.");
        }
        var now = clock.Now();
        var had = await db.LicenseAddOns.AsNoTracking().Where(a => a.FeatureId == feature.Id && ids.Contains(a.LicenseId)).Select(a => a.LicenseId)
            .FirstOrDefaultAsync(ct);
        if (had != Guid.Empty)
        {
            throw new PreconditionFailedException($"License {had} already has the add-on {code}.");
        }
        var price = (await prices.ForAsync(resellerId, plan, ct)).AddOn(offer.AddOnPriceMinor!.Value);
        var amount = Money.Zero(plan.Currency);
        foreach (var license in licenses)
        {
            if (license.State == LicenseState.Revoked || license.EffectiveState(now) == LicenseState.Expired)
            {
                throw new PreconditionFailedException($"License {license.Id} is {license.EffectiveState(now).ToString().ToLowerInvariant()}; renew it before buying add-ons.");
            }
            if (license.IsPerpetual)
            {
                // A perpetual license keeps what it has for ever, maintenance or not: an add-on on it is owned too, so it
                // costs its whole price, never a share of the maintenance left (which would sell it for ever for a day's price).
                amount = amount.Plus(price);
            }
            else
            {
                // The add-on's share of the paid time left, rounded up to the minor unit per license (as an upgrade is).
                amount = amount.Plus(Proration.UpgradeCharge(Money.Zero(plan.Currency), plan.TermDays, price, plan.TermDays, license.PaidTimeLeft(now)));
            }
            license.Grant(license.FeatureCodes.Append(code));
        }
        var order = NewOrder(resellerId, OrderKind.AddOn, plan.Id, null, null, licenses.Count, 0, amount, key, now);
        order.FeatureCode = feature.Code;
        return new Decision(order, licenses, plan.Id, FeatureId: feature.Id);
    }

    /// <summary>
    /// Removes an add-on from a license: it was paid for the license's current term, so the license keeps the feature
    /// until its next renewal, which drops it and no longer charges for it.
    /// </summary>
    public async Task<LicenseView> RemoveAddOnAsync(Caller caller, string? licenseId, string? featureCode, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("license_id", licenseId);
        var code = v.Slug("feature_code", featureCode);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            await DatabaseLocks.LicenseAsync(db, id, token);
            var license = await db.Licenses.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id && l.ResellerId == resellerId, token)
                ?? throw new NotFoundException("license", licenseId!);
            var addOn = await (from a in db.LicenseAddOns
                               join f in db.Features on a.FeatureId equals f.Id
                               where a.LicenseId == id && f.Code == code
                               select a).SingleOrDefaultAsync(token)
                ?? throw new PreconditionFailedException($"License {id} has no add-on {code}.");
            if (!addOn.RemoveAtRenewal)
            {
                addOn.RemoveAtRenewal = true;
                events.License(EventTypes.LicenseAddOnRemoved, license, clock.Now(), $"add-on {code} ends at the next renewal");
                await audit.AppendAsync(caller.ActorId, "license.add_on_remove", "license", id.ToString(), $"feature={code}", token);
            }
            return (await ViewsAsync([license], token))[0];
        }, ct);
    }

    /// <summary>The add-ons of one license, by code.</summary>
    public async Task<IReadOnlyList<AddOnView>> AddOnsAsync(Guid licenseId, CancellationToken ct) =>
        await (from a in db.LicenseAddOns.AsNoTracking()
               join f in db.Features.AsNoTracking() on a.FeatureId equals f.Id
               where a.LicenseId == licenseId
               orderby f.Code
               select new AddOnView(f.Code, a.AddedAt, a.RemoveAtRenewal, a.OrderId)).ToListAsync(ct);

    /// <summary>The add-ons of these licenses, with their codes.</summary>
    private async Task<List<AddOnRow>> AddOnsOfAsync(IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        var rows = new List<AddOnRow>();
        foreach (var slice in ids.Chunk(1000))
        {
            rows.AddRange(await (from a in db.LicenseAddOns.AsNoTracking()
                                 join f in db.Features.AsNoTracking() on a.FeatureId equals f.Id
                                 where slice.Contains(a.LicenseId)
                                 select new AddOnRow(a.LicenseId, a.FeatureId, f.Code, a.RemoveAtRenewal)).ToListAsync(ct));
        }
        return rows;
    }

    private sealed record AddOnRow(Guid LicenseId, Guid FeatureId, string Code, bool RemoveAtRenewal);

    /// <summary>The reseller's licenses with these ids, in the order asked for; the first one missing is not found.</summary>
    private async Task<List<License>> LoadAsync(Guid resellerId, IReadOnlyList<Guid> ids, IReadOnlyList<string?> raw, CancellationToken ct)
    {
        var found = await db.Licenses.AsNoTracking().Where(l => ids.Contains(l.Id) && l.ResellerId == resellerId).ToDictionaryAsync(l => l.Id, ct);
        var licenses = new List<License>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            // Valid ids follow the request one for one (the validator refused anything else).
            licenses.Add(found.GetValueOrDefault(ids[i]) ?? throw new NotFoundException("license", raw[i]?.Trim() ?? ids[i].ToString()));
        }
        return licenses;
    }

    private async Task RequireMachinesWithinAsync(IReadOnlyList<License> licenses, Plan plan, string what, CancellationToken ct)
    {
        // Forgotten installations keep their seats until released, so they count here too.
        if (await Seats.FirstOverAsync(db, licenses.Select(l => l.Id).ToList(), plan.MaxMachines, ct) is { } over)
        {
            throw new PreconditionFailedException(
                $"License {over.LicenseId} is used on {over.Taken} servers; {what} {plan.Code} allows {plan.MaxMachines}. Release servers first.");
        }
    }

    private static Order NewOrder(Guid resellerId, OrderKind kind, Guid planId, Guid? fromPlanId, Guid? poolId, int quantity, int terms, Money amount,
        string key, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        ResellerId = resellerId,
        Kind = kind,
        PlanId = planId,
        FromPlanId = fromPlanId,
        PoolId = poolId,
        Quantity = quantity,
        Terms = terms,
        AmountMinor = amount.AmountMinor,
        Currency = amount.Currency,
        IdempotencyKey = key,
        CreatedAt = now,
    };

    /// <summary>What an order decided: the order (none for a scheduled downgrade) and the licenses as they become.</summary>
    private sealed record Decision(Order? Order, IReadOnlyList<License> Licenses, Guid FromPlanId, bool Scheduled = false, Pool? Pool = null,
        IReadOnlyList<AddOnRow>? DropAddOns = null, Guid? FeatureId = null);

    /// <summary>
    /// Runs <paramref name="work"/> once per idempotency key: under the key's lock, an order already made with it is
    /// replayed (when the request is the same) or the call refused (when it is not). Two calls racing through two
    /// replicas past the lock meet at the unique index on the key: one commits, the other runs again and replays.
    /// </summary>
    private async Task<LicenseOrderResult> IdempotentAsync(Guid resellerId, string key, IReadOnlyList<Guid> ids, Func<Order, bool> sameRequest,
        Func<CancellationToken, Task<Decision>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await unitOfWork.RunAsync(async token =>
                {
                    await DatabaseLocks.IdempotencyKeyAsync(db, OrderKeyScope, resellerId, key, token);
                    if (await ReplayAsync(resellerId, key, ids, sameRequest, token) is { } replay)
                    {
                        return replay;
                    }
                    await DatabaseLocks.LicensesAsync(db, ids, token);
                    var decision = await work(token);
                    return new LicenseOrderResult(decision.Order, await ViewsAsync(decision.Licenses, token), Replayed: false, decision.Scheduled,
                        decision.Pool);
                }, ct);
            }
            catch (DbUpdateException ex) when (attempt < 3 && DatabaseErrors.IsUniqueViolation(ex))
            {
            }
        }
    }

    /// <summary>The earlier order of this key, when it was made by the same request; refused when it was not.</summary>
    private async Task<LicenseOrderResult?> ReplayAsync(Guid resellerId, string key, IReadOnlyList<Guid> ids, Func<Order, bool> sameRequest,
        CancellationToken ct)
    {
        var existing = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.ResellerId == resellerId && o.IdempotencyKey == key, ct);
        if (existing is null)
        {
            return null;
        }
        var covered = await db.OrderLicenses.AsNoTracking().Where(l => l.OrderId == existing.Id).Select(l => l.LicenseId).ToListAsync(ct);
        if (!sameRequest(existing) || !covered.ToHashSet().SetEquals(ids))
        {
            throw new PreconditionFailedException(
                $"The idempotency key '{key}' was already used for another order ({existing.Kind.ToString().ToLowerInvariant()} {existing.Id}); "
                + "use a new key for a new order.");
        }
        var licenses = await db.Licenses.AsNoTracking().Where(l => ids.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
        var pool = existing.PoolId is { } poolId ? await db.Pools.AsNoTracking().SingleAsync(p => p.Id == poolId, ct) : null;
        return new LicenseOrderResult(existing, await ViewsAsync(ids.Select(id => licenses[id]).ToList(), ct), Replayed: true, Pool: pool);
    }

    private async Task<LicenseOrderResult> QuoteAsync(Decision decision, CancellationToken ct)
    {
        // A quote is the order as it would be made now; it is not stored, so it has no id.
        if (decision.Order is not null)
        {
            decision.Order.Id = Guid.Empty;
        }
        return new LicenseOrderResult(decision.Order, await ViewsAsync(decision.Licenses, ct), Replayed: false, decision.Scheduled);
    }

    /// <summary>
    /// Writes the order, the licenses it covers and the licenses' changed columns, each through one prepared
    /// command: a renewal of 10,000 licenses would otherwise spend most of its time in EF's change tracker.
    /// </summary>
    /// <summary>The events of a decision: its order, if one was made, and each license's new state.</summary>
    private void Publish(Decision decision, string licenseEvent, string? reason = null)
    {
        var now = clock.Now();
        if (decision.Order is { } order)
        {
            events.Order(order);
        }
        foreach (var license in decision.Licenses)
        {
            events.License(licenseEvent, license, now, reason);
        }
    }

    private async Task RecordAsync(Decision decision, IReadOnlyList<string> changedColumns, CancellationToken ct)
    {
        foreach (var group in (decision.DropAddOns ?? []).GroupBy(a => a.FeatureId))
        {
            foreach (var slice in group.Select(a => a.LicenseId).Chunk(1000))
            {
                await db.LicenseAddOns.Where(a => a.FeatureId == group.Key && slice.Contains(a.LicenseId)).ExecuteDeleteAsync(ct);
            }
        }
        await using (var update = await ModelRowCommand<License>.UpdateAsync(db, changedColumns, ct))
        {
            foreach (var license in decision.Licenses)
            {
                await update.ExecuteAsync(license, ct);
            }
        }
        if (decision.Order is not { } order)
        {
            return;
        }
        db.Orders.Add(order);
        // The order row first: its lines refer to it.
        await db.SaveChangesAsync(ct);
        var lines = decision.Licenses.Select(l => new OrderLicense { OrderId = order.Id, LicenseId = l.Id });
        await using var insert = await ModelRowCommand<OrderLicense>.InsertAsync(db, ct);
        if (insert is null)
        {
            db.OrderLicenses.AddRange(lines);
            return;
        }
        foreach (var line in lines)
        {
            await insert.ExecuteAsync(line, ct);
        }
    }

    private async Task<IReadOnlyList<LicenseView>> ViewsAsync(IReadOnlyList<License> licenses, CancellationToken ct)
    {
        var ids = licenses.Select(l => l.Id).ToList();
        var counts = await db.Installations.AsNoTracking().Where(i => ids.Contains(i.LicenseId)).GroupBy(i => i.LicenseId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var forgotten = await db.ForgottenSeats.AsNoTracking().Where(s => ids.Contains(s.LicenseId)).GroupBy(s => s.LicenseId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var planIds = licenses.Select(l => l.PlanId).Concat(licenses.Where(l => l.PendingPlanId is not null).Select(l => l.PendingPlanId!.Value))
            .Distinct().ToList();
        var plans = await db.Plans.AsNoTracking().Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        return licenses.Select(l => new LicenseView(l, plans[l.PlanId], counts.GetValueOrDefault(l.Id), null,
            l.PendingPlanId is { } pending ? plans[pending] : null, forgotten.GetValueOrDefault(l.Id))).ToList();
    }

    private static string OneLicense(IReadOnlyList<Guid> ids) => ids.Count == 1 ? $";license={ids[0]}" : "";
}
