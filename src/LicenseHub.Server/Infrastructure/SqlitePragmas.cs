using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LicenseHub.Server.Infrastructure;

/// <summary>
/// WAL lets readers run while one writer commits; synchronous=NORMAL is durable across process crashes in
/// WAL mode and avoids an fsync per commit. Applied once per physical connection: pooled connections keep
/// their settings, and running the pragmas on every logical open cost every query a round of statements.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
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
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
            command.ExecuteNonQuery();
        }
        _configured.AddOrUpdate(identity, identity);
    }
}
