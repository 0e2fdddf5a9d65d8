using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LicenseHub.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the server.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<LicenseHubDbContext>
{
    public LicenseHubDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LicenseHubDbContext>().UseSqlite("Data Source=design.db").Options);
}
