using LicenseHub.Data;
using LicenseHub.Domain.Audit;
using LicenseHub.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Audit;

/// <summary>
/// Appends hash-chained audit events to the current unit of work, so they commit (or roll back) with
/// the change they describe. Callers hold the database write lock (an immediate transaction on SQLite)
/// while appending, which keeps the chain linear.
/// </summary>
public sealed class AuditTrail(LicenseHubDbContext db, TimeProvider clock)
{
    private AuditEvent? _last;

    public async Task AppendAsync(string actorId, string action, string objectType, string objectId, string? details = null,
        CancellationToken cancellationToken = default)
    {
        _last ??= await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence).FirstOrDefaultAsync(cancellationToken);
        var sequence = (_last?.Sequence ?? 0) + 1;
        var previousHash = _last?.Hash ?? AuditEvent.GenesisHash;
        var at = clock.Now();
        var ev = new AuditEvent
        {
            Sequence = sequence,
            At = at,
            ActorId = actorId,
            Action = action,
            ObjectType = objectType,
            ObjectId = objectId,
            Details = details,
            PreviousHash = previousHash,
            Hash = AuditEvent.ComputeHash(sequence, at, actorId, action, objectType, objectId, details, previousHash),
        };
        db.AuditEvents.Add(ev);
        _last = ev;
    }

    /// <summary>Forgets the cached chain head (after a rollback).</summary>
    public void Reset() => _last = null;

    /// <summary>Walks the whole chain and reports the first event that does not match.</summary>
    public async Task<(bool Intact, long Checked, long FirstBroken, string Problem)> VerifyAsync(CancellationToken cancellationToken)
    {
        var expectedPrevious = AuditEvent.GenesisHash;
        long expectedSequence = 0;
        long count = 0;
        var first = true;
        await foreach (var ev in db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (first)
            {
                // A retention checkpoint may have removed the oldest events: the chain then starts at the
                // first kept event, whose previous hash is trusted as the checkpoint.
                expectedPrevious = ev.PreviousHash;
                expectedSequence = ev.Sequence;
                first = false;
            }
            count++;
            if (ev.Sequence != expectedSequence)
            {
                return (false, count, expectedSequence, $"event {expectedSequence} is missing");
            }
            if (!ev.Matches(expectedPrevious))
            {
                return (false, count, ev.Sequence, $"event {ev.Sequence} does not match its hash or its predecessor");
            }
            expectedPrevious = ev.Hash;
            expectedSequence++;
        }
        return (true, count, 0, "");
    }
}
