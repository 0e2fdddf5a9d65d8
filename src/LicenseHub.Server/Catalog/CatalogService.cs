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
public sealed record NewPlan(string ProductId, string Code, string Edition, int TermDays, int MaxMachines, int OfflineGraceDays,
    long PriceMinor, string Currency, int TransferBudget, long? RenewalPriceMinor = null, string? RenewalCurrency = null, int? ReturnWindowDays = null,
    bool? RestoreTransfersOnRenewal = null);

/// <summary>Products and plans, defined by the vendor.</summary>
public sealed class CatalogService(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider clock)
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
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
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
                CreatedAt = clock.Now(),
            };
            db.Plans.Add(plan);
            await audit.AppendAsync(caller.ActorId, "plan.create", "plan", plan.Id.ToString(), $"product={product.Code};code={code};transfer_budget={plan.TransferBudget};restore_transfers_on_renewal={plan.RestoreTransfersOnRenewal}", token);
            return plan;
        }, ct);
    }

    /// <summary>Every plan, for vendors and resellers alike: resellers buy from the whole catalogue.</summary>
    public async Task<IReadOnlyList<Plan>> ListPlansAsync(Caller caller, string? productId, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.OptionalId("product_id", productId);
        v.ThrowIfInvalid();
        var query = db.Plans.AsNoTracking().Include(p => p.Product).AsQueryable();
        if (id is not null)
        {
            query = query.Where(p => p.ProductId == id);
        }
        return await query.OrderBy(p => p.Code).ToListAsync(ct);
    }
}
