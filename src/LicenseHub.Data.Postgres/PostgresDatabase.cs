using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Data.Postgres;

public static class PostgresDatabase
{
    /// <summary>PostgreSQL (Npgsql), with the migrations of this assembly.</summary>
    public static DbContextOptionsBuilder UseLicenseHubPostgres(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(typeof(PostgresDatabase).Assembly.GetName().Name));
}
