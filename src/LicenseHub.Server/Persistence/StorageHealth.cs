using Microsoft.Data.Sqlite;
using Npgsql;

namespace LicenseHub.Server.Persistence;

/// <summary>
/// Whether the database takes writes. A unit of work that fails because the disk is full, the file is read-only or
/// PostgreSQL cannot be reached reports it here; the next one that commits clears it. Readiness reads it, and the
/// condition is logged once when it begins and once when it ends, not once per failed call.
/// </summary>
public sealed class StorageHealth(ILogger<StorageHealth> logger, TimeProvider clock)
{
    public const string PostgresDiskFull = "the PostgreSQL server's disk is full";
    public const string PostgresReadOnly = "the PostgreSQL server accepts no writes (read-only)";

    /// <summary>
    /// Whether <paramref name="cause"/> is over once the database answers a query: every PostgreSQL cause but those that
    /// only a write can disprove (its disk full, read-only).
    /// </summary>
    public static bool EndsWhenReachable(string cause) =>
        cause.Contains("PostgreSQL", StringComparison.Ordinal) && cause is not (PostgresDiskFull or PostgresReadOnly);

    private readonly Lock _lock = new();
    private string? _cause;
    private DateTimeOffset _since;

    /// <summary>The current cause, or null while writes succeed.</summary>
    public (string Cause, DateTimeOffset Since)? Failure
    {
        get
        {
            lock (_lock)
            {
                return _cause is null ? null : (_cause, _since);
            }
        }
    }

    /// <summary>
    /// Logs when the condition begins; while it lasts only the cause is updated (an outage shows as several causes in
    /// turn: connections cut, then refused), so a flapping cause cannot flood the log.
    /// </summary>
    public void Failed(string cause)
    {
        lock (_lock)
        {
            var began = _cause is null;
            _cause = cause;
            if (!began)
            {
                return;
            }
            _since = clock.GetUtcNow();
        }
        logger.LogError("The database cannot be written: {Cause}. Calls that need it answer UNAVAILABLE until it recovers", cause);
    }

    public void Succeeded()
    {
        string? was;
        lock (_lock)
        {
            was = _cause;
            _cause = null;
        }
        if (was is not null)
        {
            logger.LogWarning("The database takes writes again (it failed with: {Cause})", was);
        }
    }

    /// <summary>
    /// The plain-words cause when <paramref name="exception"/> means the storage itself failed (not the request):
    /// full disk, read-only or corrupt file, I/O error, PostgreSQL unreachable. Null for everything else.
    /// </summary>
    public static string? CauseOf(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite:
                    return (sqlite.SqliteErrorCode) switch
                    {
                        13 => "the disk that holds the database is full",
                        8 => "the database file or its directory is read-only",
                        10 => "the database file cannot be read or written (I/O error)",
                        11 or 26 => "the database file is corrupt",
                        14 => "the database file cannot be opened",
                        _ => null,
                    };
                case PostgresException postgres:
                    return postgres.SqlState switch
                    {
                        PostgresErrorCodes.DiskFull => PostgresDiskFull,
                        PostgresErrorCodes.ReadOnlySqlTransaction => PostgresReadOnly,
                        PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow =>
                            "the PostgreSQL server is shutting down or starting",
                        _ when postgres.SqlState.StartsWith("08", StringComparison.Ordinal) => "the connection to the PostgreSQL server failed",
                        PostgresErrorCodes.TooManyConnections => "the PostgreSQL server refuses more connections (too many)",
                        PostgresErrorCodes.InvalidCatalogName => "the PostgreSQL database to connect to does not exist",
                        _ when postgres.SqlState.StartsWith("28", StringComparison.Ordinal) => "the PostgreSQL server refuses LicenseHub's login",
                        // Raised while a connection starts: connections to the database are switched off (ALLOW_CONNECTIONS
                        // false, as during maintenance) or LicenseHub's CONNECT privilege was revoked.
                        _ when postgres.Routine == "CheckMyDatabase" => "the PostgreSQL database does not accept connections",
                        _ => null,
                    };
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return "the PostgreSQL server cannot be reached";
                case IOException io when io.HResult == unchecked((int)0x80070070) || io.Message.Contains("No space left", StringComparison.Ordinal):
                    return "the disk that holds the database is full";
            }
        }
        return null;
    }
}

/// <summary>The storage failed (see <see cref="StorageHealth.CauseOf"/>): answered as UNAVAILABLE, the call may be retried.</summary>
public sealed class StorageUnavailableException(string cause, Exception? inner)
    : Exception($"The license server cannot store data right now: {cause}. Retry later.", inner)
{
    public string Cause { get; } = cause;
}
