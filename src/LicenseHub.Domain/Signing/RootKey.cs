using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Signing;

/// <summary>
/// A vendor root key (Ed25519): it certifies token-signing keys, and its public part is the trust anchor that
/// lh-agent pins and the vendor's product compiles in. Either kept on the server, encrypted under the
/// key-encryption key, or kept off it by the vendor (no private part here; certificates are then imported).
/// </summary>
public sealed class RootKey
{
    [OperationalData, Purpose("key id (kid) named in key certificates"), Retention(Retention.RootKeyLifetime)]
    public required string Kid { get; set; }

    [TechnicalData, Purpose("published in the trust anchor"), Retention(Retention.RootKeyLifetime)]
    public required byte[] PublicKey { get; set; }

    [SecretData, Purpose("certify signing keys (AES-GCM encrypted under the key-encryption key); null when the vendor keeps the root off the server"),
     Retention(Retention.RootKeyLifetime)]
    public byte[]? EncryptedPrivateKey { get; set; }

    [OperationalData, Purpose("key lifecycle"), Retention(Retention.RootKeyLifetime)]
    public DateTimeOffset CreatedAt { get; set; }

    [OperationalData, Purpose("key lifecycle: when it began certifying signing keys; null while a rotation has only announced it"),
     Retention(Retention.RootKeyLifetime)]
    public DateTimeOffset? ActivatedAt { get; set; }

    [OperationalData, Purpose("key lifecycle: when it left the trust anchor"), Retention(Retention.RootKeyLifetime)]
    public DateTimeOffset? RetiredAt { get; set; }

    /// <summary>In the trust anchor: announced or active, not retired.</summary>
    public bool InAnchor => RetiredAt is null;

    /// <summary>The root that certifies new signing keys.</summary>
    public bool IsActive => ActivatedAt is not null && RetiredAt is null;
}
