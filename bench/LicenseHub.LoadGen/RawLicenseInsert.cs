using System.Diagnostics;
using System.Security.Cryptography;
using LicenseHub.Bench;
using LicenseHub.Data;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Resellers;
using Microsoft.Data.Sqlite;

namespace LicenseHub.LoadGen;

/// <summary>
/// The floor for a bulk assignment: the same license rows inserted with raw Microsoft.Data.Sqlite (one
/// prepared command, one transaction) into a database with the server's schema (its migrations, so the
/// same indexes and foreign keys) and pragmas. Rows are built before the clock starts.
/// </summary>
public sealed class RawLicenseInsert : IDisposable
{
    private readonly string _directory;
    private readonly LicenseHubDbContext _db;
    private readonly SqliteConnection _connection;
    private readonly Plan _plan;
    private readonly Pool _pool;

    public RawLicenseInsert()
    {
        _directory = Directory.CreateTempSubdirectory("lh-raw-insert-").FullName;
        var path = Path.Combine(_directory, "raw.db");
        BenchDatabase.Migrate(path);
        _db = BenchDatabase.Context(path);
        var now = DateTimeOffset.UtcNow;
        var product = new Product { Id = Guid.CreateVersion7(), Code = "bench", Name = "Benchmark Panel", CreatedAt = now };
        _plan = new Plan
        {
            Id = Guid.CreateVersion7(), ProductId = product.Id, Code = "bench-yearly", Edition = "pro", TermDays = 365, MaxMachines = 1,
            OfflineGraceDays = 7, PriceMinor = 1999, Currency = "EUR", TransferBudget = 2, CreatedAt = now,
        };
        var reseller = new Reseller { Id = Guid.CreateVersion7(), CompanyName = "Benchmark Hosting", Country = "DE", CreatedAt = now };
        _pool = new Pool { Id = Guid.CreateVersion7(), ResellerId = reseller.Id, PlanId = _plan.Id, Purchased = int.MaxValue, CreatedAt = now };
        _db.AddRange(product, _plan, reseller, _pool);
        _db.SaveChanges();
        _connection = BenchDatabase.Open(path);
    }

    /// <summary>Inserts <paramref name="count"/> license rows in one transaction; returns the time the insert took.</summary>
    public TimeSpan Insert(int count)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = new License[count];
        Span<byte> prefix = stackalloc byte[5];
        for (var i = 0; i < count; i++)
        {
            RandomNumberGenerator.Fill(prefix);
            rows[i] = new License
            {
                Id = Guid.CreateVersion7(now),
                ResellerId = _pool.ResellerId,
                PoolId = _pool.Id,
                PlanId = _plan.Id,
                KeyPrefix = Convert.ToHexString(prefix)[..LicenseKey.PrefixLength],
                KeyHash = RandomNumberGenerator.GetBytes(32),
                State = LicenseState.Active,
                CreatedAt = now,
                ExpiresAt = now.AddDays(_plan.TermDays),
            };
        }
        var watch = Stopwatch.StartNew();
        using (var transaction = _connection.BeginTransaction())
        {
            using var writer = new ModelTableWriter<License>(_db.Model, _connection, transaction);
            foreach (var row in rows)
            {
                writer.Insert(row);
            }
            transaction.Commit();
        }
        return watch.Elapsed;
    }

    public void Dispose()
    {
        _connection.Dispose();
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
