using LicenseHub.Server.Operations;
using LicenseHub.Domain.Classification;

using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Compliance.Redaction;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LicenseHub.Server.Hosting;

/// <summary>Telemetry, health endpoints and shutdown behaviour.</summary>
public static class OperationsRegistration
{
    public static WebApplicationBuilder AddLicenseHubOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LicenseHubTelemetry>();
        builder.Services.AddSingleton<RefusedRequestLog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RefusedRequestLog>());
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        AddSystemdReadiness(builder.Services);

        // Logs: values classified personal or secret are erased by the redaction engine before any sink.
        builder.Logging.EnableRedaction();
        // Grpc.AspNetCore logs every failed call at Information, with its status detail, and every exception a
        // handler throws with its stack trace: one entry per request anyone can send without a key.
        // RefusedRequestLog counts refusals instead; errors of our own (Warning and above) are still logged.
        builder.Logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Warning);
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<ErasingRedactor>(DataClasses.Personal, DataClasses.Secret);
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });

        // What LicenseHub records, for whichever exporter is configured. The providers themselves are built
        // only when something exports (OTLP here; tests add in-memory exporters): spans and measurements that
        // nobody reads would still cost every request their creation, EF Core's diagnostic events and the
        // redaction below.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(LicenseHubTelemetry.Name)
            .AddAspNetCoreInstrumentation(o =>
            {
                o.RecordException = false;
                // Health probes are noise for an operator.
                o.Filter = context => !context.Request.Path.StartsWithSegments("/health");
            })
            .AddEntityFrameworkCoreInstrumentation()
            // First processor: every exporter added later sees only redacted spans.
            .AddProcessor(new TelemetryRedaction()));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter(LicenseHubTelemetry.Name)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation());
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("licensehub", serviceVersion: typeof(OperationsRegistration).Assembly.GetName().Version?.ToString()));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.WithTracing().WithMetrics().UseOtlpExporter();
        }
        if (PrometheusEnabled(builder.Configuration))
        {
            otel.WithMetrics(metrics => metrics.AddPrometheusExporter());
        }
        return builder;
    }

    /// <summary>Off by default: GET /metrics, the same meters as OTLP in Prometheus' text format.</summary>
    public const string PrometheusKey = "LicenseHub:Metrics:Prometheus";

    private static bool PrometheusEnabled(IConfiguration configuration) => configuration.GetValue<bool>(PrometheusKey);

    /// <summary>
    /// Type=notify: READY=1 once the host has started (migrations applied, the first-start keys created, Kestrel
    /// listening), so units ordered after licensehub start when it answers; STOPPING=1 on shutdown. AddSystemd does this
    /// only when systemd is the parent process; a NOTIFY_SOCKET is also honoured otherwise (systemd-run --pipe, a
    /// supervisor that speaks sd_notify, a container whose init forwards it), since only a notify-type manager sets one.
    /// </summary>
    private static void AddSystemdReadiness(IServiceCollection services)
    {
        services.AddSystemd();
        if (!Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService()
            && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            services.AddSingleton<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier, Microsoft.Extensions.Hosting.Systemd.SystemdNotifier>();
            services.AddSingleton<IHostLifetime, Microsoft.Extensions.Hosting.Systemd.SystemdLifetime>();
        }
    }

    public static WebApplication MapLicenseHubOperations(this WebApplication app)
    {
        app.UseMiddleware<RequestLogging>();
        if (PrometheusEnabled(app.Configuration))
        {
            // Only the web endpoint speaks HTTP/1.1, which is what Prometheus scrapes with; the gRPC endpoint is HTTP/2 only.
            app.MapPrometheusScrapingEndpoint("/metrics");
        }
        // Liveness: the process answers. Readiness: and the database does.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = WriteReadinessAsync });
        return app;
    }

    /// <summary>The status, then each check with its reason (fixed sentences such as the storage cause; never an exception).</summary>
    private static Task WriteReadinessAsync(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Select(e => $"{e.Key}: {e.Value.Status}{(string.IsNullOrEmpty(e.Value.Description) ? "" : ": " + e.Value.Description)}");
        return context.Response.WriteAsync(string.Join("\n", [report.Status.ToString(), .. lines]) + "\n");
    }
}
