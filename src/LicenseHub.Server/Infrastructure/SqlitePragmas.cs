using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LicenseHub.Server.Infrastructure;

/// <summary>
/// WAL lets readers run while one writer commits; synchronous=NORMAL is durable across process crashes in
/// WAL mode and avoids an fsync per commit.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
    }
}
