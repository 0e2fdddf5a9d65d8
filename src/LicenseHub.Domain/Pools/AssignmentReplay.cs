using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Pools;

/// <summary>
/// An assignment made with an idempotency key, remembered for <see cref="Window"/> so that the same call, retried
/// by the same caller, gets the same licenses and the same keys instead of new ones. The keys are kept only
/// encrypted under the key-encryption key (<see cref="AssignmentReplayKey"/>) and erased with this row when the
/// window ends.
/// </summary>
public sealed class AssignmentReplay
{
    /// <summary>How long a retried assignment gets the same keys; afterwards the key makes a new assignment.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    [OperationalData, Purpose("identify the kept assignment"), Retention(Retention.AssignmentReplayWindow)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("owner"), Retention(Retention.AssignmentReplayWindow)]
    public Guid ResellerId { get; set; }

    [OperationalData, Purpose("only the caller that assigned gets the keys again (API key or staff id)"), Retention(Retention.AssignmentReplayWindow)]
    public required string ActorId { get; set; }

    [OperationalData, Purpose("exactly-once assignment"), Retention(Retention.AssignmentReplayWindow)]
    public required string IdempotencyKey { get; set; }

    [OperationalData, Purpose("pool assigned from"), Retention(Retention.AssignmentReplayWindow)]
    public Guid PoolId { get; set; }

    [TechnicalData, Purpose("refuse the key reused for another assignment (SHA-256 of the request)"), Retention(Retention.AssignmentReplayWindow)]
    public required byte[] RequestHash { get; set; }

    [OperationalData, Purpose("when the replay window ends"), Retention(Retention.AssignmentReplayWindow)]
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One key of a kept assignment, AES-256-GCM encrypted under the key-encryption key.</summary>
public sealed class AssignmentReplayKey
{
    [OperationalData, Purpose("the kept assignment"), Retention(Retention.AssignmentReplayWindow)]
    public Guid AssignmentReplayId { get; set; }

    [OperationalData, Purpose("the license's place in the answer"), Retention(Retention.AssignmentReplayWindow)]
    public int Position { get; set; }

    [OperationalData, Purpose("the license the key opens"), Retention(Retention.AssignmentReplayWindow)]
    public Guid LicenseId { get; set; }

    [SecretData, Purpose("answer a retried assignment with the same key (encrypted under the key-encryption key)"), Retention(Retention.AssignmentReplayWindow)]
    public required byte[] EncryptedKey { get; set; }
}
