using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Catalog;

public sealed record NewPlan(string ProductId, string Code, string Edition, int TermDays, int MaxMachines, int OfflineGraceDays,
    long PriceMinor, string Currency, int TransferBudget);

/// <summary>Products and plans, defined by the vendor.</summary>
public sealed class CatalogService(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider clock)
{
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
        if (request.PriceMinor < 0 || request.PriceMinor > 100_000_000_00)
        {
            v.Fail("price.amount_minor", "must be between 0 and 10000000000");
        }
        var currency = v.Currency("price.currency", request.Currency);
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
                TransferBudget = request.TransferBudget,
                CreatedAt = clock.Now(),
            };
            db.Plans.Add(plan);
            await audit.AppendAsync(caller.ActorId, "plan.create", "plan", plan.Id.ToString(), $"product={product.Code};code={code}", token);
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
