using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LicenseHub.Data.Postgres;

/// <summary>
/// Lets `dotnet ef migrations add` build the model for PostgreSQL without starting the server. Adding a
/// migration needs no running database; the connection string is only a placeholder.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<LicenseHubDbContext>
{
    public LicenseHubDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<LicenseHubDbContext>();
        options.UseLicenseHubPostgres("Host=localhost;Database=licensehub_design");
        return new LicenseHubDbContext(options.Options);
    }
}
