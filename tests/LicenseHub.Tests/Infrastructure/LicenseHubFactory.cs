using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.Data;
using LicenseHub.Server.Hosting;
using LicenseHub.V1;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LicenseHub.Tests.Infrastructure;

/// <summary>
/// The real server, in process, on a database of its own in a fresh data directory (grpc-dotnet's
/// IntegrationTestBase pattern: GrpcChannel over the test server's handler).
/// <para>
/// The database is a SQLite file, unless <c>LICENSEHUB_TEST_PROVIDER=Postgres</c>: then each factory (so each
/// test) gets a fresh PostgreSQL database on the server named by <c>LICENSEHUB_TEST_POSTGRES</c>, dropped
/// afterwards. tests/run.sh runs this whole suite once per provider.
/// </para>
/// </summary>
public sealed class LicenseHubFactory : WebApplicationFactory<Program>
{
    public const string ProviderVariable = "LICENSEHUB_TEST_PROVIDER";
    public const string PostgresVariable = "LICENSEHUB_TEST_POSTGRES";

    /// <summary>The provider this test run uses.</summary>
    public static DatabaseProvider Provider { get; } = ReadProvider();

    public static bool OnPostgres => Provider == DatabaseProvider.Postgres;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "lh-tests", Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(DataDirectory, "licensehub.db");

    private readonly Action<IWebHostBuilder>? _configure;
    private readonly string? _postgresDatabase;
    private readonly string? _postgresConnectionString;

    public LicenseHubFactory(Action<IWebHostBuilder>? configure = null)
    {
        _configure = configure;
        Directory.CreateDirectory(DataDirectory);
        if (OnPostgres)
        {
            _postgresDatabase = "lh_test_" + Guid.NewGuid().ToString("N");
            _postgresConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = _postgresDatabase }.ConnectionString;
            AdminCommand($"CREATE DATABASE \"{_postgresDatabase}\"");
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("LicenseHub:DataDirectory", DataDirectory);
        if (OnPostgres)
        {
            builder.UseSetting(DatabaseRegistration.ProviderKey, "Postgres");
            builder.UseSetting($"ConnectionStrings:{DatabaseRegistration.ConnectionStringName}", _postgresConnectionString);
        }
        builder.UseEnvironment("Development");
        _configure?.Invoke(builder);
    }

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = Server.CreateHandler(),
    });

    private GrpcChannel? _channel;

    public string VendorKey => File.ReadAllText(Path.Combine(DataDirectory, DatabaseInitializer.VendorKeyFileName)).Trim();

    public VendorService.VendorServiceClient Vendor(string? key = null) =>
        new(Channel.Intercept(m => { m.Add("authorization", "Bearer " + (key ?? VendorKey)); return m; }));

    public ResellerService.ResellerServiceClient Reseller(string key) =>
        new(Channel.Intercept(m => { m.Add("authorization", "Bearer " + key); return m; }));

    public EventService.EventServiceClient Events(string? key = null) =>
        new(Channel.Intercept(m => { m.Add("authorization", "Bearer " + (key ?? VendorKey)); return m; }));

    /// <summary>The trust anchor, as <c>licensehub trust export</c> prints it.</summary>
    public async Task<LicenseHub.Tokens.TrustAnchor> TrustAnchorAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var anchor = await scope.ServiceProvider.GetRequiredService<LicenseHub.Server.Signing.RootOfTrust>().ExportAnchorAsync(CancellationToken.None);
        return LicenseHub.Tokens.TrustAnchor.Parse(anchor.ToJson());
    }

    public T WithDb<T>(Func<LicenseHubDbContext, T> query)
    {
        using var scope = Services.CreateScope();
        return query(scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>());
    }

    /// <summary>
    /// Runs raw SQL on this test's database, for tests that tamper with stored rows; returns the rows
    /// affected. Quote identifiers ("AuditEvents"), as both providers read them the same way then, and
    /// write ids with <see cref="SqlId"/>.
    /// </summary>
    public int ExecuteSql(string sql) => WithDb(db =>
    {
        var connection = db.Database.GetDbConnection();
        connection.Open();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteNonQuery();
        }
        finally
        {
            connection.Close();
        }
    });

    /// <summary>An id as a SQL literal: SQLite stores a Guid as upper-case text, PostgreSQL as uuid.</summary>
    public static string SqlId(string id) => $"'{(OnPostgres ? id.ToLowerInvariant() : id.ToUpperInvariant())}'";

    /// <summary>
    /// Everything stored, as text, for tests that prove a secret is never stored in clear: on SQLite the
    /// database file itself (after a checkpoint, so the WAL is in it); on PostgreSQL every row of every
    /// table of the model in its text form.
    /// </summary>
    public string StoredText() => WithDb(db =>
    {
        if (!OnPostgres)
        {
            db.Database.ExecuteSqlRaw("PRAGMA wal_checkpoint(TRUNCATE)");
            return File.ReadAllText(DatabasePath, Encoding.Latin1);
        }
        var text = new StringBuilder();
        var connection = db.Database.GetDbConnection();
        connection.Open();
        try
        {
            foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct())
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT t::text FROM \"{table}\" t";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    text.Append(reader.GetString(0)).Append('\n');
                }
            }
        }
        finally
        {
            connection.Close();
        }
        return text.ToString();
    });

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _channel?.Dispose();
        SqliteConnection.ClearAllPools();
        if (_postgresConnectionString is not null)
        {
            // The server's pool is keyed by the connection string it really uses.
            using (var connection = new NpgsqlConnection(LicenseHub.Data.Postgres.PostgresDatabase.WithAutoPrepare(_postgresConnectionString)))
            {
                NpgsqlConnection.ClearPool(connection);
            }
            AdminCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)");
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp directory is reclaimed by the OS otherwise.
        }
    }

    private static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ProviderVariable}=Postgres needs {PostgresVariable}, a connection string to a PostgreSQL server where the tests may create databases (tests/run.sh starts one).");

    private static void AdminCommand(string sql)
    {
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static DatabaseProvider ReadProvider()
    {
        var value = Environment.GetEnvironmentVariable(ProviderVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return DatabaseProvider.Sqlite;
        }
        return Enum.TryParse<DatabaseProvider>(value.Trim(), ignoreCase: true, out var provider) && Enum.IsDefined(provider)
            ? provider
            : throw new InvalidOperationException($"{ProviderVariable} must be Sqlite or Postgres, not '{value}'.");
    }
}
