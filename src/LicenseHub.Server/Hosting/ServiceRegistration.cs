using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Security;
using LicenseHub.Data;
using LicenseHub.Server.Agents;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Events;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Grpc;
using LicenseHub.Server.Licensing;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Privacy;
using LicenseHub.Server.Resellers;
using LicenseHub.Server.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;

namespace LicenseHub.Server.Hosting;

/// <summary>How the server is composed; Program.cs only calls these, one per concern.</summary>
public static class ServiceRegistration
{
    /// <summary>
    /// Started from another directory (dotnet /opt/licensehub/licensehub.dll, systemd), the settings shipped
    /// next to the binary still apply, beneath environment variables and command-line arguments.
    /// </summary>
    public static WebApplicationBuilder AddShippedSettings(this WebApplicationBuilder builder)
    {
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
        return builder;
    }

    /// <summary>The feature code: thin gRPC services call these.</summary>
    public static WebApplicationBuilder AddLicenseHubCore(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<CallerAccessor>();
        services.AddScoped<ApiKeyAuthenticator>();
        services.AddScoped<AuditTrail>();
        services.AddScoped<AuditLabels>();
        // In this order at commit: the events (which may add audit events of their own), then the audit chain.
        services.AddScoped<EventOutbox>();
        services.AddScoped<ICommitJournal>(sp => sp.GetRequiredService<EventOutbox>());
        services.AddScoped<ICommitJournal>(sp => sp.GetRequiredService<AuditTrail>());
        services.AddSingleton<EventSignal>();
        services.AddScoped<EventFeed>();
        services.AddScoped<WebhookEndpoints>();
        services.AddSingleton<DestinationPolicy>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<ExpiryWatcher>();
        services.AddScoped<UnitOfWork>();
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<DatabaseFileWatch>();
        services.AddScoped<CatalogService>();
        services.AddScoped<LicenseHub.Server.Pricing.PriceBook>();
        services.AddScoped<ResellerAccounts>();
        services.AddScoped<OrderService>();
        services.AddScoped<LicenseOrderService>();
        services.AddScoped<PoolAllocator>();
        services.AddScoped<LicenseService>();
        services.AddScoped<OfflineLicenseService>();
        services.AddSingleton<KeyEncryptionKey>();
        services.AddSingleton<SigningKeyStore>();
        services.AddScoped<SigningKeyRotation>();
        services.AddScoped<RootOfTrust>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<ActivationThrottle>();
        services.AddScoped<AgentLicensing>();
        services.Configure<RetentionOptions>(builder.Configuration.GetSection(RetentionOptions.Section));
        services.AddScoped<DataInventoryBuilder>();
        services.AddScoped<PiiScanner>();
        services.AddScoped<RetentionReporter>();
        services.AddScoped<ResellerDataRights>();
        services.AddSingleton<RetentionJob>();
        // Hosted services start in this order: the listen addresses are checked before the database is touched.
        services.AddHostedService<ListenAddressCheck>();
        services.AddHostedService<DatabaseInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionJob>());
        services.AddHostedService(sp => sp.GetRequiredService<ExpiryWatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return builder;
    }

    /// <summary>
    /// gRPC with the error and authentication interceptors, health and reflection; RPCs with google.api.http
    /// options are also REST/JSON, through the same interceptors.
    /// </summary>
    /// <summary>How often the database check behind grpc.health.v1 runs.</summary>
    public static readonly TimeSpan ReadinessPeriod = TimeSpan.FromSeconds(5);

    public static WebApplicationBuilder AddLicenseHubGrpc(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
        {
            // Order matters: errors raised while authenticating are mapped too.
            options.Interceptors.Add<ErrorInterceptor>();
            options.Interceptors.Add<AuthInterceptor>();
            options.MaxReceiveMessageSize = 4 * 1024 * 1024;
        }).AddJsonTranscoding(o =>
            // The error details the ErrorInterceptor attaches, written into REST error bodies.
            o.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromMessages(Google.Rpc.BadRequest.Descriptor, Google.Rpc.RetryInfo.Descriptor));
        builder.Services.AddGrpcReflection();
        // grpc.health.v1 answers from the last published result instead of querying the database on every
        // call: a load balancer probing often costs no database work, and the answer is at most
        // ReadinessPeriod old. /health/ready (HTTP) still checks live.
        builder.Services.AddGrpcHealthChecks(o => o.UseHealthChecksCache = true).AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<LicenseHub.Server.Privacy.RetentionHealthCheck>("retention");
        builder.Services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.Zero;
            o.Period = ReadinessPeriod;
        });
        return builder;
    }

    public static WebApplication MapLicenseHubGrpc(this WebApplication app)
    {
        // Vendor, reseller and audit RPCs declare their permissions on their methods ([Requires]); the
        // AuthInterceptor refuses any RPC without a declaration, unless its service is mapped AllowAnonymous here.
        app.MapGrpcService<VendorGrpcService>();
        app.MapGrpcService<ResellerGrpcService>();
        // Agents take no API key: AgentService checks the license key at activation and the installation
        // credential afterwards itself.
        app.MapGrpcService<AgentGrpcService>().AllowAnonymous();
        app.MapGrpcService<AuditGrpcService>();
        app.MapGrpcService<EventGrpcService>();
        // Public on purpose: load balancers probe health, grpcurl and tools read reflection.
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        app.MapGet("/.well-known/jwks.json", async (SigningKeyStore keys, CancellationToken ct) =>
            Results.Text(await keys.GetJwksJsonAsync(ct), "application/jwk-set+json"));
        return app;
    }
}
