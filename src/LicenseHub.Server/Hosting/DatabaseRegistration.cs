using Microsoft.EntityFrameworkCore;
using LicenseHub.Server.Operations;
using LicenseHub.Data;
using LicenseHub.Data.Postgres;
using LicenseHub.Data.Sqlite;

namespace LicenseHub.Server.Hosting;

/// <summary>Which database LicenseHub keeps its data in (configuration "Database:Provider").</summary>
public enum DatabaseProvider
{
    /// <summary>One file in the data directory: the embedded default for a single server.</summary>
    Sqlite,

    /// <summary>One PostgreSQL database shared by several stateless server replicas.</summary>
    Postgres,
}

public static class DatabaseRegistration
{
    public const string ProviderKey = "Database:Provider";
    public const string ConnectionStringName = "LicenseHub";

    /// <summary>
    /// The database: SQLite in the data directory unless "Database:Provider" says Postgres, with the
    /// connection string "ConnectionStrings:LicenseHub" (required for PostgreSQL, optional for SQLite).
    /// </summary>
    public static WebApplicationBuilder AddLicenseHubDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<LicenseHubOptions>(builder.Configuration.GetSection(LicenseHubOptions.Section));
        var hubOptions = builder.Configuration.GetSection(LicenseHubOptions.Section).Get<LicenseHubOptions>() ?? new LicenseHubOptions();
        var dataDirectory = hubOptions.ResolveDataDirectory();
        Directory.CreateDirectory(dataDirectory);

        var provider = ParseProvider(builder.Configuration[ProviderKey]);
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    $"{ProviderKey} is Postgres but ConnectionStrings:{ConnectionStringName} is not set (for example " +
                    "\"Host=db.example;Database=licensehub;Username=licensehub;Password=...\").");
            }
            builder.Services.AddDbContextPool<LicenseHubDbContext>(options => QuietErrors(options.UseLicenseHubPostgres(connectionString)));
            return builder;
        }

        connectionString ??= $"Data Source={Path.Combine(dataDirectory, "licensehub.db")};Default Timeout=30";
        var databasePath = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        // Taken when the server starts (the first service resolved), released when it stops.
        builder.Services.AddSingleton(_ => new HeldDatabaseLock(AcquireOrRefuse(databasePath)
            ?? throw new StartRefusedException(
                $"Another process uses the database {Path.GetFullPath(databasePath)} (a LicenseHub server, or a restore that is running): " +
                $"it holds {DatabaseFileLock.PathFor(databasePath)}. Stop it first; one SQLite database serves one server.")));
        builder.Services.AddSingleton<SqlitePragmas>();
        // Pooled: a context per request is reset and reused instead of built and wired anew (measurable on
        // the check-in path).
        builder.Services.AddDbContextPool<LicenseHubDbContext>((sp, options) => QuietErrors(options
            .UseLicenseHubSqlite(connectionString)
            .AddInterceptors(sp.GetRequiredService<SqlitePragmas>())));
        return builder;
    }

    /// <summary>
    /// EF Core logs every failed command, query and save at Error with the exception, before the exception reaches the
    /// server: a database outage wrote thousands of stack traces a minute. Each failure is logged where it is understood
    /// instead: a storage condition once by StorageHealth, anything unexpected once by the ErrorInterceptor; EF Core's
    /// own lines stay at Debug.
    /// </summary>
    private static DbContextOptionsBuilder QuietErrors(DbContextOptionsBuilder options) => options.ConfigureWarnings(w => w.Log(
        (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandError, LogLevel.Debug),
        (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.ConnectionError, LogLevel.Debug),
        (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.TransactionError, LogLevel.Debug),
        (Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.QueryIterationFailed, LogLevel.Debug),
        (Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.SaveChangesFailed, LogLevel.Debug)));

    private static FileStream? AcquireOrRefuse(string databasePath)
    {
        try
        {
            return DatabaseFileLock.TryAcquire(databasePath);
        }
        catch (IOException e)
        {
            throw new StartRefusedException($"the database file or its directory is read-only ({e.Message}). Fix it and start again; nothing was changed.", e);
        }
    }

    private static DatabaseProvider ParseProvider(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DatabaseProvider.Sqlite;
        }
        if (Enum.TryParse<DatabaseProvider>(value.Trim(), ignoreCase: true, out var provider) && Enum.IsDefined(provider))
        {
            return provider;
        }
        if (value.Trim().Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase) || value.Trim().Equals("Npgsql", StringComparison.OrdinalIgnoreCase))
        {
            return DatabaseProvider.Postgres;
        }
        throw new InvalidOperationException($"{ProviderKey} must be Sqlite or Postgres, not '{value}'.");
    }
}
