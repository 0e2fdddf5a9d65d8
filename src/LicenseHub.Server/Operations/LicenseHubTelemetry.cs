using System.Diagnostics;
using System.Diagnostics.Metrics;
using LicenseHub.Data;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Operations;

/// <summary>
/// LicenseHub's own spans and metrics. Tags carry result codes and counts only: never ids of people,
/// keys, addresses or fingerprints.
/// </summary>
public sealed class LicenseHubTelemetry : IDisposable
{
    public const string Name = "LicenseHub";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _checkIns;
    private readonly Counter<long> _activations;
    private readonly Counter<long> _assigned;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _signing;
    private readonly IServiceScopeFactory _scopes;
    private readonly object _utilisationLock = new();
    private (double Value, DateTimeOffset At) _utilisation = (0, DateTimeOffset.MinValue);

    public LicenseHubTelemetry(IMeterFactory meters, IServiceScopeFactory scopes)
    {
        _scopes = scopes;
        _meter = meters.Create(Name);
        _checkIns = _meter.CreateCounter<long>("licensehub.checkins", "{checkin}", "Check-ins by validation result.");
        _activations = _meter.CreateCounter<long>("licensehub.activations", "{activation}", "Activations by validation result.");
        _assigned = _meter.CreateCounter<long>("licensehub.licenses.assigned", "{license}", "Licenses assigned from pools.");
        _refused = _meter.CreateCounter<long>("licensehub.requests.refused", "{request}", "Requests refused before or at validation, by kind.");
        _signing = _meter.CreateHistogram<double>("licensehub.token.signing.duration", "ms", "Time to sign one token.");
        _meter.CreateObservableGauge("licensehub.pools.utilisation", ObserveUtilisation, "1", "Assigned ÷ purchased over all pools.");
    }

    public void CheckIn(string result) => _checkIns.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Activation(string result) => _activations.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Assigned(int count) => _assigned.Add(count);

    public void Refused(string kind) => _refused.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Signed(TimeSpan elapsed) => _signing.Record(elapsed.TotalMilliseconds);

    // Read at export time (once per export interval), cached for a minute so exporters cannot load the database.
    private double ObserveUtilisation()
    {
        lock (_utilisationLock)
        {
            if (DateTimeOffset.UtcNow - _utilisation.At < TimeSpan.FromMinutes(1))
            {
                return _utilisation.Value;
            }
            using var scope = _scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
            var totals = db.Pools.GroupBy(_ => 1).Select(g => new { Purchased = g.Sum(p => (long)p.Purchased), Assigned = g.Sum(p => (long)p.Assigned) })
                .AsNoTracking().SingleOrDefault();
            var value = totals is null || totals.Purchased == 0 ? 0 : (double)totals.Assigned / totals.Purchased;
            _utilisation = (value, DateTimeOffset.UtcNow);
            return value;
        }
    }

    public void Dispose() => _meter.Dispose();
}
