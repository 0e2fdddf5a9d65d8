using LicenseHub.Data;
using LicenseHub.Data.Postgres;
using LicenseHub.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseHub.Tests.Core;

/// <summary>Both migration sets come from the one model, each in its own assembly.</summary>
public sealed class DatabaseProviderTests
{
    private static LicenseHubDbContext Context(Action<DbContextOptionsBuilder> use)
    {
        var options = new DbContextOptionsBuilder<LicenseHubDbContext>();
        use(options);
        return new LicenseHubDbContext(options.Options);
    }

    public static TheoryData<string> Providers => ["Sqlite", "Postgres"];

    private static LicenseHubDbContext For(string provider) => provider == "Sqlite"
        ? Context(o => o.UseLicenseHubSqlite("Data Source=:memory:"))
        : Context(o => o.UseLicenseHubPostgres("Host=127.0.0.1;Database=unused"));

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_EachProvider_MatchTheCurrentModel(string provider)
    {
        using var db = For(provider);

        Assert.False(db.Database.HasPendingModelChanges(),
            $"The model changed since the last {provider} migration: add one to LicenseHub.Data.{provider} (see README, 'Running on PostgreSQL').");
        Assert.Equal($"LicenseHub.Data.{provider}", db.GetService<IMigrationsAssembly>().Assembly.GetName().Name);
    }

    [Fact]
    public void SqliteMigrations_KeepTheirIds_SoExistingDatabasesStillMigrate()
    {
        using var db = For("Sqlite");

        Assert.Equal(["20261126164849_InitialCreate", "20261126170011_Retention", "20261126171738_StaffUsers"],
            db.Database.GetMigrations().Take(3));
    }

    [Fact]
    public void SqliteMigrations_RunOutsideTheirTransaction_OnlyTheConnectionsForeignKeyPragma()
    {
        // Why the server logs EF Core's "cannot be executed in a transaction" warning at Debug: what runs outside the
        // transaction is only the per-connection pragma around a table rebuild, never a change to the database.
        using var db = For("Sqlite");
        var migrations = db.GetService<IMigrationsAssembly>();
        var generator = db.GetService<IMigrationsSqlGenerator>();
        var model = db.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model;
        var outside = new List<string>();
        foreach (var (id, type) in migrations.Migrations)
        {
            var migration = migrations.CreateMigration(type, "Sqlite");
            foreach (var command in generator.Generate(migration.UpOperations, model).Where(c => c.TransactionSuppressed))
            {
                outside.Add($"{id}: {command.CommandText.Trim()}");
            }
        }

        Assert.NotEmpty(outside);
        Assert.All(outside, c => Assert.Matches(@": PRAGMA foreign_keys = [01];$", c));
    }

    [Theory]
    [InlineData("Host=db;Database=licensehub", PostgresDatabase.DefaultMaxAutoPrepare)]
    [InlineData("Host=db;Database=licensehub;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;maxautoprepare=10;Database=licensehub", 10)]
    public void PostgresConnectionString_MaxAutoPrepare_DefaultsOnAndExplicitValueWins(string connectionString, int expected)
    {
        var effective = new Npgsql.NpgsqlConnectionStringBuilder(PostgresDatabase.WithAutoPrepare(connectionString));

        Assert.Equal(expected, effective.MaxAutoPrepare);
        Assert.Equal("licensehub", effective.Database);
    }
}
