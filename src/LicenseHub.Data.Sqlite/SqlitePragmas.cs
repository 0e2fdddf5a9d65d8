using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LicenseHub.Data.Sqlite;

/// <summary>
/// WAL lets readers run while one writer commits. synchronous=FULL syncs the log at every commit, so what the
/// server has answered survives a crash of the machine, not only of the process (NORMAL may roll back the last
/// commits on power loss); check-ins are committed in groups, so that costs one sync per group, not per call.
/// secure_delete=ON overwrites deleted content, so erased personal data does not linger in free pages. A connection waiting for a lock retries every millisecond
/// (<see cref="SqliteBusyHandler"/>). The log is trimmed back to <see cref="WalSizeLimitBytes"/> when SQLite
/// restarts it. Applied once per physical connection: pooled connections keep their settings, and running
/// the pragmas on every logical open cost every query a round of statements.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    /// <summary>Size the write-ahead log file is trimmed back to when SQLite restarts the log.</summary>
    public const long WalSizeLimitBytes = 64L * 1024 * 1024;

    /// <summary>How long a statement waits for a lock another connection holds before it fails with SQLITE_BUSY.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    private readonly ConditionalWeakTable<object, object> _configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        // The native handle outlives the pooled SqliteConnection wrapper it is lent to.
        object identity = connection is SqliteConnection { Handle: { } handle } ? handle : connection;
        if (_configured.TryGetValue(identity, out _))
        {
            return;
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; "
                + $"PRAGMA journal_size_limit={WalSizeLimitBytes};";
            command.ExecuteNonQuery();
        }
        if (connection is SqliteConnection sqlite)
        {
            SqliteBusyHandler.Install(sqlite, BusyTimeout);
        }
        _configured.AddOrUpdate(identity, identity);
    }
}
