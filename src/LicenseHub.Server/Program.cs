using LicenseHub.Server.Infrastructure;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Portal;

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

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
