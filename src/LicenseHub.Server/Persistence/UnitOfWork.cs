using LicenseHub.Data;

namespace LicenseHub.Server.Persistence;

/// <summary>
/// Runs a change and its audit events in one database transaction, the one place transactions start.
/// On SQLite the transaction starts as BEGIN IMMEDIATE, so concurrent writers queue on the write lock
/// instead of failing mid-way. On PostgreSQL (READ COMMITTED) writers run side by side; the work takes
/// the row locks it needs (<see cref="DatabaseLocks"/>), and the audit events are chained last, under the
/// audit-chain lock, just before the commit.
/// </summary>
/// <remarks>
/// The event outbox and the audit trail join through <see cref="ICommitJournal"/>: persistence is below every
/// feature, so it knows only that something must be written last, not what.
/// </remarks>
public sealed class UnitOfWork(LicenseHubDbContext db, IEnumerable<ICommitJournal> journals, StorageHealth storage, DatabaseFileWatch file)
{
    private readonly ICommitJournal[] _journals = journals.ToArray();

    /// <exception cref="StorageUnavailableException">The storage itself failed (full disk, read-only, unreachable, the file gone).</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        // A syscall per write: a commit to a deleted file would be acknowledged and lost.
        if (file.Problem() is { } gone)
        {
            storage.Failed(gone);
            throw new StorageUnavailableException(gone, null);
        }
        try
        {
            var result = await RunCoreAsync(work, cancellationToken);
            storage.Succeeded();
            return result;
        }
        catch (Exception ex) when (StorageHealth.CauseOf(ex) is { } cause)
        {
            storage.Failed(cause);
            throw new StorageUnavailableException(cause, ex);
        }
    }

    private async Task<T> RunCoreAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        Reset();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var result = await work(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            foreach (var journal in _journals)
            {
                if (await journal.ChainStagedAsync(cancellationToken))
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
            }
            await transaction.CommitAsync(cancellationToken);
            foreach (var journal in _journals)
            {
                journal.Committed();
            }
            return result;
        }
        catch
        {
            db.ChangeTracker.Clear();
            Reset();
            throw;
        }
    }

    private void Reset()
    {
        foreach (var journal in _journals)
        {
            journal.Reset();
        }
    }
}

/// <summary>Rows a unit of work writes after the change and before the commit (the event outbox, the audit chain).</summary>
public interface ICommitJournal
{
    /// <summary>Forgets what was staged (a new unit of work, or a rollback).</summary>
    void Reset();

    /// <summary>Adds the staged rows to the context; false when there were none.</summary>
    Task<bool> ChainStagedAsync(CancellationToken cancellationToken);

    /// <summary>The transaction committed what was staged.</summary>
    void Committed() { }
}
