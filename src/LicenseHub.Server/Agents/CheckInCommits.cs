using System.Collections.Concurrent;
using LicenseHub.Data;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Agents;

/// <summary>What one check-in writes: the installation's new state and its check-in record.</summary>
internal sealed record PendingCheckIn(Installation Installation, string ProductCode, AgentReport Report, DateTimeOffset Now, ValidationCode Code)
{
    /// <summary>true: this check-in's request now writes the next batch; false: a batch that held it committed.</summary>
    public TaskCompletionSource<bool> Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for check-ins. A database takes one writer at a time, and a check-in is a small write, so
/// one transaction per check-in spends most of its time waiting for the write lock (SQLite's busy
/// handler sleeps between tries). Here one request at a time writes: every check-in that arrives
/// meanwhile queues, and the first of them then writes all queued ones in one transaction. Each request
/// still answers only after its own check-in is committed, and a check-in that fails is retried alone so
/// it cannot fail the others of its batch.
/// </summary>
internal sealed class CheckInCommits
{
    public const int MaxBatch = 256;

    // One queue per database: a process may host several (tests), and writers to one file must line up.
    private static readonly ConcurrentDictionary<string, CheckInCommits> s_byDatabase = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Queue<PendingCheckIn> _queue = new();
    private bool _writing;

    public static CheckInCommits For(LicenseHubDbContext db) =>
        s_byDatabase.GetOrAdd(db.Database.GetConnectionString() ?? "", static _ => new CheckInCommits());

    /// <summary>Returns once <paramref name="item"/> is committed; throws what its write threw.</summary>
    public async Task CommitAsync(PendingCheckIn item, LicenseHubDbContext db, UnitOfWork unitOfWork)
    {
        bool lead;
        lock (_lock)
        {
            _queue.Enqueue(item);
            lead = !_writing;
            _writing = true;
        }
        if (!lead && !await item.Signal.Task)
        {
            return;
        }

        // This request writes: its own check-in is at the head of the queue.
        Exception? own = null;
        try
        {
            List<PendingCheckIn> batch;
            lock (_lock)
            {
                batch = new List<PendingCheckIn>(Math.Min(_queue.Count, MaxBatch));
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }
            }
            var errors = await WriteAsync(batch, db, unitOfWork);
            for (var i = 0; i < batch.Count; i++)
            {
                if (ReferenceEquals(batch[i], item))
                {
                    own = errors[i];
                }
                else if (errors[i] is { } error)
                {
                    batch[i].Signal.TrySetException(error);
                }
                else
                {
                    batch[i].Signal.TrySetResult(false);
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                if (_queue.TryPeek(out var next))
                {
                    next.Signal.TrySetResult(true);
                }
                else
                {
                    _writing = false;
                }
            }
        }
        if (own is not null)
        {
            throw own;
        }
    }

    /// <summary>Writes the batch in one transaction; if that fails, each check-in on its own. Returns each one's error.</summary>
    private static async Task<Exception?[]> WriteAsync(List<PendingCheckIn> batch, LicenseHubDbContext db, UnitOfWork unitOfWork)
    {
        var errors = new Exception?[batch.Count];
        try
        {
            // Not the caller's token: the batch carries other requests' check-ins too.
            await unitOfWork.RunAsync(_ => WriteRowsAsync(batch, db), CancellationToken.None);
            return errors;
        }
        catch (Exception ex) when (batch.Count == 1)
        {
            errors[0] = ex;
            return errors;
        }
        catch (Exception)
        {
            // Fall through: find the one(s) at fault.
        }
        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                await unitOfWork.RunAsync(_ => WriteRowsAsync([batch[i]], db), CancellationToken.None);
            }
            catch (Exception ex)
            {
                errors[i] = ex;
            }
        }
        return errors;
    }

    /// <summary>
    /// Writes the batch through prepared commands (installation update, check-in insert, and the
    /// time-only update for a fingerprint mismatch when the batch has one) executed once per check-in: EF would track every row and parse one SQL
    /// statement per row, which costs more than the writes.
    /// </summary>
    private static async Task<int> WriteRowsAsync(IReadOnlyList<PendingCheckIn> batch, LicenseHubDbContext db)
    {
        await using var update = await ModelRowCommand<Installation>.UpdateAsync(db, Installation.CheckInColumns(ValidationCode.Valid),
            CancellationToken.None);
        await using var insert = await ModelRowCommand<CheckIn>.InsertAsync(db, CancellationToken.None)
            ?? throw new InvalidOperationException("Check-ins have a column only the database can fill.");
        // Prepared only for a batch that has a mismatch: most have none.
        ModelRowCommand<Installation>? updateMismatch = null;
        try
        {
            foreach (var item in batch)
            {
                // Later values win when one installation checks in twice in a batch, as they would one by one.
                var checkIn = item.Installation.RecordCheckIn(item.Report, item.ProductCode, item.Code, item.Now);
                var command = item.Code == ValidationCode.FingerprintMismatch
                    ? updateMismatch ??= await ModelRowCommand<Installation>.UpdateAsync(db, Installation.CheckInColumns(item.Code), CancellationToken.None)
                    : update;
                if (await command.ExecuteAsync(item.Installation, CancellationToken.None) == 0)
                {
                    // Released or forgotten since it was read: nothing to record against it.
                    throw new InstallationGoneException();
                }
                await insert.ExecuteAsync(checkIn, CancellationToken.None);
            }
        }
        finally
        {
            if (updateMismatch is not null)
            {
                await updateMismatch.DisposeAsync();
            }
        }
        return batch.Count;
    }
}

/// <summary>The installation was deleted between the check-in's read and its write.</summary>
internal sealed class InstallationGoneException() : Exception("The installation is no longer registered.");
