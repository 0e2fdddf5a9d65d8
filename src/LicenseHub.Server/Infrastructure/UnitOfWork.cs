using LicenseHub.Data;
using LicenseHub.Server.Audit;

namespace LicenseHub.Server.Infrastructure;

/// <summary>
/// Runs a change and its audit events in one database transaction. On SQLite the transaction starts
/// as BEGIN IMMEDIATE, so concurrent writers queue on the write lock instead of failing mid-way.
/// </summary>
public sealed class UnitOfWork(LicenseHubDbContext db, AuditTrail audit)
{
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var result = await work(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch
        {
            db.ChangeTracker.Clear();
            audit.Reset();
            throw;
        }
    }
}
