using LicenseHub.Server.Grpc;
using LicenseHub.Server.Hosting;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Portal;

return await ServerCommandLine.InvokeAsync(args, ServeAsync);

static async Task<int> ServeAsync(string[] configuration)
{
    var builder = WebApplication.CreateBuilder(configuration);
    builder.AddShippedSettings()
        .AddLicenseHubDatabase()
        .AddLicenseHubCore()
        .AddLicenseHubGrpc()
        .AddLicenseHubOperations()
        .AddLicenseHubLogging()
        .AddLicenseHubPortal()
        // Last: it replaces the binder every AddGrpc registers.
        .AddStrictRequestBinding();

    var app = builder.Build();
    app.MapLicenseHubOperations();
    app.MapLicenseHubGrpc();
    app.MapLicenseHubPortal();

    await app.RunAsync();
    return 0;
}

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
