using LicenseHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Tests.Operations;

/// <summary>What the server has answered survives a crash of the machine, and erased data does not linger in the file.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private long Pragma(string name) => _factory.WithDb(db =>
    {
        var connection = db.Database.GetDbConnection();
        db.Database.OpenConnection();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {name}";
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            db.Database.CloseConnection();
        }
    });

    [SqliteOnlyFact("the pragmas are SQLite's; PostgreSQL commits synchronously by default")]
    public void EveryConnection_SyncsTheLogAtEachCommit_AndOverwritesDeletedContent()
    {
        _ = _factory.Channel;

        // 2 = FULL: a commit is on disk before it is answered (NORMAL, 1, may lose the last commits on power loss).
        Assert.Equal(2, Pragma("synchronous"));
        Assert.Equal(1, Pragma("secure_delete"));
    }
}
