using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LicenseHub.Data.Sqlite;

/// <summary>Lets `dotnet ef migrations add` build the model for SQLite without starting the server.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<LicenseHubDbContext>
{
    public LicenseHubDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<LicenseHubDbContext>();
        options.UseLicenseHubSqlite("Data Source=design.db");
        return new LicenseHubDbContext(options.Options);
    }
}
