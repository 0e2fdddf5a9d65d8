namespace LicenseHub.Tests.Infrastructure;

/// <summary>A test of something only SQLite has (its file, its backup API): skipped, with the reason, in the PostgreSQL run.</summary>
public sealed class SqliteOnlyFactAttribute : FactAttribute
{
    public SqliteOnlyFactAttribute(string reason)
    {
        if (LicenseHubFactory.OnPostgres)
        {
            Skip = $"SQLite only: {reason}";
        }
    }
}
