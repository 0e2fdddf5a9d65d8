using LicenseHub.Data;
using LicenseHub.Server.Agents;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Grpc;
using LicenseHub.Server.Infrastructure;
using LicenseHub.Server.Licensing;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Privacy;
using LicenseHub.Server.Resellers;
using LicenseHub.Server.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

var builder = WebApplication.CreateBuilder(args);

// Started from another directory (dotnet /opt/licensehub/licensehub.dll, systemd), the settings shipped
// next to the binary still apply, beneath environment variables and command-line arguments.
var shippedSettings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
if (!File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json")) && File.Exists(shippedSettings))
{
    builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
    {
        Path = "appsettings.json",
        Optional = true,
        FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
    });
}

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

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<CallerAccessor>();
builder.Services.AddScoped<ApiKeyAuthenticator>();
builder.Services.AddScoped<AuditTrail>();
builder.Services.AddScoped<UnitOfWork>();
builder.Services.AddScoped<CatalogService>();
builder.Services.AddScoped<ResellerAccounts>();
builder.Services.AddScoped<OrderService>();
builder.Services.AddScoped<PoolAllocator>();
builder.Services.AddScoped<LicenseService>();
builder.Services.AddScoped<OfflineLicenseService>();
builder.Services.AddSingleton<KeyEncryptionKey>();
builder.Services.AddSingleton<SigningKeyStore>();
builder.Services.AddScoped<SigningKeyRotation>();
builder.Services.AddSingleton<TokenIssuer>();
builder.Services.AddSingleton<ActivationThrottle>();
builder.Services.AddScoped<AgentLicensing>();
builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection(RetentionOptions.Section));
builder.Services.AddScoped<DataInventoryBuilder>();
builder.Services.AddScoped<PiiScanner>();
builder.Services.AddScoped<RetentionReporter>();
builder.Services.AddScoped<ResellerDataRights>();
builder.Services.AddSingleton<RetentionJob>();
builder.Services.AddHostedService<DatabaseInitializer>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionJob>());

builder.Services.AddGrpc(options =>
{
    // Order matters: errors raised while authenticating are mapped too.
    options.Interceptors.Add<ErrorInterceptor>();
    options.Interceptors.Add<AuthInterceptor>();
    options.MaxReceiveMessageSize = 4 * 1024 * 1024;
});
builder.Services.AddGrpcReflection();
builder.Services.AddGrpcHealthChecks().AddCheck<DatabaseHealthCheck>("database");

var app = builder.Build();

app.MapGrpcService<VendorGrpcService>();
app.MapGrpcService<ResellerGrpcService>();
app.MapGrpcService<AgentGrpcService>();
app.MapGrpcService<AuditGrpcService>();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();
app.MapGet("/.well-known/jwks.json", async (SigningKeyStore keys, CancellationToken ct) =>
    Results.Text(await keys.GetJwksJsonAsync(ct), "application/jwk-set+json"));
app.MapGet("/", () => Results.Text("LicenseHub license server. gRPC services: licensehub.v1.VendorService, licensehub.v1.ResellerService, licensehub.v1.AgentService.\n"));

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
