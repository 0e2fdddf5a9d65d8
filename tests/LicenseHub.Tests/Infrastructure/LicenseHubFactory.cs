using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.Data;
using LicenseHub.Server.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseHub.Tests.Infrastructure;

/// <summary>
/// The real server, in process, on its own SQLite file in a fresh data directory
/// (grpc-dotnet's IntegrationTestBase pattern: GrpcChannel over the test server's handler).
/// </summary>
public sealed class LicenseHubFactory : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "lh-tests", Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(DataDirectory, "licensehub.db");

    private readonly Action<IWebHostBuilder>? _configure;

    public LicenseHubFactory(Action<IWebHostBuilder>? configure = null)
    {
        _configure = configure;
        Directory.CreateDirectory(DataDirectory);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("LicenseHub:DataDirectory", DataDirectory);
        builder.UseEnvironment("Development");
        _configure?.Invoke(builder);
    }

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = Server.CreateHandler(),
    });

    private GrpcChannel? _channel;

    public string VendorKey => File.ReadAllText(Path.Combine(DataDirectory, DatabaseInitializer.VendorKeyFileName)).Trim();

    public VendorService.VendorServiceClient Vendor(string? key = null) =>
        new(Channel.Intercept(m => { m.Add("authorization", "Bearer " + (key ?? VendorKey)); return m; }));

    public ResellerService.ResellerServiceClient Reseller(string key) =>
        new(Channel.Intercept(m => { m.Add("authorization", "Bearer " + key); return m; }));

    public T WithDb<T>(Func<LicenseHubDbContext, T> query)
    {
        using var scope = Services.CreateScope();
        return query(scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>());
    }

    /// <summary>A raw connection to the database file, for tests that tamper with stored rows.</summary>
    public SqliteConnection OpenRawConnection()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        return connection;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _channel?.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp directory is reclaimed by the OS otherwise.
        }
    }
}
