using System.Security.Cryptography;
using System.Text;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

/// <summary>
/// Decisions made from what was just read (machines left, key already used, chain head) under concurrent
/// calls. On SQLite writers queue on the write lock; on PostgreSQL they run side by side, and these tests
/// prove the row locks, unique indexes and the audit-chain lock keep the same answers.
/// </summary>
public sealed class ConcurrentWriteTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes(machine)));

    private static ActivateRequest Activation(string key, string machine) => new()
    {
        LicenseKey = key, Fingerprint = Fingerprint(machine), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
    };

    [Fact]
    public async Task Activate_TwelveMachinesAtOnce_NeverExceedsMaxMachines()
    {
        var scenario = await Scenario.CreateAsync(_factory, maxMachines: 3);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 1);
        var key = (await scenario.AssignAsync(reseller, pool.Id, 1)).Licenses[0].LicenseKey;

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Agent.ActivateAsync(Activation(key, $"machine-{i}")).ResponseAsync));

        Assert.Equal(3, results.Count(r => r.Code == ValidationCode.Valid));
        Assert.Equal(9, results.Count(r => r.Code == ValidationCode.TooManyMachines));
        Assert.Equal(3, _factory.WithDb(db => db.Installations.Count()));
    }

    [Fact]
    public async Task Activate_OneMachineEightTimesAtOnce_KeepsOneInstallation()
    {
        var scenario = await Scenario.CreateAsync(_factory, maxMachines: 2);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 1);
        var key = (await scenario.AssignAsync(reseller, pool.Id, 1)).Licenses[0].LicenseKey;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Agent.ActivateAsync(Activation(key, "machine-a")).ResponseAsync));

        Assert.All(results, r => Assert.Equal(ValidationCode.Valid, r.Code));
        Assert.Single(results.Select(r => r.InstallationId).Distinct());
        Assert.Equal(1, _factory.WithDb(db => db.Installations.Count()));
    }

    [Fact]
    public async Task CreateOrder_SameIdempotencyKeyAtOnce_CreatesOneOrder()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var client = _factory.Reseller(reseller.OwnerKey);
        var request = new CreateOrderRequest { PlanId = scenario.Plan.Id, Quantity = 5, IdempotencyKey = "whmcs-invoice-4711" };

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.CreateOrderAsync(request).ResponseAsync));

        Assert.Single(results.Select(r => r.Order.Id).Distinct());
        Assert.Single(results, r => !r.Replayed);
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count()));
        Assert.Equal(5, _factory.WithDb(db => db.Pools.Single().Purchased));
    }

    [Fact]
    public async Task CreateOrder_FirstOrdersOfOnePlanAtOnce_ShareOnePool()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var client = _factory.Reseller(reseller.OwnerKey);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.CreateOrderAsync(new CreateOrderRequest
        {
            PlanId = scenario.Plan.Id, Quantity = 10 + i, IdempotencyKey = $"first-order-{i}",
        }).ResponseAsync));

        Assert.Single(results.Select(r => r.Order.PoolId).Distinct());
        Assert.Equal(6, _factory.WithDb(db => db.Orders.Count()));
        Assert.Equal(Enumerable.Range(10, 6).Sum(), _factory.WithDb(db => db.Pools.Single().Purchased));
    }

    [Fact]
    public async Task AuditChain_ManyWritersOfUnrelatedRowsAtOnce_StaysLinearAndIntact()
    {
        // Writers that share no row (new resellers, new products), so nothing but the chain itself orders them.
        var vendor = _factory.Vendor();
        var resellers = Enumerable.Range(0, 20).Select(Task (i) => vendor.CreateResellerAsync(new CreateResellerRequest
        {
            CompanyName = $"Hosting {i} GmbH", Country = "DE", BillingContactName = "Desk", BillingContactEmail = $"desk{i}@hosting.test",
        }).ResponseAsync);
        var products = Enumerable.Range(0, 10).Select(Task (i) => vendor.CreateProductAsync(new CreateProductRequest { Code = $"product-{i}", Name = "Panel" }).ResponseAsync);

        await Task.WhenAll(resellers.Concat(products));

        var sequences = _factory.WithDb(db => db.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.Sequence).ToList());
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.Equal(20, _factory.WithDb(db => db.AuditEvents.Count(e => e.Action == "reseller.create")));
        Assert.Equal(10, _factory.WithDb(db => db.AuditEvents.Count(e => e.Action == "product.create")));
        var verify = await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(verify.Intact, verify.Problem);
    }
}
