using LicenseHub.V1;

namespace LicenseHub.Tests.Infrastructure;

/// <summary>A vendor catalogue and one reseller with keys of every role, ready for tests.</summary>
public sealed record ResellerSetup(string ResellerId, string OwnerKey, string ManagerKey, string ViewerKey, string OwnerKeyId);

public sealed class Scenario(LicenseHubFactory factory)
{
    public LicenseHubFactory Factory { get; } = factory;
    public string ProductId { get; private set; } = "";
    public Plan Plan { get; private set; } = null!;

    public static async Task<Scenario> CreateAsync(LicenseHubFactory factory, int maxMachines = 2, int transferBudget = 2)
    {
        var scenario = new Scenario(factory);
        var vendor = factory.Vendor();
        var product = await vendor.CreateProductAsync(new CreateProductRequest { Code = "panel", Name = "Hosting Panel" });
        scenario.ProductId = product.Id;
        scenario.Plan = await vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = product.Id,
            Code = "pro-yearly",
            Edition = "pro",
            TermDays = 365,
            MaxMachines = maxMachines,
            OfflineGraceDays = 7,
            Price = new Money { AmountMinor = 1999, Currency = "EUR" },
            TransferBudget = transferBudget,
        });
        return scenario;
    }

    public async Task<ResellerSetup> AddResellerAsync(string company = "Example Hosting GmbH")
    {
        var vendor = Factory.Vendor();
        var reseller = await vendor.CreateResellerAsync(new CreateResellerRequest
        {
            CompanyName = company,
            Country = "DE",
            VatId = "DE123456789",
            BillingContactName = "Billing Desk",
            BillingContactEmail = "billing@example-hosting.test",
        });
        async Task<CreateApiKeyResponse> Key(ApiKeyRole role) =>
            await vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = reseller.Id, Name = role.ToString(), Role = role });
        var owner = await Key(ApiKeyRole.Owner);
        var manager = await Key(ApiKeyRole.Manager);
        var viewer = await Key(ApiKeyRole.Viewer);
        return new ResellerSetup(reseller.Id, owner.ApiKey, manager.ApiKey, viewer.ApiKey, owner.Info.Id);
    }

    public async Task<Pool> BuyAsync(ResellerSetup reseller, int quantity)
    {
        var response = await Factory.Reseller(reseller.OwnerKey).CreateOrderAsync(new CreateOrderRequest
        {
            PlanId = Plan.Id,
            Quantity = quantity,
            IdempotencyKey = "order-" + Guid.NewGuid().ToString("N"),
        });
        return response.Pool;
    }

    public async Task<AssignLicensesResponse> AssignAsync(ResellerSetup reseller, string poolId, int count) =>
        await Factory.Reseller(reseller.OwnerKey).AssignLicensesAsync(new AssignLicensesRequest { PoolId = poolId, Count = count });
}
