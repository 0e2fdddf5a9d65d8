using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.V1;
using Npgsql;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>A test that needs a PostgreSQL server: skipped, with the reason, when LICENSEHUB_TEST_POSTGRES is not set.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(ReplicaFixture.AdminConnectionString))
        {
            Skip = $"needs PostgreSQL: set {ReplicaFixture.PostgresVariable} (tests/run.sh starts a throwaway server and sets it)";
        }
    }
}

/// <summary>
/// Two real server processes, each with a data directory of its own, on one fresh PostgreSQL database,
/// started at the same moment on the empty database (so both race to migrate and to bootstrap). They
/// share only the database and the key-encryption key, as replicas behind a load balancer do.
/// </summary>
public sealed class ReplicaFixture : IAsyncLifetime
{
    public const string PostgresVariable = "LICENSEHUB_TEST_POSTGRES";

    /// <summary>How often each replica re-reads the active signing key: the documented bound for a rotation to reach it.</summary>
    public static readonly TimeSpan SigningKeyRefresh = TimeSpan.FromSeconds(2);

    public static string? AdminConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    private readonly string _database = "lh_e2e_" + Guid.NewGuid().ToString("N");

    public TempDirectory Work { get; } = new("replicas");

    public ServerProcess A { get; private set; } = null!;

    public ServerProcess B { get; private set; } = null!;

    public string VendorKey { get; private set; } = "";

    /// <summary>How many replicas wrote a vendor admin key on their first start (one, if the bootstrap is serialised).</summary>
    public int VendorKeyFiles { get; private set; }

    public long AppliedMigrations { get; private set; }

    public string DatabaseConnectionString => new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = _database }.ConnectionString;

    public async Task InitializeAsync()
    {
        if (AdminConnectionString is null)
        {
            return;
        }
        await AdminAsync($"CREATE DATABASE \"{_database}\"");
        var replica = new ServerOptions
        {
            PostgresConnectionString = DatabaseConnectionString,
            Settings = new Dictionary<string, string>
            {
                ["LicenseHub__SigningKeyRefresh"] = SigningKeyRefresh.ToString("c"),
                // Replicas must share the key-encryption key: each decrypts the signing keys the other created.
                ["LICENSEHUB_KEK"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                // The webhook test delivers to a receiver on loopback.
                ["LicenseHub__Webhooks__AllowPrivateDestinations"] = "true",
                ["LicenseHub__Webhooks__PollInterval"] = "00:00:00.200",
            },
        };
        var starting = new[]
        {
            ServerProcess.StartAsync(replica with { DataDirectory = Work.Combine("replica-a") }),
            ServerProcess.StartAsync(replica with { DataDirectory = Work.Combine("replica-b") }),
        };
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var start in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }
            throw;
        }
        (A, B) = (starting[0].Result, starting[1].Result);

        var keyFiles = new[] { A.VendorKeyFile, B.VendorKeyFile }.Where(File.Exists).ToList();
        VendorKeyFiles = keyFiles.Count;
        Assert.True(keyFiles.Count > 0, $"No replica wrote a vendor admin key.\n--- A ---\n{A.Output}\n--- B ---\n{B.Output}");
        VendorKey = (await File.ReadAllTextAsync(keyFiles[0])).Trim();
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM \"__EFMigrationsHistory\"", connection);
        AppliedMigrations = (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        if (AdminConnectionString is null)
        {
            Work.Dispose();
            return;
        }
        if (A is not null)
        {
            await A.DisposeAsync();
        }
        if (B is not null)
        {
            await B.DisposeAsync();
        }
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
        Work.Dispose();
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// Scale-out: what one replica does, the other sees and respects, because the database decides
/// (conditional updates, row locks, unique indexes), not a replica's memory.
/// </summary>
public sealed class ReplicaTests(ReplicaFixture fixture) : IClassFixture<ReplicaFixture>, IDisposable
{
    private readonly List<GrpcChannel> _channels = [];

    public void Dispose() => _channels.ForEach(c => c.Dispose());

    private CallInvoker Invoker(ServerProcess server, string? key)
    {
        var channel = GrpcChannel.ForAddress(server.GrpcUrl);
        _channels.Add(channel);
        return key is null ? channel.CreateCallInvoker() : channel.Intercept(m => { m.Add("authorization", "Bearer " + key); return m; });
    }

    private VendorService.VendorServiceClient Vendor(ServerProcess server) => new(Invoker(server, fixture.VendorKey));

    private ResellerService.ResellerServiceClient Reseller(ServerProcess server, string key) => new(Invoker(server, key));

    private AgentService.AgentServiceClient Agent(ServerProcess server) => new(Invoker(server, null));

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("replica-salt"), Encoding.UTF8.GetBytes(machine)));

    /// <summary>A product, a plan and a reseller that bought <paramref name="quantity"/> licenses, all through replica A.</summary>
    private async Task<(string OwnerKey, string PoolId)> ResellerWithPoolAsync(int maxMachines, int quantity)
    {
        var vendor = Vendor(fixture.A);
        var code = "p" + Guid.NewGuid().ToString("N")[..10];
        var product = await vendor.CreateProductAsync(new CreateProductRequest { Code = code, Name = "Hosting Panel" });
        var plan = await vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = product.Id, Code = "pro", Edition = "pro", TermDays = 365, MaxMachines = maxMachines, OfflineGraceDays = 3,
            Price = new Money { AmountMinor = 1000, Currency = "EUR" }, TransferBudget = 2,
        });
        var reseller = await vendor.CreateResellerAsync(new CreateResellerRequest
        {
            CompanyName = "Replica Hosting", Country = "DE", BillingContactName = "Desk", BillingContactEmail = "desk@replica.test",
        });
        var owner = (await vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = reseller.Id, Name = "owner", Role = ApiKeyRole.Owner })).ApiKey;
        var order = await Reseller(fixture.A, owner).CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = quantity, IdempotencyKey = "order-" + code });
        return (owner, order.Pool.Id);
    }

    private async Task<(string OwnerKey, string LicenseId, string Key)> LicenseAsync(int maxMachines)
    {
        var (owner, poolId) = await ResellerWithPoolAsync(maxMachines, 1);
        var assigned = await Reseller(fixture.A, owner).AssignLicensesAsync(new AssignLicensesRequest { PoolId = poolId, Count = 1 });
        return (owner, assigned.Licenses[0].License.Id, assigned.Licenses[0].LicenseKey);
    }

    private static ActivateRequest Activation(string key, string machine) => new()
    {
        LicenseKey = key, Fingerprint = Fingerprint(machine), ProductVersion = "8.2.1", AgentVersion = "1.0.0",
    };

    private static CheckInRequest CheckIn(ActivateResponse activation, string machine) => new()
    {
        InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = Fingerprint(machine),
        ProductVersion = "8.2.1", AgentVersion = "1.0.0",
    };

    private static string Kid(string jws) =>
        JsonDocument.Parse(Convert.FromBase64String(Pad(jws.Split('.')[0]))).RootElement.GetProperty("kid").GetString()!;

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }

    [PostgresFact]
    public async Task Webhooks_FromTwoReplicas_DeliverEveryEventExactlyOnce_AndTheFeedIsGapFree()
    {
        await using var receiver = new WebhookReceiver();
        // Slow answers, so both replicas have deliveries in flight at once and would collide without SKIP LOCKED.
        receiver.Answer = _ => { Thread.Sleep(20); return 204; };
        var (owner, poolId) = await ResellerWithPoolAsync(maxMachines: 1, quantity: 60);
        var events = new EventService.EventServiceClient(Invoker(fixture.B, owner));
        await events.CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest { Url = receiver.Url(), EventTypes = { "license.assigned" } });
        var clients = new[] { Reseller(fixture.A, owner), Reseller(fixture.B, owner) };
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => clients[i % 2].AssignLicensesAsync(new AssignLicensesRequest { PoolId = poolId, Count = 3 }).ResponseAsync));

        var got = await receiver.WaitForAsync(r => r.Select(x => x.Id).Distinct().Count() >= 60, TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        got = receiver.Received.ToArray();
        Assert.Equal(60, got.Count);
        Assert.Equal(60, got.Select(r => r.Id).Distinct().Count());

        var feed = await events.ListEventsAsync(new ListEventsRequest { EventTypes = { "license.assigned" }, PageSize = 500 });
        Assert.Equal(60, feed.Events.Count);
        Assert.Equal(feed.Events.Select(e => e.Id).Order(), got.Select(r => r.Id).Order());
        var vendorFeed = await new EventService.EventServiceClient(Invoker(fixture.A, fixture.VendorKey))
            .ListEventsAsync(new ListEventsRequest { PageSize = 500 });
        Assert.Equal(Enumerable.Range(1, vendorFeed.Events.Count).Select(i => (long)i), vendorFeed.Events.Select(e => e.Sequence));
    }

    [PostgresFact]
    public void TwoReplicas_StartedTogetherOnAnEmptyDatabase_MigrateOnceAndBootstrapOnce()
    {
        Assert.Equal(1, fixture.VendorKeyFiles);
        Assert.True(fixture.AppliedMigrations >= 1);
    }

    [PostgresFact]
    public async Task AssignLicenses_ConcurrentlyThroughBothReplicas_NeverOversells()
    {
        var (owner, poolId) = await ResellerWithPoolAsync(maxMachines: 1, quantity: 100);
        var clients = new[] { Reseller(fixture.A, owner), Reseller(fixture.B, owner) };

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                return (await clients[i % 2].AssignLicensesAsync(new AssignLicensesRequest { PoolId = poolId, Count = 7 })).Licenses.Count;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
            {
                return 0;
            }
        }));

        // 14 calls of 7 fit into 100 (98); the other 6 are refused whole, whichever replica they reached.
        Assert.Equal(14, results.Count(n => n == 7));
        Assert.Equal(6, results.Count(n => n == 0));
        foreach (var client in clients)
        {
            var pool = await client.GetPoolAsync(new GetPoolRequest { PoolId = poolId });
            Assert.Equal(98, pool.Assigned);
            Assert.Equal(2, pool.Available);
        }
    }

    [PostgresFact]
    public async Task Activate_ConcurrentlyThroughBothReplicas_NeverExceedsMaxMachines()
    {
        var (owner, licenseId, key) = await LicenseAsync(maxMachines: 3);
        var agents = new[] { Agent(fixture.A), Agent(fixture.B) };

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => agents[i % 2].ActivateAsync(Activation(key, $"machine-{i}")).ResponseAsync));

        Assert.Equal(3, results.Count(r => r.Code == ValidationCode.Valid));
        Assert.Equal(9, results.Count(r => r.Code == ValidationCode.TooManyMachines));
        var license = await Reseller(fixture.B, owner).GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId });
        Assert.Equal(3, license.Installations.Count);
    }

    [PostgresFact]
    public async Task Revoke_ThroughOneReplica_IsSeenAtTheNextCheckInThroughTheOther()
    {
        var (owner, licenseId, key) = await LicenseAsync(maxMachines: 1);
        var activation = await Agent(fixture.A).ActivateAsync(Activation(key, "machine-r"));
        Assert.Equal(ValidationCode.Valid, activation.Code);
        Assert.Equal(ValidationCode.Valid, (await Agent(fixture.B).CheckInAsync(CheckIn(activation, "machine-r"))).Code);

        await Reseller(fixture.A, owner).RevokeLicenseAsync(new LicenseActionRequest { LicenseId = licenseId });

        var after = await Agent(fixture.B).CheckInAsync(CheckIn(activation, "machine-r"));
        Assert.Equal(ValidationCode.Revoked, after.Code);
        Assert.Empty(after.Token);
    }

    [PostgresFact]
    public async Task SigningKey_BothReplicasSignWithTheActiveKey_AndHonourARotationThroughTheOtherWithinTheRefresh()
    {
        var (_, _, key) = await LicenseAsync(maxMachines: 1);
        var activation = await Agent(fixture.A).ActivateAsync(Activation(key, "machine-k"));
        async Task<string> KidThrough(ServerProcess server)
        {
            var response = await Agent(server).CheckInAsync(CheckIn(activation, "machine-k"));
            Assert.Equal(ValidationCode.Valid, response.Code);
            return Kid(response.Token);
        }
        var active = Assert.Single((await Vendor(fixture.B).ListSigningKeysAsync(new ListSigningKeysRequest())).Keys, k => k.Active).Kid;
        // Within one refresh of any earlier rotation, both sign with the one active key.
        await Task.Delay(ReplicaFixture.SigningKeyRefresh);
        Assert.Equal(active, await KidThrough(fixture.A));
        Assert.Equal(active, await KidThrough(fixture.B));

        var rotated = await Vendor(fixture.A).RotateSigningKeyAsync(new RotateSigningKeyRequest());
        var stopwatch = Stopwatch.StartNew();
        var fresh = rotated.Active.Kid;
        Assert.NotEqual(active, fresh);
        Assert.Equal(fresh, await KidThrough(fixture.A));

        // Replica B re-reads the active key at most SigningKeyRefresh after it last did: poll until it signs with the new one.
        var bound = ReplicaFixture.SigningKeyRefresh + TimeSpan.FromSeconds(3);
        string seen;
        while ((seen = await KidThrough(fixture.B)) != fresh && stopwatch.Elapsed < bound)
        {
            await Task.Delay(100);
        }
        Assert.True(seen == fresh, $"Replica B still signed with {seen} {stopwatch.Elapsed.TotalSeconds:F1} s after the rotation through A.");
        // ... and publishes the new key next to the old one, which stays until its last token expires.
        using var http = new HttpClient();
        var jwks = await http.GetStringAsync(fixture.B.WebUrl + "/.well-known/jwks.json");
        Assert.Contains(fresh, jwks);
        Assert.Contains(active, jwks);
    }
}
