using LicenseHub.Data;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Infrastructure;

public static class DatabaseRegistration
{
    /// <summary>The database: SQLite in the data directory unless a connection string says otherwise.</summary>
    public static WebApplicationBuilder AddLicenseHubDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<LicenseHubOptions>(builder.Configuration.GetSection(LicenseHubOptions.Section));
        var hubOptions = builder.Configuration.GetSection(LicenseHubOptions.Section).Get<LicenseHubOptions>() ?? new LicenseHubOptions();
        var dataDirectory = hubOptions.ResolveDataDirectory();
        Directory.CreateDirectory(dataDirectory);

        var connectionString = builder.Configuration.GetConnectionString("LicenseHub")
            ?? $"Data Source={Path.Combine(dataDirectory, "licensehub.db")};Default Timeout=30";
        builder.Services.AddSingleton<SqlitePragmas>();
        builder.Services.AddDbContext<LicenseHubDbContext>((sp, options) => options
            .UseSqlite(connectionString)
            .AddInterceptors(sp.GetRequiredService<SqlitePragmas>()));
        return builder;
    }

}
