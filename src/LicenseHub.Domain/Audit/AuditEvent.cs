using System.Security.Cryptography;
using System.Text;
using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Audit;

/// <summary>
/// Who did what to which object when. Append-only and hash-chained: each event's hash covers its
/// fields and the previous event's hash, so an edited or deleted event breaks the chain.
/// </summary>
public sealed class AuditEvent
{
    [OperationalData, Purpose("order of the chain"), Retention(Retention.AuditWindow)]
    public long Sequence { get; set; }

    [OperationalData, Purpose("when"), Retention(Retention.AuditWindow)]
    public DateTimeOffset At { get; set; }

    [OperationalData, Purpose("who: API key id or staff id (never a secret)"), Retention(Retention.AuditWindow)]
    public required string ActorId { get; set; }

    [OperationalData, Purpose("what"), Retention(Retention.AuditWindow)]
    public required string Action { get; set; }

    [OperationalData, Purpose("kind of object"), Retention(Retention.AuditWindow)]
    public required string ObjectType { get; set; }

    [OperationalData, Purpose("which object"), Retention(Retention.AuditWindow)]
    public required string ObjectId { get; set; }

    [OperationalData, Purpose("non-secret facts of the change (counts, states)"), Retention(Retention.AuditWindow)]
    public string? Details { get; set; }

    [OperationalData, Purpose("tamper evidence"), Retention(Retention.AuditWindow)]
    public required string PreviousHash { get; set; }

    [OperationalData, Purpose("tamper evidence"), Retention(Retention.AuditWindow)]
    public required string Hash { get; set; }

    /// <summary>Hash of the empty chain.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The hash an event with these fields must carry.</summary>
    public static string ComputeHash(long sequence, DateTimeOffset at, string actorId, string action, string objectType,
        string objectId, string? details, string previousHash)
    {
        var canonical = string.Join('\n', sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            actorId, action, objectType, objectId, details ?? "", previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>True when the stored hash matches the fields and the given previous hash.</summary>
    public bool Matches(string expectedPreviousHash) =>
        PreviousHash == expectedPreviousHash
        && Hash == ComputeHash(Sequence, At, ActorId, Action, ObjectType, ObjectId, Details, PreviousHash);
}
