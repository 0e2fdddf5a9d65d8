using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Data.Sqlite;

public static class SqliteDatabase
{
    /// <summary>SQLite, with the migrations of this assembly.</summary>
    public static DbContextOptionsBuilder UseLicenseHubSqlite(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(SqliteDatabase).Assembly.GetName().Name));
}
