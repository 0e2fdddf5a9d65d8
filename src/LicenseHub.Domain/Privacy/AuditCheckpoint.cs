using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Privacy;

/// <summary>
/// Left behind when retention deletes old audit events: the hash of the last deleted event, signed
/// by the server's signing key, so the remaining chain still verifies from a trusted starting point.
/// </summary>
public sealed class AuditCheckpoint
{
    [OperationalData, Purpose("sequence of the last deleted audit event"), Retention(Retention.AuditWindow)]
    public long Sequence { get; set; }

    [OperationalData, Purpose("hash of the last deleted audit event"), Retention(Retention.AuditWindow)]
    public required string Hash { get; set; }

    [OperationalData, Purpose("when the checkpoint was made"), Retention(Retention.AuditWindow)]
    public DateTimeOffset At { get; set; }

    [OperationalData, Purpose("signing key that signed the checkpoint"), Retention(Retention.AuditWindow)]
    public required string Kid { get; set; }

    [OperationalData, Purpose("compact JWS (EdDSA) over sequence and hash (tamper evidence)"), Retention(Retention.AuditWindow)]
    public required string Signature { get; set; }

    /// <summary>What <see cref="Signature"/> signs: the sequence and hash of the last deleted event, in one fixed form.</summary>
    public static byte[] SignedPayload(long sequence, string hash) =>
        System.Text.Encoding.UTF8.GetBytes($"licensehub-audit-checkpoint:{sequence}:{hash}");
}
