using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LicenseHub.Tests.Operations;

/// <summary>
/// Captures everything exported (in-memory exporters) during an end-to-end run and checks that no client
/// address, license key, API key or e-mail leaves the process, while the spans and metrics an operator
/// needs are there.
/// </summary>
public sealed class TelemetryPrivacyTests : IDisposable
{
    private const string ClientAddress = "203.0.113.77";
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly CapturingLoggerProvider _logs = new();
    private readonly LicenseHubFactory _factory;

    public TelemetryPrivacyTests()
    {
        _factory = new LicenseHubFactory(builder => builder.ConfigureTestServices(services =>
        {
            services.AddOpenTelemetry()
                .WithTracing(t => t.AddInMemoryExporter(_spans))
                .WithMetrics(m => m.AddInMemoryExporter(_metrics));
            services.AddSingleton<ILoggerProvider>(_logs);
            // The test server has no socket: give every request a client address, as Kestrel would.
            services.AddSingleton<IStartupFilter>(new ClientAddressFilter());
        }));
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task EndToEndRun_ExportsOperatorSignals_WithoutAddressesKeysOrEmails()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 5);
        var assigned = await scenario.AssignAsync(reseller, pool.Id, 2);
        var key = assigned.Licenses[0].LicenseKey;
        var agent = new AgentService.AgentServiceClient(_factory.Channel);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("machine")));
        var activation = await agent.ActivateAsync(new ActivateRequest { LicenseKey = key, Fingerprint = fingerprint, ProductVersion = "8.2.1", AgentVersion = "1.0.0" });
        await agent.CheckInAsync(new CheckInRequest
        {
            InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = fingerprint,
            ProductVersion = "8.2.1", AgentVersion = "1.0.0",
        });
        // A wrong key, so an error path is exported too.
        await agent.ActivateAsync(new ActivateRequest { LicenseKey = LicenseHub.Domain.Licensing.LicenseKey.Generate(), Fingerprint = fingerprint, ProductVersion = "8.2.1", AgentVersion = "1.0.0" });

        _factory.Services.GetRequiredService<TracerProvider>().ForceFlush();
        _factory.Services.GetRequiredService<MeterProvider>().ForceFlush();

        // Listeners are process-wide: servers of tests running in parallel export into the same lists, so
        // work on a snapshot.
        var spans = Snapshot(_spans);
        var metrics = Snapshot(_metrics);

        // What an operator needs is there.
        Assert.Contains(spans, s => s.DisplayName.Contains("AgentService/CheckIn"));
        Assert.Contains(spans, s => s.Source.Name.Contains("EntityFrameworkCore") || s.GetTagItem("db.system") is not null || s.GetTagItem("db.system.name") is not null);
        Assert.Contains(metrics, m => m.Name == "licensehub.checkins");
        Assert.Contains(metrics, m => m.Name == "licensehub.activations");
        Assert.Contains(metrics, m => m.Name == "licensehub.licenses.assigned");
        Assert.Contains(metrics, m => m.Name == "licensehub.token.signing.duration");
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");

        // And nothing that must not leave is.
        var exported = new StringBuilder();
        foreach (var span in spans)
        {
            exported.AppendLine(span.DisplayName);
            foreach (var tag in span.TagObjects)
            {
                exported.AppendLine($"{tag.Key}={tag.Value}");
            }
            foreach (var ev in span.Events)
            {
                exported.AppendLine(ev.Name);
                foreach (var tag in ev.Tags)
                {
                    exported.AppendLine($"{tag.Key}={tag.Value}");
                }
            }
        }
        foreach (var metric in metrics)
        {
            exported.AppendLine(metric.Name);
            foreach (var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    exported.AppendLine($"{tag.Key}={tag.Value}");
                }
            }
        }
        string logs;
        lock (_logs.Lines)
        {
            logs = string.Join("\n", _logs.Lines);
        }
        var text = exported.ToString() + logs;
        Assert.DoesNotContain(ClientAddress, text);
        Assert.DoesNotContain("client.address", exported.ToString());
        Assert.DoesNotContain("network.peer.address", exported.ToString());
        Assert.DoesNotContain(key, text);
        Assert.DoesNotContain(key.Replace("-", ""), text);
        Assert.DoesNotContain(reseller.OwnerKey, text);
        Assert.DoesNotContain(_factory.VendorKey, text);
        Assert.DoesNotContain("billing@example-hosting.test", text);
        Assert.DoesNotContain(activation.InstallationSecret, text);
        Assert.NotEmpty(_logs.Lines);
    }

    private static T[] Snapshot<T>(List<T> items)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return items.ToArray();
            }
            catch (ArgumentException) when (attempt < 100)
            {
                Thread.Sleep(10);
            }
        }
    }

    private sealed class ClientAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(ClientAddress);
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public List<string> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = $"{category}: {formatter(state, exception)} {exception}";
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    line += " " + string.Join(" ", values.Select(v => $"{v.Key}={v.Value}"));
                }
                lock (owner.Lines)
                {
                    owner.Lines.Add(line);
                }
            }
        }
    }
}
