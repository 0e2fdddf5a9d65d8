using System.Security.Cryptography;
using Grpc.Core;
using LicenseHub.Server.Operations.Backup;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Data.Sqlite;

namespace LicenseHub.Tests.Operations;

public sealed class BackupTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();
    private readonly string _work = Path.Combine(Path.GetTempPath(), "lh-backup-tests", Guid.NewGuid().ToString("N"));
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public BackupTests() => Directory.CreateDirectory(_work);

    public void Dispose()
    {
        _factory.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_work, recursive: true);
    }

    private static long Scalar(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    [SqliteOnlyFact("backs up the SQLite file with SQLite's backup API; PostgreSQL is backed up with pg_dump")]
    public async Task Backup_UnderLoad_RestoresEveryCommittedRowConsistently()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 50_000);
        await scenario.AssignAsync(reseller, pool.Id, 500);
        var client = _factory.Reseller(reseller.OwnerKey);
        var before = _factory.WithDb(db => db.Licenses.Count());

        using var stop = new CancellationTokenSource();
        var loadRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var load = Task.Run(async () =>
        {
            var calls = 0;
            // Bounded by the pool: 49,500 licenses left at 25 a call.
            while (!stop.IsCancellationRequested && calls < 1_900)
            {
                await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 25 });
                calls++;
                loadRunning.TrySetResult();
            }
            return calls;
        });
        await loadRunning.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var backupFile = Path.Combine(_work, "licensehub.lhbackup");
        await EncryptedBackup.BackupAsync(_factory.DatabasePath, backupFile, _key, null, CancellationToken.None);
        stop.Cancel();
        var loadCalls = await load;
        Assert.True(loadCalls > 0, "the load ran during the backup");

        var restored = Path.Combine(_work, "restored", "licensehub.db");
        var counts = await EncryptedBackup.RestoreAsync(backupFile, restored, _key, force: false, null, CancellationToken.None);

        // Everything committed before the backup is there, and the snapshot is consistent: the pool's count
        // matches the licenses, and the audit chain is whole.
        var licenses = Scalar(restored, "SELECT COUNT(*) FROM Licenses");
        Assert.Equal(licenses, counts["Licenses"]);
        Assert.True(licenses >= before, $"{licenses} restored, {before} committed before the backup");
        Assert.Equal(licenses, Scalar(restored, "SELECT Assigned FROM Pools"));
        Assert.Equal(Scalar(restored, "SELECT MAX(Sequence) FROM AuditEvents"), Scalar(restored, "SELECT COUNT(*) FROM AuditEvents"));
        Assert.Equal(_factory.WithDb(db => db.Resellers.Count()), counts["Resellers"]);
        // Backups are encrypted: no table name in clear.
        Assert.DoesNotContain("Licenses", File.ReadAllText(backupFile, System.Text.Encoding.Latin1));
    }

    [SqliteOnlyFact("backs up the SQLite file with SQLite's backup API; PostgreSQL is backed up with pg_dump")]
    public async Task Restore_TamperedTruncatedOrWrongKey_RefusesAndReplacesNothing()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        await scenario.BuyAsync(reseller, 10);
        var backupFile = Path.Combine(_work, "good.lhbackup");
        await EncryptedBackup.BackupAsync(_factory.DatabasePath, backupFile, _key, null, CancellationToken.None);
        var target = Path.Combine(_work, "target.db");
        await File.WriteAllTextAsync(target, "the existing database");

        var bytes = await File.ReadAllBytesAsync(backupFile);
        var tampered = Path.Combine(_work, "tampered.lhbackup");
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(tampered, flipped);
        var truncated = Path.Combine(_work, "truncated.lhbackup");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length - 100)]);

        await Assert.ThrowsAsync<BackupException>(() => EncryptedBackup.RestoreAsync(tampered, target, _key, force: true, null, CancellationToken.None));
        await Assert.ThrowsAsync<BackupException>(() => EncryptedBackup.RestoreAsync(truncated, target, _key, force: true, null, CancellationToken.None));
        await Assert.ThrowsAsync<BackupException>(() => EncryptedBackup.RestoreAsync(backupFile, target, RandomNumberGenerator.GetBytes(32), force: true, null, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<BackupException>(() => EncryptedBackup.RestoreAsync(backupFile, target, _key, force: false, null, CancellationToken.None));
        Assert.Contains("--force", refused.Message);
        Assert.Equal("the existing database", await File.ReadAllTextAsync(target));
        // Nothing but the database and its lock file (kept, like SQLite's own -shm file).
        Assert.Single(Directory.GetFiles(_work, "target.db*"), f => !f.EndsWith(".lock", StringComparison.Ordinal));

        var counts = await EncryptedBackup.RestoreAsync(backupFile, target, _key, force: true, null, CancellationToken.None);
        Assert.Equal(1, counts["Resellers"]);
        Assert.Single(Directory.GetFiles(_work, "target.db.before-restore-*"));
    }
}
