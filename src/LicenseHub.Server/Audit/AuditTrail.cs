using System.Globalization;
using LicenseHub.Data;
using LicenseHub.Domain.Audit;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Audit;

/// <summary>
/// Appends hash-chained audit events to the current unit of work, so they commit (or roll back) with
/// the change they describe. Events are staged while the work runs and chained onto the head by
/// <see cref="UnitOfWork"/> as the last step before commit, under <see cref="DatabaseLocks.AuditChainAsync"/>:
/// the chain stays linear across replicas, and the lock is held only for reading the head and inserting.
/// </summary>
public sealed class AuditTrail(LicenseHubDbContext db, TimeProvider clock) : ICommitJournal
{
    private readonly List<StagedEvent> _staged = [];

    private sealed record StagedEvent(string ActorId, string Action, string ObjectType, string ObjectId, string? Details);

    public Task AppendAsync(string actorId, string action, string objectType, string objectId, string? details = null,
        CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Audit events are written with the change they describe: append inside a unit of work.");
        }
        _staged.Add(new StagedEvent(actorId, action, objectType, objectId, details));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Appends an event that carries free text (a reason, a comment). The text goes into an <see cref="AuditNote"/>
    /// about <paramref name="resellerId"/>'s account, erasable with it; the chained details hold only the note's id
    /// and salted digest, so the chain still verifies after the erasure.
    /// </summary>
    public Task AppendAsync(string actorId, string action, string objectType, string objectId, string? details,
        Guid resellerId, string? note, CancellationToken cancellationToken = default)
    {
        if (note is null)
        {
            return AppendAsync(actorId, action, objectType, objectId, details, cancellationToken);
        }
        var kept = AuditNote.Of(resellerId, note, clock.Now());
        db.AuditNotes.Add(kept);
        return AppendAsync(actorId, action, objectType, objectId, details is null ? kept.Reference : $"{details};{kept.Reference}", cancellationToken);
    }

    /// <summary>
    /// The texts of the notes these events name, by note id, for those whose note is still kept and still matches
    /// its digest in the chain. Only for vendor admins: a note is free text that may name a person, and auditors
    /// never read resellers' personal data (they see the event and its digest).
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, string>> NotesAsync(Caller caller, IEnumerable<AuditEvent> events, CancellationToken ct)
    {
        if (!PermissionPolicy.Grants(caller, Permission.VendorAdmin))
        {
            return new Dictionary<Guid, string>();
        }
        var named = events.Select(e => (Event: e, Id: AuditNote.IdIn(e.Details))).Where(x => x.Id is not null).ToList();
        if (named.Count == 0)
        {
            return new Dictionary<Guid, string>();
        }
        var ids = named.Select(x => x.Id!.Value).ToList();
        var notes = await db.AuditNotes.AsNoTracking().Where(n => ids.Contains(n.Id)).ToDictionaryAsync(n => n.Id, ct);
        var texts = new Dictionary<Guid, string>();
        foreach (var (ev, id) in named)
        {
            if (notes.TryGetValue(id!.Value, out var n) && n.MatchesReferenceIn(ev.Details))
            {
                texts[n.Id] = n.Text;
            }
        }
        return texts;
    }

    /// <summary>
    /// Chains the staged events onto the current head and adds them to the context; false when there were none.
    /// Called by <see cref="UnitOfWork"/> after the change itself is saved, so the audit lock is the last lock
    /// a transaction takes (no lock-order cycles with row locks) and is held only until the commit.
    /// </summary>
    public async Task<bool> ChainStagedAsync(CancellationToken cancellationToken)
    {
        if (_staged.Count == 0)
        {
            return false;
        }
        await DatabaseLocks.AuditChainAsync(db, cancellationToken);
        var head = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken);
        // Retention may have removed every event: the chain then continues from its signed checkpoint.
        head ??= await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Sequence)
            .Select(c => new { c.Sequence, c.Hash }).FirstOrDefaultAsync(cancellationToken);
        var sequence = head?.Sequence ?? 0;
        var previousHash = head?.Hash ?? AuditEvent.GenesisHash;
        var at = clock.Now();
        foreach (var staged in _staged)
        {
            sequence++;
            var ev = new AuditEvent
            {
                Sequence = sequence,
                At = at,
                ActorId = staged.ActorId,
                Action = staged.Action,
                ObjectType = staged.ObjectType,
                ObjectId = staged.ObjectId,
                Details = staged.Details,
                PreviousHash = previousHash,
                Hash = AuditEvent.ComputeHash(sequence, at, staged.ActorId, staged.Action, staged.ObjectType, staged.ObjectId, staged.Details, previousHash),
            };
            db.AuditEvents.Add(ev);
            previousHash = ev.Hash;
        }
        _staged.Clear();
        return true;
    }

    /// <summary>Forgets staged events (after a rollback).</summary>
    public void Reset() => _staged.Clear();

    /// <summary>Newest first, keyset-paged on the sequence; optionally the events of one object.</summary>
    public Task<(IReadOnlyList<AuditEvent> Items, string Next)> ListAsync(Caller caller, int pageSize, string? pageToken, string? objectId,
        CancellationToken ct) => ListAsync(caller, pageSize, pageToken, new AuditFilter(ObjectId: objectId), ct);

    /// <summary>
    /// Newest first, keyset-paged on the sequence, narrowed by object, action, actor and a range of days (UTC,
    /// both ends included). Every filter is checked before the query; a wrong one is refused, naming its field.
    /// </summary>
    public async Task<(IReadOnlyList<AuditEvent> Items, string Next)> ListAsync(Caller caller, int pageSize, string? pageToken, AuditFilter filter,
        CancellationToken ct)
    {
        var v = new Validator();
        var size = PageSpec.ValidSize(v, pageSize);
        // The sequence, not an id: events are ordered by it, and the chain is verified along it.
        long after = long.MaxValue;
        if (!string.IsNullOrEmpty(pageToken) && !long.TryParse(pageToken, out after))
        {
            PageSpec.RejectToken(v);
        }
        var validObjectId = v.OptionalText("object_id", filter.ObjectId, 64);
        var action = string.IsNullOrWhiteSpace(filter.Action) ? null : filter.Action.Trim();
        if (action is not null && !AuditActions.Known.Contains(action, StringComparer.Ordinal))
        {
            v.Fail("action", "is not an action of the audit trail; choose one from the list");
        }
        var actors = AuditActors.Parse(v, filter.Actor);
        var from = Day(v, "from_date", filter.From);
        var to = Day(v, "to_date", filter.To);
        if (from is not null && to is not null && to < from)
        {
            v.Fail("to_date", "must be on or after the from date");
        }
        v.ThrowIfInvalid();
        var query = db.AuditEvents.AsNoTracking().Where(e => e.Sequence < after);
        if (validObjectId is not null)
        {
            query = query.Where(e => e.ObjectId == validObjectId);
        }
        if (action is not null)
        {
            query = query.Where(e => e.Action == action);
        }
        if (actors is not null)
        {
            query = query.Where(e => actors.Contains(e.ActorId));
        }
        if (from is { } first)
        {
            var since = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(e => e.At >= since);
        }
        if (to is { } last)
        {
            var until = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(e => e.At < until);
        }
        var events = await query.OrderByDescending(e => e.Sequence).Take(size + 1).ToListAsync(ct);
        return PageSpec.Cut(events, size, last => last.Sequence.ToString(CultureInfo.InvariantCulture));
    }

    private static DateOnly? Day(Validator v, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            v.Fail(field, "must be a date written as yyyy-mm-dd, e.g. 2026-01-31");
            return null;
        }
        return day;
    }

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
        var expectedPayload = Domain.Privacy.AuditCheckpoint.SignedPayload(checkpoint.Sequence, checkpoint.Hash);
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
        long expectedSequence = 1;
        long count = 0;
        // Checked before the walk: one connection runs one command at a time (PostgreSQL has no MARS).
        var firstKept = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).FirstOrDefaultAsync(cancellationToken);
        if (firstKept is not null && firstKept.Sequence != 1)
        {
            // Retention removed the oldest events: the chain must start at a signed checkpoint.
            var problem = await CheckpointProblemAsync(firstKept, cancellationToken);
            if (problem is not null)
            {
                return (false, 1, firstKept.Sequence, problem);
            }
            expectedPrevious = firstKept.PreviousHash;
            expectedSequence = firstKept.Sequence;
        }
        await foreach (var ev in db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
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
