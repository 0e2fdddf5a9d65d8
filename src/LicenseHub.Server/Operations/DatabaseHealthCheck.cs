using LicenseHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LicenseHub.Server.Operations;

/// <summary>Healthy while the database answers a query, takes writes and (SQLite) is still the file opened at start.</summary>
public sealed class DatabaseHealthCheck(LicenseHubDbContext db, Persistence.StorageHealth storage, Persistence.DatabaseFileWatch file) : IHealthCheck
{
    /// <summary>Bytes free below which a full disk counts as still full.</summary>
    public const long MinimumFreeBytes = 1024 * 1024;

    /// <summary>
    /// Whether what failed is back without a write to prove it (a not-ready server gets no writes): the database
    /// answered above, so a lost PostgreSQL connection is back; a full disk is back once it has room again.
    /// </summary>
    private bool Recovered(string cause)
    {
        var recovered = Persistence.StorageHealth.EndsWhenReachable(cause)
            || cause.Contains("is full", StringComparison.Ordinal) && FreeBytes() >= MinimumFreeBytes;
        if (recovered)
        {
            storage.Succeeded();
        }
        return recovered;
    }

    private long FreeBytes()
    {
        try
        {
            var path = db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection sqlite ? sqlite.DataSource : null;
            return string.IsNullOrEmpty(path) ? long.MaxValue : new DriveInfo(Path.GetDirectoryName(Path.GetFullPath(path))!).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (file.Problem() is { } gone)
        {
            storage.Failed(gone);
            return HealthCheckResult.Unhealthy(gone);
        }
        try
        {
            // SQLite: reading the schema reads the file's first pages, so a file overwritten or cut short shows here, cheaply
            // (SELECT 1 reads nothing; the full PRAGMA quick_check runs at start).
            var probe = db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection ? "SELECT count(*) FROM sqlite_schema" : "SELECT 1";
            await db.Database.ExecuteSqlRawAsync(probe, cancellationToken);
            if (storage.Failure is { } failure && !Recovered(failure.Cause))
            {
                // Reads work, writes do not: not ready, so a load balancer sends agents elsewhere.
                return HealthCheckResult.Unhealthy($"writes fail since {failure.Since:u}: {failure.Cause}");
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (Persistence.StorageHealth.CauseOf(ex) is { } cause)
        {
            // Logged once when it begins and once when it ends (StorageHealth), not with a stack at every probe.
            storage.Failed(cause);
            return HealthCheckResult.Unhealthy(cause);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("database unreachable", ex);
        }
    }
}
