using LicenseHub.Server.Hosting;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Operations.Backup;
using LicenseHub.Server.Portal;

if (BackupCommands.Handles(args))
{
    return await BackupCommands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddShippedSettings()
    .AddLicenseHubDatabase()
    .AddLicenseHubCore()
    .AddLicenseHubGrpc()
    .AddLicenseHubOperations()
    .AddLicenseHubPortal();

var app = builder.Build();
app.MapLicenseHubOperations();
app.MapLicenseHubGrpc();
app.MapLicenseHubPortal();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
