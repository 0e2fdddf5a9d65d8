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

    private async Task<string?> CheckpointProblemAsync(AuditEvent firstKept, CancellationToken ct)
    {
        var checkpoint = await db.AuditCheckpoints.AsNoTracking().SingleOrDefaultAsync(c => c.Sequence == firstKept.Sequence - 1, ct);
        if (checkpoint is null)
        {
            return $"events before {firstKept.Sequence} were deleted without a retention checkpoint";
        }
        if (checkpoint.Hash != firstKept.PreviousHash)
        {
            return $"event {firstKept.Sequence} does not follow the retention checkpoint";
        }
        var key = await db.SigningKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Kid == checkpoint.Kid, ct);
        var expectedPayload = Privacy.RetentionJob.CheckpointPayload(checkpoint.Sequence, checkpoint.Hash);
        var parts = checkpoint.Signature.Split('.');
        if (key is null || parts.Length != 3 || !Tokens.JwsCompact.VerifySignature(checkpoint.Signature, key.PublicKey)
            || !Tokens.Base64Url.Decode(parts[1]).AsSpan().SequenceEqual(expectedPayload))
        {
            return $"the retention checkpoint at {checkpoint.Sequence} is not validly signed";
        }
        return null;
    }

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
                first = false;
                expectedSequence = 1;
                if (ev.Sequence != 1)
                {
                    // Retention removed the oldest events: the chain must start at a signed checkpoint.
                    var problem = await CheckpointProblemAsync(ev, cancellationToken);
                    if (problem is not null)
                    {
                        return (false, count + 1, ev.Sequence, problem);
                    }
                    expectedPrevious = ev.PreviousHash;
                    expectedSequence = ev.Sequence;
                }
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
