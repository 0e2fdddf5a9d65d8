using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using LicenseHub.Bench;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Resellers;
using Microsoft.Data.Sqlite;

namespace LicenseHub.Seed;

public sealed record SeedPlan(string DataDirectory, int Licenses, int Resellers, int Installations, int CheckInsPerInstallation,
    int CredentialsSample, string CredentialsFile, int Batch);

/// <summary>
/// Writes the rows. No audit events are written: seeded rows stand for history from before the audit
/// trail starts, and the chain the server begins on first start stays intact.
/// </summary>
public static class Seeder
{
    /// <summary>The file name the server uses inside its data directory.</summary>
    public const string DatabaseFileName = "licensehub.db";
    public const string ProductCode = "seeded-panel";
    public const string ProductVersion = "1.4.2";
    public const string AgentVersion = "0.1.0";

    public static void Run(SeedPlan plan, TextWriter log)
    {
        Directory.CreateDirectory(plan.DataDirectory);
        var path = Path.Combine(plan.DataDirectory, DatabaseFileName);
        if (File.Exists(path))
        {
            throw new InvalidOperationException($"{path} already exists; seed a new data directory.");
        }
        var total = Stopwatch.StartNew();
        BenchDatabase.Migrate(path);
        log.WriteLine($"Schema: migrations applied to {path} in {total.Elapsed.TotalSeconds:F1} s");

        using var db = BenchDatabase.Context(path);
        var model = db.Model;
        using var connection = BenchDatabase.Open(path);
        using (var pragma = connection.CreateCommand())
        {
            // Seeding only: no fsync and a large page cache; the server's own pragmas apply when it opens the file.
            pragma.CommandText = "PRAGMA synchronous=OFF; PRAGMA cache_size=-524288; PRAGMA temp_store=MEMORY;";
            pragma.ExecuteNonQuery();
        }

        var now = DateTimeOffset.UtcNow;
        var start = now.AddDays(-30);
        var product = new Product { Id = Guid.CreateVersion7(start), Code = ProductCode, Name = "Seeded Hosting Panel", CreatedAt = start };
        var planRow = new Plan
        {
            Id = Guid.CreateVersion7(start), ProductId = product.Id, Code = "seeded-yearly", Edition = "pro", TermDays = 365, MaxMachines = 1,
            OfflineGraceDays = 7, PriceMinor = 1999, Currency = "EUR", TransferBudget = 2, CreatedAt = start,
        };
        var perReseller = (plan.Licenses + plan.Resellers - 1) / plan.Resellers;
        var resellers = new Reseller[plan.Resellers];
        var pools = new Pool[plan.Resellers];
        using (var tx = connection.BeginTransaction())
        {
            var watch = Stopwatch.StartNew();
            using (var w = new ModelTableWriter<Product>(model, connection, tx))
            {
                w.Insert(product);
            }
            using (var w = new ModelTableWriter<Plan>(model, connection, tx))
            {
                w.Insert(planRow);
            }
            using var resellerWriter = new ModelTableWriter<Reseller>(model, connection, tx);
            using var poolWriter = new ModelTableWriter<Pool>(model, connection, tx);
            using var orderWriter = new ModelTableWriter<Order>(model, connection, tx);
            for (var i = 0; i < plan.Resellers; i++)
            {
                var count = Math.Min(perReseller, plan.Licenses - i * perReseller);
                resellers[i] = new Reseller
                {
                    Id = Guid.CreateVersion7(start),
                    CompanyName = $"Seeded Hosting {i + 1}",
                    Country = "DE",
                    VatId = $"DE{100000000 + i}",
                    Status = ResellerStatus.Active,
                    CreatedAt = start,
                };
                pools[i] = new Pool { Id = Guid.CreateVersion7(start), ResellerId = resellers[i].Id, PlanId = planRow.Id, Purchased = count, Assigned = count, CreatedAt = start };
                resellerWriter.Insert(resellers[i]);
                poolWriter.Insert(pools[i]);
                orderWriter.Insert(new Order
                {
                    Id = Guid.CreateVersion7(start), ResellerId = resellers[i].Id, PlanId = planRow.Id, PoolId = pools[i].Id, Quantity = count,
                    AmountMinor = count * planRow.PriceMinor, Currency = planRow.Currency, IdempotencyKey = $"seed-{i:D8}", CreatedAt = start,
                });
            }
            tx.Commit();
            log.WriteLine($"Resellers, pools, orders: {plan.Resellers} each in {watch.Elapsed.TotalSeconds:F1} s");
        }

        // Licenses, and the installation of every k-th license, in big transactions.
        var installationEvery = plan.Installations == 0 ? int.MaxValue : Math.Max(1, plan.Licenses / plan.Installations);
        var sampleEvery = plan.CredentialsSample == 0 || plan.Installations == 0 ? int.MaxValue : Math.Max(1, plan.Installations / plan.CredentialsSample);
        var licenseWatch = new Stopwatch();
        var installationWatch = new Stopwatch();
        var checkInWatch = new Stopwatch();
        long installationsWritten = 0, checkInsWritten = 0, credentialsWritten = 0;
        using var credentials = new StreamWriter(plan.CredentialsFile);
        credentials.WriteLine("installation_id,secret,fingerprint");
        var licenseBatch = new List<License>(plan.Batch);
        for (var first = 0; first < plan.Licenses; first += plan.Batch)
        {
            var last = Math.Min(plan.Licenses, first + plan.Batch);
            licenseBatch.Clear();
            for (var i = first; i < last; i++)
            {
                var key = LicenseKey.Generate();
                LicenseKey.TryNormalize(key, out var normalized);
                var created = start.AddSeconds(i * 0.001);
                licenseBatch.Add(new License
                {
                    Id = Guid.CreateVersion7(created),
                    ResellerId = resellers[i / perReseller].Id,
                    PoolId = pools[i / perReseller].Id,
                    PlanId = planRow.Id,
                    KeyPrefix = LicenseKey.Prefix(normalized),
                    KeyHash = LicenseKey.Hash(normalized),
                    State = LicenseState.Active,
                    CreatedAt = created,
                    ExpiresAt = created.AddDays(planRow.TermDays),
                });
            }
            using var tx = connection.BeginTransaction();
            licenseWatch.Start();
            using (var w = new ModelTableWriter<License>(model, connection, tx))
            {
                foreach (var license in licenseBatch)
                {
                    w.Insert(license);
                }
            }
            licenseWatch.Stop();
            installationWatch.Start();
            using (var w = new ModelTableWriter<Installation>(model, connection, tx))
            using (var c = new ModelTableWriter<CheckIn>(model, connection, tx))
            {
                for (var i = first; i < last; i++)
                {
                    if (i % installationEvery != 0 || installationsWritten >= plan.Installations)
                    {
                        continue;
                    }
                    var license = licenseBatch[i - first];
                    var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                    var fingerprint = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                    var installation = new Installation
                    {
                        Id = Guid.CreateVersion7(license.CreatedAt.AddMinutes(5)),
                        LicenseId = license.Id,
                        Fingerprint = fingerprint,
                        // What AgentLicensing stores: SHA-256 of the UTF-8 secret.
                        SecretHash = SHA256.HashData(Encoding.UTF8.GetBytes(secret)),
                        ProductVersion = ProductVersion,
                        AgentVersion = AgentVersion,
                        TelemetryLevel = TelemetryLevel.Required,
                        ActivatedAt = license.CreatedAt.AddMinutes(5),
                        LastCheckInAt = now.AddMinutes(-(i % 60)),
                    };
                    w.Insert(installation);
                    if (installationsWritten % sampleEvery == 0)
                    {
                        credentials.WriteLine($"{installation.Id},{secret},{fingerprint}");
                        credentialsWritten++;
                    }
                    installationsWritten++;
                    if (plan.CheckInsPerInstallation > 0)
                    {
                        checkInWatch.Start();
                        for (var k = 0; k < plan.CheckInsPerInstallation; k++)
                        {
                            c.Insert(new CheckIn
                            {
                                InstallationId = installation.Id,
                                ProductCode = ProductCode,
                                At = now.AddHours(-(k + 1)),
                                ProductVersion = ProductVersion,
                                Result = "Valid",
                            });
                            checkInsWritten++;
                        }
                        checkInWatch.Stop();
                    }
                }
            }
            installationWatch.Stop();
            tx.Commit();
            log.WriteLine($"  {last,10:N0} / {plan.Licenses:N0} licenses, {installationsWritten:N0} installations ({total.Elapsed.TotalSeconds:F0} s)");
        }
        using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }
        connection.Close();
        SqliteConnection.ClearAllPools();
        var size = new FileInfo(path).Length / (1024.0 * 1024.0);
        log.WriteLine($"Licenses: {plan.Licenses:N0} in {licenseWatch.Elapsed.TotalSeconds:F1} s of inserts "
            + $"({plan.Licenses / Math.Max(0.001, licenseWatch.Elapsed.TotalSeconds):N0}/s)");
        log.WriteLine($"Installations: {installationsWritten:N0} in {(installationWatch.Elapsed - checkInWatch.Elapsed).TotalSeconds:F1} s of inserts"
            + (checkInsWritten > 0 ? $"; check-ins: {checkInsWritten:N0} in {checkInWatch.Elapsed.TotalSeconds:F1} s" : ""));
        log.WriteLine($"Credentials of {credentialsWritten:N0} installations: {plan.CredentialsFile}");
        log.WriteLine($"Done: {plan.Licenses:N0} licenses, {installationsWritten:N0} installations, {plan.Resellers:N0} resellers in "
            + $"{total.Elapsed.TotalSeconds:F1} s; database {size:F0} MB. Start the server with LicenseHub__DataDirectory={plan.DataDirectory}.");
    }
}
