using LicenseHub.Data;
using LicenseHub.Domain.Security;
using LicenseHub.Server.Resellers;
using Microsoft.EntityFrameworkCore;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Hosting;

/// <summary>
/// Applies migrations before the server accepts calls, and on first start with an empty database creates
/// the vendor admin key: printed once to the console and written to a 0600 file, never logged.
/// Safe when several replicas start together on one database: EF Core's migration lock lets one replica
/// at a time migrate (SQLite: a lock row; PostgreSQL: LOCK TABLE on the history table), and the first-start
/// bootstrap runs under <see cref="DatabaseLocks.FirstStartAsync"/>, so exactly one replica creates the keys.
/// </summary>
public sealed class DatabaseInitializer(
    IServiceProvider services,
    IOptions<LicenseHubOptions> options,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public const string VendorKeyFileName = "vendor-admin.key";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is LostDatabaseException or CorruptDatabaseException)
        {
            logger.LogCritical("Cannot start: {Problem}", ex.Message);
            throw;
        }
        catch (Exception ex) when (Persistence.StorageHealth.CauseOf(ex) is { } cause)
        {
            logger.LogCritical("Cannot start: {Cause}. Fix it and start again; nothing was changed", cause);
            throw new StartRefusedException($"{cause}. Fix it and start again; nothing was changed.", ex);
        }
    }

    /// <summary>
    /// PostgreSQL: replicas that start together migrate one after the other, under a session advisory lock held on a
    /// connection of its own for the whole migration (EF Core's own lock was seen to let two replicas apply the same
    /// migration under load); the second then finds nothing to do. Lock (0x4C48 "LH", 4), beside the ids of DatabaseLocks. SQLite: one server per database (its file lock).
    /// </summary>
    private static async Task MigrateOneReplicaAtATimeAsync(LicenseHubDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.GetDbConnection() is not Npgsql.NpgsqlConnection postgres)
        {
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }
        await using var lockConnection = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(19528, 4)", lockConnection))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await using var release = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock(19528, 4)", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Written into the data directory once a database has been set up there; a later start without it is a lost database.</summary>
    public const string InitializedMarkerFileName = ".licensehub-initialized";

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // SQLite: take the database's lock before touching it; a second server or a running restore refuses this start.
        _ = services.GetService<HeldDatabaseLock>();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        RefuseLostDatabase(db, options.Value);
        await RefuseCorruptDatabaseAsync(db, cancellationToken);
        await MigrateOneReplicaAtATimeAsync(db, cancellationToken);
        if (db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection sqliteFile)
        {
            services.GetRequiredService<DatabaseFileWatch>().Remember(sqliteFile.DataSource);
        }
        await MarkInitializedAsync(cancellationToken);

        await scope.ServiceProvider.GetRequiredService<Signing.SigningKeyRotation>().EnsureActiveKeyAsync(cancellationToken);
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var accounts = scope.ServiceProvider.GetRequiredService<ResellerAccounts>();
        var issued = await unitOfWork.RunAsync(async ct =>
        {
            await DatabaseLocks.FirstStartAsync(db, ct);
            if (await db.ApiKeys.AnyAsync(k => k.Role == ApiKeyRole.VendorAdmin, ct))
            {
                return null;
            }
            var (_, key) = await accounts.IssueKeyAsync("system:first-start", null, "vendor admin (first start)", ApiKeyRole.VendorAdmin, ct);
            return key;
        }, cancellationToken);
        if (issued is null)
        {
            return;
        }
        var directory = options.Value.ResolveDataDirectory();
        var path = Path.Combine(directory, VendorKeyFileName);
        await OwnerOnlyFile.WriteAsync(path, issued + "\n", cancellationToken);
        // Deliberately the console, not the logger: log sinks must never receive a secret. And only a terminal: under
        // systemd standard output is the journal, which keeps it for good; there the key is only in the file. Not a
        // terminal: the note goes to standard error, so that standard output stays log lines only (one JSON object a
        // line with LicenseHub:LogFormat=json).
        if (Console.IsOutputRedirected)
        {
            Console.Error.WriteLine($"  First start: created the vendor admin API key. It is in {path} (permissions 0600), not shown here because");
            Console.Error.WriteLine("  standard output is not a terminal. Store it safely, then delete that file.");
        }
        else
        {
            Console.WriteLine();
            Console.WriteLine("  First start: created the vendor admin API key. It is shown only this once:");
            Console.WriteLine();
            Console.WriteLine($"    {issued}");
            Console.WriteLine();
            Console.WriteLine($"  It is also in {path} (permissions 0600). Store it safely, then delete that file.");
            Console.WriteLine();
        }
        logger.LogInformation("Created the vendor admin API key on first start; written to {Path}", path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A SQLite database that is gone while its data directory shows an earlier start (a wrong path after an upgrade, a
    /// failed mount) must not be silently replaced: a fresh database would answer INSTALLATION_RELEASED to every agent.
    /// </summary>
    /// <exception cref="LostDatabaseException">The database is gone from a data directory set up before.</exception>
    public static void RefuseLostDatabase(LicenseHubDbContext db, LicenseHubOptions options)
    {
        if (db.Database.GetDbConnection() is not Microsoft.Data.Sqlite.SqliteConnection sqlite || options.InitializeNewDatabase)
        {
            return;
        }
        var database = Path.GetFullPath(sqlite.DataSource);
        if (File.Exists(database))
        {
            return;
        }
        var directory = options.ResolveDataDirectory();
        var signs = new[] { InitializedMarkerFileName, Signing.KeyEncryptionKey.DefaultFileName, VendorKeyFileName }
            .Where(name => File.Exists(Path.Combine(directory, name)))
            .Concat(Directory.EnumerateFiles(directory, "*.before-restore-*").Select(Path.GetFileName).OfType<string>())
            .ToList();
        if (signs.Count > 0)
        {
            throw new LostDatabaseException(
                $"The database {database} is missing, but {directory} was set up before (it holds {string.Join(", ", signs)}). " +
                "A new, empty database would tell every agent its installation was released. Restore the database ('licensehub restore') " +
                "or correct the path (LicenseHub:DataDirectory, ConnectionStrings:LicenseHub); to start over with an empty database on purpose, " +
                "set LicenseHub:InitializeNewDatabase=true for one start.");
        }
    }

    /// <summary>
    /// A SQLite file with damaged pages would start, answer readiness and fail some calls (or answer wrongly) at random:
    /// PRAGMA quick_check reads every page once (seconds for a large file) and the start is refused instead.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">quick_check found damage.</exception>
    private async Task RefuseCorruptDatabaseAsync(LicenseHubDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.GetDbConnection() is not Microsoft.Data.Sqlite.SqliteConnection sqlite || !File.Exists(sqlite.DataSource))
        {
            return;
        }
        var problems = new List<string>();
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await using var command = sqlite.CreateCommand();
            command.CommandText = "PRAGMA quick_check(5)";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                problems.Add(reader.GetString(0));
            }
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is 11 or 26)
        {
            problems.Add(e.Message);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        if (problems is ["ok"])
        {
            return;
        }
        var message = $"The database {Path.GetFullPath(sqlite.DataSource)} is corrupt (PRAGMA quick_check: {string.Join("; ", problems)}). " +
            "Nothing was changed. Restore the newest backup ('licensehub restore --input FILE --force'), or try to recover the file with " +
            "the sqlite3 shell ('.recover') into a new file first.";
        throw new CorruptDatabaseException(message);
    }

    private async Task MarkInitializedAsync(CancellationToken cancellationToken)
    {
        var marker = Path.Combine(options.Value.ResolveDataDirectory(), InitializedMarkerFileName);
        if (!File.Exists(marker))
        {
            await File.WriteAllTextAsync(marker, $"A LicenseHub database was set up here on {DateTimeOffset.UtcNow:u}. Do not delete this file.\n", cancellationToken);
        }
    }
}

/// <summary>The SQLite database is gone from a data directory that was set up before.</summary>
public sealed class LostDatabaseException(string message) : StartRefusedException(message);

/// <summary>The SQLite database has damaged pages (PRAGMA quick_check).</summary>
public sealed class CorruptDatabaseException(string message) : StartRefusedException(message);
