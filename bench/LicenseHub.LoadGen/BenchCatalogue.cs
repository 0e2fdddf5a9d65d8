using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using LicenseHub.V1;

namespace LicenseHub.LoadGen;

/// <summary>
/// What the workloads need, created through the public gRPC API like a vendor and a reseller would: a
/// product and plan, a reseller with an owner key, a pool, licenses and activated installations.
/// </summary>
public sealed class BenchCatalogue
{
    public const string ProductVersion = "1.4.2";
    public const string AgentVersion = "0.1.0";
    private const int MaxOrder = 100_000;
    private const int MaxAssign = 10_000;

    private readonly CallInvoker _invoker;
    private readonly Metadata _vendorAuth;
    private Metadata _resellerAuth = [];

    private BenchCatalogue(CallInvoker invoker, string vendorKey)
    {
        _invoker = invoker;
        _vendorAuth = new Metadata { { "authorization", "Bearer " + vendorKey } };
    }

    public string ProductCode { get; private set; } = "";

    public string PlanId { get; private set; } = "";

    public string PoolId { get; private set; } = "";

    public VendorService.VendorServiceClient Vendor => new(_invoker);

    public ResellerService.ResellerServiceClient Reseller => new(_invoker);

    public Metadata ResellerAuth => _resellerAuth;

    public static async Task<BenchCatalogue> CreateAsync(CallInvoker invoker, string vendorKey, CancellationToken ct)
    {
        var catalogue = new BenchCatalogue(invoker, vendorKey);
        var vendor = catalogue.Vendor;
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        catalogue.ProductCode = "bench-" + suffix;
        var product = await vendor.CreateProductAsync(new CreateProductRequest { Code = catalogue.ProductCode, Name = "Benchmark Panel " + suffix },
            catalogue._vendorAuth, cancellationToken: ct);
        var plan = await vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = product.Id,
            Code = "bench-yearly",
            Edition = "pro",
            TermDays = 365,
            MaxMachines = 1,
            OfflineGraceDays = 7,
            Price = new Money { AmountMinor = 1999, Currency = "EUR" },
            TransferBudget = 2,
        }, catalogue._vendorAuth, cancellationToken: ct);
        catalogue.PlanId = plan.Id;
        var reseller = await vendor.CreateResellerAsync(new CreateResellerRequest
        {
            CompanyName = "Benchmark Hosting " + suffix,
            Country = "DE",
            VatId = "DE123456789",
            BillingContactName = "Billing Desk",
            BillingContactEmail = "billing@bench-hosting.test",
        }, catalogue._vendorAuth, cancellationToken: ct);
        var key = await vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = reseller.Id, Name = "bench owner", Role = ApiKeyRole.Owner },
            catalogue._vendorAuth, cancellationToken: ct);
        catalogue._resellerAuth = new Metadata { { "authorization", "Bearer " + key.ApiKey } };
        return catalogue;
    }

    /// <summary>Buys <paramref name="quantity"/> licenses into the pool (not timed by any benchmark).</summary>
    public async Task<Pool> BuyAsync(int quantity, CancellationToken ct)
    {
        Pool? pool = null;
        for (var left = quantity; left > 0; left -= MaxOrder)
        {
            var response = await Reseller.CreateOrderAsync(new CreateOrderRequest
            {
                PlanId = PlanId,
                Quantity = Math.Min(left, MaxOrder),
                IdempotencyKey = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            }, _resellerAuth, cancellationToken: ct);
            pool = response.Pool;
        }
        PoolId = pool!.Id;
        return pool;
    }

    public async Task<AssignLicensesResponse> AssignAsync(int count, CancellationToken ct) =>
        await Reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = PoolId, Count = count }, _resellerAuth, cancellationToken: ct);

    /// <summary>Buys and assigns <paramref name="count"/> licenses; returns their keys.</summary>
    public async Task<List<string>> NewLicenseKeysAsync(int count, CancellationToken ct)
    {
        await BuyAsync(count, ct);
        var keys = new List<string>(count);
        for (var left = count; left > 0; left -= MaxAssign)
        {
            var response = await AssignAsync(Math.Min(left, MaxAssign), ct);
            keys.AddRange(response.Licenses.Select(l => l.LicenseKey));
        }
        return keys;
    }

    public static string NewFingerprint() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public ActivateRequest ActivateRequest(string licenseKey, string fingerprint) => new()
    {
        LicenseKey = licenseKey,
        Fingerprint = fingerprint,
        ProductVersion = ProductVersion,
        AgentVersion = AgentVersion,
        TelemetryLevel = TelemetryLevel.Required,
        Product = ProductCode,
    };

    /// <summary>Activates one machine per license, <paramref name="parallel"/> at a time.</summary>
    public async Task<List<InstallationCredential>> ActivateAllAsync(IReadOnlyList<CallInvoker> invokers, IReadOnlyList<string> keys, int parallel,
        TextWriter log, CancellationToken ct)
    {
        var result = new InstallationCredential[keys.Count];
        var next = -1;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, parallel).Select(w => Task.Run(async () =>
        {
            var agent = new AgentService.AgentServiceClient(invokers[w % invokers.Count]);
            int i;
            while ((i = Interlocked.Increment(ref next)) < keys.Count)
            {
                var fingerprint = NewFingerprint();
                var response = await agent.ActivateAsync(ActivateRequest(keys[i], fingerprint), cancellationToken: ct);
                if (response.Code != ValidationCode.Valid)
                {
                    throw new InvalidOperationException($"Setup: activation answered {response.Code}: {response.Detail}");
                }
                result[i] = new InstallationCredential(response.InstallationId, response.InstallationSecret, fingerprint);
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        log.WriteLine($"Setup: activated {keys.Count} installations in {watch.Elapsed.TotalSeconds:F1} s");
        return [.. result];
    }
}
