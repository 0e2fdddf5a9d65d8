using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Signing;

/// <summary>An Ed25519 token signing key. The private key is stored encrypted under the key-encryption key.</summary>
public sealed class SigningKey
{
    [OperationalData, Purpose("key id (kid) named in tokens"), Retention(Retention.SigningKeyLifetime)]
    public required string Kid { get; set; }

    [TechnicalData, Purpose("published in the JWKS for verification"), Retention(Retention.SigningKeyLifetime)]
    public required byte[] PublicKey { get; set; }

    [SecretData, Purpose("sign tokens (AES-GCM encrypted under the key-encryption key)"), Retention(Retention.SigningKeyLifetime)]
    public required byte[] EncryptedPrivateKey { get; set; }

    [OperationalData, Purpose("key lifecycle"), Retention(Retention.SigningKeyLifetime)]
    public DateTimeOffset CreatedAt { get; set; }

    [TechnicalData, Purpose("published in the JWKS (member lhc): a vendor root key's certificate for this key"), Retention(Retention.SigningKeyLifetime)]
    public string? Certificate { get; set; }

    [OperationalData, Purpose("key lifecycle: when it stopped signing"), Retention(Retention.SigningKeyLifetime)]
    public DateTimeOffset? RetiredAt { get; set; }

    [OperationalData, Purpose("keep publishing until the last token it signed expires"), Retention(Retention.SigningKeyLifetime)]
    public DateTimeOffset? LastTokenExpiresAt { get; set; }
}
