using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.V1;
using Npgsql;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// PostgreSQL goes away under a running server and comes back: calls answer UNAVAILABLE (which agents treat as offline),
/// the log says so once when it begins and once when it ends, readiness is 503 meanwhile, and the server recovers by itself.
/// </summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private readonly string _database = "lh_outage_" + Guid.NewGuid().ToString("N");
    private readonly TempDirectory _work = new("pg-outage");

    public async Task InitializeAsync()
    {
        if (ReplicaFixture.AdminConnectionString is not null)
        {
            await AdminAsync($"CREATE DATABASE \"{_database}\"");
        }
    }

    public async Task DisposeAsync()
    {
        if (ReplicaFixture.AdminConnectionString is not null)
        {
            await AdminAsync($"ALTER DATABASE \"{_database}\" ALLOW_CONNECTIONS true");
            await AdminAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
        }
        _work.Dispose();
    }

    [PostgresFact]
    public async Task DatabaseUnreachable_CallsAnswerUnavailable_LoggedOnce_NotReady_ThenRecovers()
    {
        await using var server = await ServerProcess.StartAsync(new ServerOptions
        {
            DataDirectory = _work.Combine("data"),
            PostgresConnectionString = new NpgsqlConnectionStringBuilder(ReplicaFixture.AdminConnectionString) { Database = _database }.ConnectionString,
        });
        var vendorKey = await server.ReadVendorKeyAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl);
        var vendor = new VendorService.VendorServiceClient(channel.Intercept(m =>
        {
            m.Add("authorization", "Bearer " + vendorKey);
            return m;
        }));
        await vendor.CreateProductAsync(new CreateProductRequest { Code = "before", Name = "Before" });
        using var http = new HttpClient { BaseAddress = new Uri(server.WebUrl) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        var linesBefore = server.Output.Split('\n').Length;

        // The database goes away: no new connections, the open ones cut.
        await AdminAsync($"ALTER DATABASE \"{_database}\" ALLOW_CONNECTIONS false");
        await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_database}'");
        var codes = new List<StatusCode>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(8))
        {
            foreach (var call in new Func<Task>[]
            {
                () => vendor.ListProductsAsync(new ListProductsRequest()).ResponseAsync,
                () => vendor.CreateProductAsync(new CreateProductRequest { Code = $"during-{codes.Count}", Name = "During" }).ResponseAsync,
            })
            {
                var error = await Assert.ThrowsAsync<RpcException>(call);
                codes.Add(error.StatusCode);
                Assert.Contains("PostgreSQL", error.Status.Detail);
            }
        }
        var notReady = await http.GetAsync("/health/ready");
        var readiness = await notReady.Content.ReadAsStringAsync();
        await Task.Delay(500);
        var during = server.Output.Split('\n')[(linesBefore - 1)..].Where(l => l.Length > 0).ToList();

        Assert.True(codes.Count >= 20, $"only {codes.Count} calls in 8 s");
        Assert.All(codes, c => Assert.Equal(StatusCode.Unavailable, c));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("PostgreSQL", readiness);
        // One line when it began (plus the request lines at Information), no stack traces, nothing INTERNAL.
        var others = during.Where(l => !l.Contains("RequestLogging", StringComparison.Ordinal)).ToList();
        Assert.True(others.Count <= 3, "lines during the outage besides the request lines:\n" + string.Join('\n', others));
        Assert.Single(during, l => l.Contains("The database cannot be written", StringComparison.Ordinal));
        Assert.DoesNotContain(during, l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("Unhandled error", StringComparison.Ordinal));
        Assert.DoesNotContain(during, l => l.Contains("INTERNAL", StringComparison.Ordinal));

        // Back: ready again by itself, calls succeed, and the log says it is over.
        await AdminAsync($"ALTER DATABASE \"{_database}\" ALLOW_CONNECTIONS true");
        var back = Stopwatch.StartNew();
        while ((await http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK && back.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        await vendor.CreateProductAsync(new CreateProductRequest { Code = "after", Name = "After" });
        Assert.Single(server.Output.Split('\n'), l => l.Contains("takes writes again", StringComparison.Ordinal));
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ReplicaFixture.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
