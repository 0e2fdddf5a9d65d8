using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LicenseHub.Data.Sqlite;

public static class SqliteDatabase
{
    /// <summary>
    /// SQLite, with the migrations of this assembly. EF Core warns, on every first start, that a migration which rebuilds
    /// a table runs <c>PRAGMA foreign_keys = 0</c> outside its transaction. That pragma belongs to the connection and
    /// persists nothing, and the rebuild itself runs inside the migration's transaction, so an interrupted migration
    /// leaves no half-applied state behind; these migrations suppress no transaction of their own (a test checks). The
    /// warning is logged at Debug.
    /// </summary>
    public static DbContextOptionsBuilder UseLicenseHubSqlite(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(SqliteDatabase).Assembly.GetName().Name))
            .ConfigureWarnings(w => w.Log((RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug)));
}
