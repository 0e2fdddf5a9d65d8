using System.Collections.Concurrent;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Events;
using LicenseHub.Domain.Events;
using LicenseHub.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Agents;

/// <summary>
/// What one check-in writes: the installation's new state and its check-in record. <see cref="Code"/> is the
/// answer of the license checks; the ticket is decided when the row is written (<see cref="Answer"/>).
/// </summary>
/// <param name="PresentedTicketHash">SHA-256 of the ticket the agent presented; null when it sent none.</param>
/// <param name="NextTicketHash">SHA-256 of the ticket a VALID answer hands out.</param>
/// <param name="Token">The token a VALID answer carries (signed before the write, so that it is kept with it); null for other answers.</param>
/// <param name="Counted">Counted in the anonymous statistics: false when the license's reseller restricted processing.</param>
internal sealed record PendingCheckIn(Installation Installation, string ProductCode, AgentReport Report, DateTimeOffset Now, ValidationCode Code,
    byte[]? PresentedTicketHash, byte[] NextTicketHash, CheckInToken? Token, bool Counted)
{
    /// <summary>The installation's last check-in as the check-in read it: the first of a day counts the installation.</summary>
    public DateTimeOffset PreviousCheckInAt { get; } = Installation.LastCheckInAt;

    /// <summary>The credential and ticket columns as the check-in read them.</summary>
    public CheckInTicketState ReadState { get; } = Installation.TicketState();

    /// <summary>The answer as committed: <see cref="Code"/>, or CLONE_SUSPECTED when the ticket came from a copy.</summary>
    public ValidationCode Answer { get; set; } = Code;

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
/// <para>
/// No lock is taken for a check-in, so two copies of one installation may check in at once, each having read
/// the same ticket. The ticket is therefore decided here, as each row is written: the update is conditional on
/// the credential and ticket columns the check-in read (<see cref="Installation.TicketGuardColumns"/>), and when
/// another check-in changed them first (one of this batch, or on PostgreSQL another replica's) the columns are
/// read again and the ticket decided anew, so neither copy's ticket is lost unnoticed.
/// </para>
/// </summary>
internal sealed class CheckInCommits
{
    public const int MaxBatch = 256;

    /// <summary>Decisions of one check-in undone by others changing its row first, before it gives up.</summary>
    private const int MaxTicketAttempts = 8;

    // One queue per database: a process may host several (tests), and writers to one file must line up.
    private static readonly ConcurrentDictionary<string, CheckInCommits> s_byDatabase = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Queue<PendingCheckIn> _queue = new();
    private bool _writing;

    public static CheckInCommits For(LicenseHubDbContext db) =>
        s_byDatabase.GetOrAdd(db.Database.GetConnectionString() ?? "", static _ => new CheckInCommits());

    /// <summary>Returns once <paramref name="item"/> is committed; throws what its write threw.</summary>
    public async Task CommitAsync(PendingCheckIn item, LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, EventOutbox events)
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
            var errors = await WriteAsync(batch, db, unitOfWork, audit, events);
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
    private static async Task<Exception?[]> WriteAsync(List<PendingCheckIn> batch, LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, EventOutbox events)
    {
        var errors = new Exception?[batch.Count];
        try
        {
            // Not the caller's token: the batch carries other requests' check-ins too.
            await unitOfWork.RunAsync(_ => WriteRowsAsync(batch, db, audit, events), CancellationToken.None);
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
                await unitOfWork.RunAsync(_ => WriteRowsAsync([batch[i]], db, audit, events), CancellationToken.None);
            }
            catch (Exception ex)
            {
                errors[i] = ex;
            }
        }
        return errors;
    }

    /// <summary>
    /// Writes the batch through prepared commands (installation update, and the time-only update for a fingerprint
    /// mismatch when the batch has one) executed once per check-in: EF would track every row and parse one SQL
    /// statement per row, which costs more than the writes. A VALID check-in is only counted (one upsert per group
    /// of the batch); any other answer also leaves a raw row as evidence. A suspicion raised here is audited in the
    /// same transaction.
    /// </summary>
    private static async Task<int> WriteRowsAsync(IReadOnlyList<PendingCheckIn> batch, LicenseHubDbContext db, AuditTrail audit, EventOutbox events)
    {
        await using var update = await ModelRowCommand<Installation>.UpdateAsync(db, Installation.CheckInColumns(ValidationCode.Valid),
            CancellationToken.None, Installation.TicketGuardColumns);
        // Prepared only for a batch that needs them: most have only VALID answers.
        ModelRowCommand<CheckIn>? insert = null;
        ModelRowCommand<Installation>? updateMismatch = null;
        var tally = new Privacy.DailyCheckInTally();
        try
        {
            foreach (var item in batch)
            {
                // Decided from what the check-in read, also when an earlier attempt of this batch rolled back.
                var state = item.ReadState;
                for (var attempt = 1; ; attempt++)
                {
                    item.Installation.RestoreTicketState(state);
                    var answer = item.Installation.PresentTicket(item.PresentedTicketHash, item.Code, item.NextTicketHash, item.Now);
                    if (answer == ValidationCode.Valid)
                    {
                        // Kept with the check-in it answers: every replica answers the next one from the database.
                        item.Token?.KeepOn(item.Installation);
                    }
                    // Later values win when one installation checks in twice in a batch, as they would one by one.
                    var checkIn = item.Installation.RecordCheckIn(item.Report, item.ProductCode, answer, item.Now);
                    var written = answer == ValidationCode.FingerprintMismatch
                        // Only the check-in time, and no ticket: nothing another check-in's decision could undo.
                        ? await (updateMismatch ??= await ModelRowCommand<Installation>.UpdateAsync(db, Installation.CheckInColumns(answer),
                            CancellationToken.None)).ExecuteAsync(item.Installation, CancellationToken.None)
                        : await update.ExecuteAsync(item.Installation, state.GuardValues(), CancellationToken.None);
                    if (written == 1)
                    {
                        item.Answer = answer;
                        if (answer != ValidationCode.Valid)
                        {
                            insert ??= await ModelRowCommand<CheckIn>.InsertAsync(db, CancellationToken.None)
                                ?? throw new InvalidOperationException("Check-ins have a column only the database can fill.");
                            await insert.ExecuteAsync(checkIn, CancellationToken.None);
                        }
                        if (item.Counted)
                        {
                            tally.Add(checkIn, Privacy.DailyCheckInTally.FirstOfDay(item.PreviousCheckInAt, item.Now));
                        }
                        if (answer == ValidationCode.CloneSuspected && state.CloneSuspectedAt is null)
                        {
                            await audit.AppendAsync("agent", "installation.clone_suspected", "installation", item.Installation.Id.ToString(),
                                $"license={item.Installation.LicenseId}", CancellationToken.None);
                            var resellerId = await db.Licenses.Where(l => l.Id == item.Installation.LicenseId).Select(l => l.ResellerId)
                                .SingleAsync(CancellationToken.None);
                            events.Installation(EventTypes.InstallationCloneSuspected, resellerId, item.Installation.LicenseId, item.Installation.Id);
                        }
                        break;
                    }

                    // Released or forgotten since it was read: nothing to record against it. Otherwise another
                    // check-in changed the ticket first.
                    state = await LoadTicketState(db, item.Installation.Id, CancellationToken.None) ?? throw new InstallationGoneException();
                    if (!state.SecretHash.AsSpan().SequenceEqual(item.ReadState.SecretHash))
                    {
                        // Activated again or re-activated by the reseller meanwhile: the presented credential is no longer it.
                        throw new UnauthenticatedException("The installation credential is not valid; activate again.");
                    }
                    if (attempt == MaxTicketAttempts)
                    {
                        throw new InvalidOperationException($"Installation {item.Installation.Id} kept changing under its check-in.");
                    }
                }
            }
        }
        finally
        {
            if (updateMismatch is not null)
            {
                await updateMismatch.DisposeAsync();
            }
            if (insert is not null)
            {
                await insert.DisposeAsync();
            }
        }
        await tally.WriteAsync(db, CancellationToken.None);
        return batch.Count;
    }

    // Only when a conditional update found the row changed: the batch's transaction sees what the other check-in committed.
    private static readonly Func<LicenseHubDbContext, Guid, CancellationToken, Task<CheckInTicketState?>> LoadTicketState =
        EF.CompileAsyncQuery((LicenseHubDbContext context, Guid id, CancellationToken _) =>
            context.Installations.AsNoTracking()
                .Where(i => i.Id == id)
                .Select(i => new CheckInTicketState(i.SecretHash, i.CheckInTicketHash, i.PreviousCheckInTicketHash, i.CheckInTicketPresented,
                    i.CloneSuspectedAt))
                .FirstOrDefault());
}

/// <summary>The installation was deleted between the check-in's read and its write.</summary>
internal sealed class InstallationGoneException() : Exception("The installation is no longer registered.");
