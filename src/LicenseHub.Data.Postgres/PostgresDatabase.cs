using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LicenseHub.Data.Postgres;

public static partial class PostgresDatabase
{
    /// <summary>Statements each pooled connection keeps prepared unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>PostgreSQL (Npgsql), with the migrations of this assembly.</summary>
    public static DbContextOptionsBuilder UseLicenseHubPostgres(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(WithAutoPrepare(connectionString),
            npgsql => npgsql.MigrationsAssembly(typeof(PostgresDatabase).Assembly.GetName().Name));

    /// <summary>
    /// A check-in repeats the same few statements thousands of times a second. Prepared once per connection,
    /// PostgreSQL stops parsing and planning them on every call, which measured here as about two thirds of
    /// the database's CPU per check-in. An explicit "Max Auto Prepare" in the connection string wins (0 turns it off).
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        if (MaxAutoPrepareKeyword().IsMatch(connectionString))
        {
            return connectionString;
        }
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare }.ConnectionString;
    }

    [GeneratedRegex(@"(^|;)\s*Max\s*Auto\s*Prepare\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex MaxAutoPrepareKeyword();
}
