using System.Threading.RateLimiting;
using LicenseHub.Domain;
using LicenseHub.Server.Operations;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Agents;

/// <summary>
/// Limits activation attempts with wrong license keys per source address. The address lives only in
/// this process's memory (a rate-limiter partition key): never in the database, logs or traces.
/// </summary>
public sealed class ActivationThrottle : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly PartitionedRateLimiter<string> _failures;

    public ActivationThrottle(IOptions<LicenseHubOptions> options)
    {
        var limit = Math.Max(1, options.Value.ActivationFailuresPerMinute);
        _failures = PartitionedRateLimiter.Create<string, string>(source => RateLimitPartition.GetFixedWindowLimiter(source,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = Window, QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>Refuses the attempt when the source has used up its failures.</summary>
    public void ThrowIfBlocked(string source)
    {
        if (_failures.GetStatistics(source) is { CurrentAvailablePermits: <= 0 })
        {
            throw new RateLimitedException(Window);
        }
    }

    /// <summary>Counts a failed attempt; refuses once the limit is passed.</summary>
    public void RecordFailure(string source)
    {
        using var lease = _failures.AttemptAcquire(source);
        if (!lease.IsAcquired)
        {
            throw new RateLimitedException(lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : Window);
        }
    }

    public void Dispose() => _failures.Dispose();
}
