using LicenseHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LicenseHub.Tests.Operations;

/// <summary>
/// Spans and measurements are recorded only when something exports them: without an exporter they would
/// cost every request (span creation, EF Core diagnostic events, redaction) for nothing.
/// </summary>
public sealed class TelemetryPipelineTests
{
    [Fact]
    public void WithoutAnExporter_NoTracerOrMeterProviderIsBuilt()
    {
        using var factory = new LicenseHubFactory();
        _ = factory.Server;
        Assert.Null(factory.Services.GetService<TracerProvider>());
        Assert.Null(factory.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void WithAnOtlpEndpoint_TracesAndMetricsAreRecorded()
    {
        // Nothing listens on the discard port; export failures are the exporter's to report, not the server's.
        using var factory = new LicenseHubFactory(builder => builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"));
        _ = factory.Server;
        Assert.NotNull(factory.Services.GetService<TracerProvider>());
        Assert.NotNull(factory.Services.GetService<MeterProvider>());
    }
}
