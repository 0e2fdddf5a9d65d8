using LicenseHub.Data;
using LicenseHub.Data.Sqlite;
using LicenseHub.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseHub.Tests.Operations;

/// <summary>
/// A connection that finds the write lock taken retries every millisecond (SQLite's own handler sleeps
/// 1, 2, 5 … 100 ms between tries, which made the check-in latency tail), gets the lock as soon as it is
/// free, and gives up with SQLITE_BUSY after its timeout.
/// </summary>
public sealed class SqliteBusyHandlerTests : IDisposable
{
    private const int SqliteBusy = 5;
    private readonly string _directory = Directory.CreateTempSubdirectory("lh-busy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Waiter_RetriesEveryMillisecond_AndGetsTheLockOnceReleased()
    {
        using var holder = Open("hold.db");
        using var waiter = Open("hold.db");
        SqliteBusyHandler.Install(waiter, TimeSpan.FromSeconds(10));
        Execute(holder, "CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");

        var retriesBefore = SqliteBusyHandler.Retries;
        var release = Task.Run(async () =>
        {
            await Task.Delay(60);
            Execute(holder, "COMMIT;");
        });
        Execute(waiter, "BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT;");
        await release;

        // Held for at least 60 ms: SQLite's own handler tries 7 times in that span, this one about once a millisecond.
        Assert.True(SqliteBusyHandler.Retries - retriesBefore >= 20, $"only {SqliteBusyHandler.Retries - retriesBefore} retries");
        Assert.Equal(2L, Scalar(waiter, "SELECT count(*) FROM t"));
    }

    [Fact]
    public void Waiter_GivesUpWithBusy_AfterItsTimeout()
    {
        using var holder = Open("busy.db");
        using var waiter = Open("busy.db");
        SqliteBusyHandler.Install(waiter, TimeSpan.FromMilliseconds(30));
        Execute(holder, "CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");

        using var command = waiter.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE;";
        // Microsoft.Data.Sqlite retries a busy statement itself until the command timeout: keep that short.
        command.CommandTimeout = 1;
        var error = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
        Assert.Equal(SqliteBusy, error.SqliteErrorCode);
    }

    [SqliteOnlyFact("the busy handler is SQLite's")]
    public async Task ServerConnections_WaitForTheWriteLockThroughTheHandler()
    {
        using var factory = new LicenseHubFactory();
        _ = factory.Server;
        using var first = factory.Services.CreateScope();
        using var second = factory.Services.CreateScope();
        var holder = first.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        var waiter = second.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        await waiter.Database.OpenConnectionAsync();

        var retriesBefore = SqliteBusyHandler.Retries;
        await using (var transaction = await holder.Database.BeginTransactionAsync())
        {
            var write = Task.Run(async () =>
            {
                await using var blocked = await waiter.Database.BeginTransactionAsync();
                await blocked.CommitAsync();
            });
            await Task.Delay(60);
            Assert.False(write.IsCompleted, "the second writer did not wait for the first");
            await transaction.CommitAsync();
            await write;
        }
        Assert.True(SqliteBusyHandler.Retries - retriesBefore >= 20, $"only {SqliteBusyHandler.Retries - retriesBefore} retries");
    }

    private SqliteConnection Open(string name)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, name)};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }
}
