using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Operations;

/// <summary>
/// Refused requests are counted, not logged one by one: anyone can send malformed requests without a key, and an
/// entry (let alone a stack trace) per request would let them fill the disk and bury what matters. Each refusal
/// adds to the metric <c>licensehub.requests.refused</c> (tag <c>kind</c>); once per
/// <see cref="LicenseHubOptions.RefusedRequestSummaryInterval"/> one line per kind says how many there were.
/// Nothing of the request itself is recorded.
/// </summary>
public sealed class RefusedRequestLog(LicenseHubTelemetry telemetry, IOptions<LicenseHubOptions> options, TimeProvider clock,
    ILogger<RefusedRequestLog> logger) : BackgroundService
{
    /// <summary>A string field of the request is not UTF-8.</summary>
    public const string InvalidUtf8 = "invalid_utf8";

    /// <summary>The request is not a readable protobuf message of its method.</summary>
    public const string MalformedMessage = "malformed_message";

    /// <summary>The request was read, and a field failed validation.</summary>
    public const string InvalidArgument = "invalid_argument";

    /// <summary>No, an unknown or a revoked credential.</summary>
    public const string Unauthenticated = "unauthenticated";

    private readonly ConcurrentDictionary<string, long> _counts = new();

    private TimeSpan Interval => options.Value.RefusedRequestSummaryInterval > TimeSpan.Zero
        ? options.Value.RefusedRequestSummaryInterval
        : TimeSpan.FromMinutes(1);

    /// <summary>Counts one refused request of <paramref name="kind"/> (one of the constants above).</summary>
    public void Refused(string kind)
    {
        _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        telemetry.Refused(kind);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                WriteSummary();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync writes what was counted since the last summary.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        WriteSummary();
    }

    /// <summary>One line per kind refused since the last summary.</summary>
    public void WriteSummary()
    {
        foreach (var kind in _counts.Keys.Order(StringComparer.Ordinal))
        {
            if (_counts.TryRemove(kind, out var count) && count > 0)
            {
                logger.LogInformation("Refused {Count} request(s) as {Kind} in the last {Interval}", count, kind, Interval);
            }
        }
    }
}
