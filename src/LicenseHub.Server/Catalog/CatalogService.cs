using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Pricing;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Catalog;

/// <param name="RenewalPriceMinor">Price of one more term of one license; null: the price.</param>
/// <param name="RenewalCurrency">Currency of the renewal price; when given it must be the price's.</param>
/// <param name="ReturnWindowDays">Days after assignment in which a license never activated may be returned; null: 14.</param>
/// <param name="RestoreTransfersOnRenewal">Whether a renewal gives a license its transfer budget back; null: yes.</param>
/// <param name="Features">Codes of the product's features every license of the plan has.</param>
/// <param name="AddOns">Features of the product sold per license on top of the plan, each at a price per term in the plan's currency.</param>
/// <param name="Trial">A free trial: price 0, term at most 30 days, not renewable, convertible to a paid plan with ChangePlan.</param>
/// <param name="Perpetual">Licenses never expire; <paramref name="TermDays"/> is the maintenance term a purchase and each renewal buy.</param>
public sealed record NewPlan(string ProductId, string Code, string Edition, int TermDays, int MaxMachines, int OfflineGraceDays,
    long PriceMinor, string Currency, int TransferBudget, long? RenewalPriceMinor = null, string? RenewalCurrency = null, int? ReturnWindowDays = null,
    bool? RestoreTransfersOnRenewal = null, IReadOnlyList<string>? Features = null, IReadOnlyList<AddOnOffer>? AddOns = null, bool Trial = false,
    bool Perpetual = false);

/// <summary>A feature offered as an add-on on a plan, at <paramref name="PriceMinor"/> per license and term.</summary>
public sealed record AddOnOffer(string? FeatureCode, long PriceMinor);

/// <summary>Products and plans, defined by the vendor.</summary>
public sealed class CatalogService(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, Pricing.PriceBook prices, TimeProvider clock)
{
    /// <summary>The highest price of one license and term: 10^10 minor units (100,000,000.00 EUR).</summary>
    public const long MaxPriceMinor = 10_000_000_000;

    public async Task<Product> CreateProductAsync(Caller caller, string? code, string? name, CancellationToken ct)
    {
        var v = new Validator();
        var validCode = v.Slug("code", code);
        var validName = v.Text("name", name, 200);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            if (await db.Products.AnyAsync(p => p.Code == validCode, token))
            {
                throw new AlreadyExistsException($"A product with code '{validCode}' already exists.");
            }
            var product = new Product { Id = Guid.CreateVersion7(), Code = validCode, Name = validName, CreatedAt = clock.Now() };
            db.Products.Add(product);
            await audit.AppendAsync(caller.ActorId, "product.create", "product", product.Id.ToString(), $"code={validCode}", token);
            return product;
        }, ct);
    }

    /// <summary>The catalogue is the same for every caller allowed to read it.</summary>
    public async Task<IReadOnlyList<Product>> ListProductsAsync(Caller caller, CancellationToken ct) =>
        await db.Products.AsNoTracking().OrderBy(p => p.Code).ToListAsync(ct);

    public async Task<Plan> CreatePlanAsync(Caller caller, NewPlan request, CancellationToken ct)
    {
        var v = new Validator();
        var productId = v.Id("product_id", request.ProductId);
        var code = v.Slug("code", request.Code);
        var edition = v.Text("edition", request.Edition, 64);
        v.Range("term_days", request.TermDays, 1, 3650);
        v.Range("max_machines", request.MaxMachines, 1, 10_000);
        v.Range("offline_grace_days", request.OfflineGraceDays, 0, 365);
        v.Range("transfer_budget", request.TransferBudget, 0, 1000);
        if (request.PriceMinor < 0 || request.PriceMinor > MaxPriceMinor)
        {
            v.Fail("price.amount_minor", $"must be between 0 and {MaxPriceMinor}");
        }
        var currency = v.Currency("price.currency", request.Currency);
        if (request.RenewalPriceMinor is < 0 or > MaxPriceMinor)
        {
            v.Fail("renewal_price.amount_minor", $"must be between 0 and {MaxPriceMinor}");
        }
        if (!string.IsNullOrEmpty(request.RenewalCurrency) && Currencies.Normalize(request.RenewalCurrency) != currency)
        {
            v.Fail("renewal_price.currency", "must be the currency of the price");
        }
        var returnWindow = v.Range("return_window_days", request.ReturnWindowDays ?? Plan.DefaultReturnWindowDays, 0, Plan.MaxReturnWindowDays);
        if (request.Trial)
        {
            // A trial costs nothing and cannot be stretched: it ends, or it is converted to a paid plan.
            if (request.PriceMinor != 0)
            {
                v.Fail("price.amount_minor", "must be 0 for a trial plan");
            }
            if (request.RenewalPriceMinor is not (null or 0))
            {
                v.Fail("renewal_price.amount_minor", "must be unset for a trial plan, which is not renewable");
            }
            if (request.TermDays > Plan.MaxTrialDays)
            {
                v.Fail("term_days", $"must be at most {Plan.MaxTrialDays} for a trial plan");
            }
            if (request.Perpetual)
            {
                v.Fail("perpetual", "a trial plan cannot be perpetual");
            }
            if (request.AddOns is { Count: > 0 })
            {
                v.Fail("add_ons", "a trial plan sells no add-ons; include the features to try in features");
            }
        }
        var features = ValidateFeatures(v, request.Features, request.AddOns);
        v.ThrowIfInvalid();
        var created = await unitOfWork.RunAsync(async token =>
        {
            var product = await db.Products.SingleOrDefaultAsync(p => p.Id == productId, token)
                ?? throw new NotFoundException("product", request.ProductId);
            if (await db.Plans.AnyAsync(p => p.ProductId == productId && p.Code == code, token))
            {
                throw new AlreadyExistsException($"Product '{product.Code}' already has a plan with code '{code}'.");
            }
            var plan = new Plan
            {
                Id = Guid.CreateVersion7(),
                ProductId = productId,
                Product = product,
                Code = code,
                Edition = edition,
                TermDays = request.TermDays,
                MaxMachines = request.MaxMachines,
                OfflineGraceDays = request.OfflineGraceDays,
                PriceMinor = request.PriceMinor,
                Currency = currency,
                RenewalPriceMinor = request.RenewalPriceMinor ?? request.PriceMinor,
                ReturnWindowDays = returnWindow,
                TransferBudget = request.TransferBudget,
                RestoreTransfersOnRenewal = request.RestoreTransfersOnRenewal ?? true,
                Trial = request.Trial,
                Perpetual = request.Perpetual,
                CreatedAt = clock.Now(),
            };
            plan.Features = await ResolveFeaturesAsync(productId, plan.Id, features, token);
            db.Plans.Add(plan);
            await audit.AppendAsync(caller.ActorId, "plan.create", "plan", plan.Id.ToString(), $"product={product.Code};code={code};transfer_budget={plan.TransferBudget};restore_transfers_on_renewal={plan.RestoreTransfersOnRenewal}"
                + $";trial={plan.Trial};perpetual={plan.Perpetual};features={FeatureSummary(features)}", token);
            return plan;
        }, ct);
        return await GetPlanAsync(created.Id, ct);
    }

    /// <summary>A plan with its product and features, as stored.</summary>
    private Task<Plan> GetPlanAsync(Guid id, CancellationToken ct) =>
        db.Plans.AsNoTracking().Include(p => p.Product).Include(p => p.Features).ThenInclude(f => f.Feature).SingleAsync(p => p.Id == id, ct);

    /// <summary>
    /// Changes what a plan costs from now on, or retires it. New prices apply to orders made after the change (purchases,
    /// renewals, upgrades, add-ons; resellers' own price lines still win); nothing already paid is touched. A retired plan
    /// is no longer sold: no purchase, and no license moves to it; its licenses keep working and renew, so no customer
    /// loses a license and no revenue is lost. Un-retiring sells it again.
    /// </summary>
    /// <param name="priceCurrency">The currency the new price was given in, if any: it must be the plan's.</param>
    /// <param name="renewalCurrency">Likewise for the renewal price.</param>
    public async Task<Plan> UpdatePlanAsync(Caller caller, string? planId, long? priceMinor, string? priceCurrency, long? renewalPriceMinor,
        string? renewalCurrency, bool? retired, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("plan_id", planId);
        if (priceMinor is < 0 or > MaxPriceMinor)
        {
            v.Fail("price.amount_minor", $"must be between 0 and {MaxPriceMinor}");
        }
        if (renewalPriceMinor is < 0 or > MaxPriceMinor)
        {
            v.Fail("renewal_price.amount_minor", $"must be between 0 and {MaxPriceMinor}");
        }
        if (priceMinor is null && renewalPriceMinor is null && retired is null)
        {
            v.Fail("plan_id", "give a price, a renewal price or retired: there is nothing to change");
        }
        v.ThrowIfInvalid();
        await unitOfWork.RunAsync(async token =>
        {
            var plan = await db.Plans.SingleOrDefaultAsync(p => p.Id == id, token) ?? throw new NotFoundException("plan", planId!);
            foreach (var (field, currency) in new[] { ("price.currency", priceCurrency), ("renewal_price.currency", renewalCurrency) })
            {
                if (!string.IsNullOrEmpty(currency) && Currencies.Normalize(currency) != plan.Currency)
                {
                    throw new ValidationException(field, $"must be the plan's currency, {plan.Currency}");
                }
            }
            if (plan.Trial && (priceMinor is not (null or 0) || renewalPriceMinor is not (null or 0)))
            {
                throw new ValidationException(priceMinor is not (null or 0) ? "price.amount_minor" : "renewal_price.amount_minor", "must be 0 for a trial plan");
            }
            var changes = new List<string>();
            if (priceMinor is { } price && price != plan.PriceMinor)
            {
                changes.Add($"price={plan.PriceMinor}->{price}");
                plan.PriceMinor = price;
            }
            if (renewalPriceMinor is { } renewal && renewal != plan.RenewalPriceMinor)
            {
                changes.Add($"renewal_price={plan.RenewalPriceMinor}->{renewal}");
                plan.RenewalPriceMinor = renewal;
            }
            if (retired is { } retire && retire != plan.Retired)
            {
                changes.Add(retire ? "retired" : "sold again");
                plan.RetiredAt = retire ? clock.Now() : null;
            }
            if (changes.Count > 0)
            {
                await audit.AppendAsync(caller.ActorId, "plan.update", "plan", plan.Id.ToString(), string.Join(';', changes), token);
            }
            return plan;
        }, ct);
        db.ChangeTracker.Clear();
        return await GetPlanAsync(id, ct);
    }

    /// <summary>Defines a feature of a product: a code products check in tokens (<c>ent</c>) and a name.</summary>
    public async Task<Feature> CreateFeatureAsync(Caller caller, string? productId, string? code, string? name, CancellationToken ct)
    {
        var v = new Validator();
        var product = v.Id("product_id", productId);
        var validCode = v.Slug("code", code);
        var validName = v.Text("name", name, 200);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var owner = await db.Products.AsNoTracking().SingleOrDefaultAsync(p => p.Id == product, token) ?? throw new NotFoundException("product", productId!);
            if (await db.Features.AnyAsync(f => f.ProductId == product && f.Code == validCode, token))
            {
                throw new AlreadyExistsException($"Product '{owner.Code}' already has a feature with code '{validCode}'.");
            }
            if (await db.Features.CountAsync(f => f.ProductId == product, token) >= Feature.MaxPerProduct)
            {
                throw new PreconditionFailedException($"Product '{owner.Code}' has {Feature.MaxPerProduct} features, the most a product may have.");
            }
            var feature = new Feature { Id = Guid.CreateVersion7(), ProductId = product, Code = validCode, Name = validName, CreatedAt = clock.Now() };
            db.Features.Add(feature);
            await audit.AppendAsync(caller.ActorId, "feature.create", "feature", feature.Id.ToString(), $"product={owner.Code};code={validCode}", token);
            return feature;
        }, ct);
    }

    /// <summary>The features of a product (or of every product), by code.</summary>
    public async Task<IReadOnlyList<Feature>> ListFeaturesAsync(Caller caller, string? productId, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.OptionalId("product_id", productId);
        v.ThrowIfInvalid();
        var query = db.Features.AsNoTracking();
        if (id is not null)
        {
            query = query.Where(f => f.ProductId == id);
        }
        return await query.OrderBy(f => f.Code).ToListAsync(ct);
    }

    /// <summary>
    /// Replaces what a plan includes and which add-ons it sells. Every license of the plan grants the new features from its
    /// next check-in; add-ons already bought stay until the license's next renewal, which drops those no longer sold.
    /// </summary>
    public async Task<Plan> SetPlanFeaturesAsync(Caller caller, string? planId, IReadOnlyList<string>? included, IReadOnlyList<AddOnOffer>? addOns,
        CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("plan_id", planId);
        var features = ValidateFeatures(v, included, addOns);
        v.ThrowIfInvalid();
        await unitOfWork.RunAsync(async token =>
        {
            var plan = await db.Plans.Include(p => p.Features).SingleOrDefaultAsync(p => p.Id == id, token)
                ?? throw new NotFoundException("plan", planId!);
            if (plan.Trial && addOns is { Count: > 0 })
            {
                throw new ValidationException("add_ons", "a trial plan sells no add-ons; include the features to try in features");
            }
            var resolved = await ResolveFeaturesAsync(plan.ProductId, plan.Id, features, token);
            db.PlanFeatures.RemoveRange(plan.Features);
            await db.SaveChangesAsync(token);
            plan.Features = resolved;
            db.PlanFeatures.AddRange(resolved);
            await db.SaveChangesAsync(token);
            await Entitlements.RewritePlanAsync(db, plan.Id, token);
            await audit.AppendAsync(caller.ActorId, "plan.features", "plan", plan.Id.ToString(), $"features={FeatureSummary(features)}", token);
            return plan;
        }, ct);
        db.ChangeTracker.Clear();
        return await GetPlanAsync(id, ct);
    }

    /// <summary>Checks the feature codes of a plan: slugs, each once, none both included and an add-on, prices in range.</summary>
    private static IReadOnlyList<(string Code, long? AddOnPriceMinor)> ValidateFeatures(Validator v, IReadOnlyList<string>? included,
        IReadOnlyList<AddOnOffer>? addOns)
    {
        var result = new List<(string, long?)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        included ??= [];
        addOns ??= [];
        if (included.Count + addOns.Count > Feature.MaxPerProduct)
        {
            v.Fail("features", $"a plan has at most {Feature.MaxPerProduct} features and add-ons");
            return result;
        }
        for (var i = 0; i < included.Count; i++)
        {
            var before = v.Violations.Count;
            var code = v.Slug($"features[{i}]", included[i]);
            // Only a valid code is compared (and named): a value that failed is never echoed.
            if (v.Violations.Count == before && !seen.Add(code))
            {
                v.Fail($"features[{i}]", $"names '{code}' twice");
            }
            result.Add((code, null));
        }
        for (var i = 0; i < addOns.Count; i++)
        {
            var before = v.Violations.Count;
            var code = v.Slug($"add_ons[{i}].feature_code", addOns[i].FeatureCode);
            if (v.Violations.Count == before && !seen.Add(code))
            {
                v.Fail($"add_ons[{i}].feature_code", $"names '{code}', which the plan already includes or sells");
            }
            if (addOns[i].PriceMinor is < 0 or > MaxPriceMinor)
            {
                v.Fail($"add_ons[{i}].price.amount_minor", $"must be between 0 and {MaxPriceMinor}");
            }
            result.Add((code, addOns[i].PriceMinor));
        }
        return result;
    }

    /// <summary>The plan's feature rows for validated codes; a code the product does not define is not found.</summary>
    private async Task<List<PlanFeature>> ResolveFeaturesAsync(Guid productId, Guid planId, IReadOnlyList<(string Code, long? AddOnPriceMinor)> features,
        CancellationToken ct)
    {
        if (features.Count == 0)
        {
            return [];
        }
        var codes = features.Select(f => f.Code).ToList();
        var known = await db.Features.AsNoTracking().Where(f => f.ProductId == productId && codes.Contains(f.Code)).ToDictionaryAsync(f => f.Code, ct);
        var includedCount = features.Count(f => f.AddOnPriceMinor is null);
        return features.Select((f, i) => new PlanFeature
        {
            PlanId = planId,
            FeatureId = known.TryGetValue(f.Code, out var feature) ? feature.Id
                : throw new ValidationException(f.AddOnPriceMinor is null ? $"features[{i}]" : $"add_ons[{i - includedCount}].feature_code",
                    $"names '{f.Code}', which is not a feature of the plan's product; define it with CreateFeature first"),
            AddOnPriceMinor = f.AddOnPriceMinor,
        }).ToList();
    }

    private static string FeatureSummary(IReadOnlyList<(string Code, long? AddOnPriceMinor)> features) =>
        string.Join(',', features.Select(f => f.AddOnPriceMinor is { } price ? $"{f.Code}+{price}" : f.Code));

    /// <summary>Every plan, for vendors and resellers alike: resellers buy from the whole catalogue.</summary>
    public async Task<IReadOnlyList<Plan>> ListPlansAsync(Caller caller, string? productId, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.OptionalId("product_id", productId);
        v.ThrowIfInvalid();
        var query = db.Plans.AsNoTracking().Include(p => p.Product).Include(p => p.Features).ThenInclude(f => f.Feature).AsQueryable();
        if (id is not null)
        {
            query = query.Where(p => p.ProductId == id);
        }
        var plans = await query.OrderBy(p => p.Code).ToListAsync(ct);
        if (!caller.IsVendor && caller.ResellerId is { } resellerId)
        {
            // A reseller reads its own prices, never the list price another pays (the rows are not tracked: nothing is written).
            var own = await prices.ForAsync(resellerId, plans, ct);
            foreach (var plan in plans)
            {
                var price = own[plan.Id];
                plan.PriceMinor = price.Price.AmountMinor;
                plan.RenewalPriceMinor = price.RenewalPrice.AmountMinor;
                foreach (var addOn in plan.Features.Where(f => f.AddOnPriceMinor is not null))
                {
                    addOn.AddOnPriceMinor = price.AddOn(addOn.AddOnPriceMinor!.Value).AmountMinor;
                }
            }
        }
        return plans;
    }
}
