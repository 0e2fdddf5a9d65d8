using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;

namespace LicenseHub.Tokens;

/// <summary>
/// The vendor's trust anchor: a JWKS (RFC 7517) of the root public keys (two during a root rotation) that certify
/// the license server's token-signing keys. Pinned by lh-agent and compiled into the vendor's product; a signing
/// key is trusted only when its <c>lhc</c> certificate verifies against one of these roots. Printed by
/// <c>licensehub trust export</c>. Thread-safe.
/// </summary>
public sealed class TrustAnchor
{
    /// <summary>The anchor's usual file name (<c>/etc/lh-agent/trust.json</c>).</summary>
    public const string FileName = "trust.json";

    private readonly Dictionary<string, byte[]> _roots;

    private TrustAnchor(JsonWebKeySet keys, Dictionary<string, byte[]> roots)
    {
        KeySet = keys;
        _roots = roots;
    }

    /// <summary>The root public keys, as read.</summary>
    public JsonWebKeySet KeySet { get; }

    /// <summary>The kids of the usable root keys.</summary>
    public IReadOnlyCollection<string> RootKeyIds => _roots.Keys;

    /// <summary>Reads an anchor.</summary>
    /// <exception cref="FormatException">Not a JWKS, or it holds no usable Ed25519 key.</exception>
    public static TrustAnchor Parse(string json)
    {
        var set = JsonWebKeySet.Parse(json);
        var roots = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in set.Keys)
        {
            if (!roots.ContainsKey(key.Kid ?? "") && TokenVerifier.TryReadKey(key) is { } publicKey)
            {
                roots.Add(key.Kid!, publicKey.GetEncoded());
            }
        }

        return roots.Count > 0
            ? new TrustAnchor(set, roots)
            : throw new FormatException("The trust anchor holds no Ed25519 public key (a JWKS with keys of kty OKP, crv Ed25519).");
    }

    /// <summary>An anchor of the given root keys.</summary>
    public static TrustAnchor Of(IEnumerable<JsonWebKey> roots) => Parse(new JsonWebKeySet { Keys = roots.ToList() }.ToJson());

    /// <summary>Checks the certificate (<c>lhc</c>) of a signing key against the roots.</summary>
    /// <returns>The certificate, or null with the reason in <paramref name="problem"/>.</returns>
    public KeyCertificate? Certify(JsonWebKey key, out string problem)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (TokenVerifier.TryReadKey(key) is null)
        {
            problem = "it is not an Ed25519 signing key";
            return null;
        }

        return KeyCertificate.Verify(key.Lhc, key, _roots, out problem);
    }

    /// <summary>The keys of <paramref name="signingKeys"/> whose certificates verify; the others are dropped.</summary>
    public JsonWebKeySet CertifiedKeys(JsonWebKeySet? signingKeys) => new()
    {
        Keys = (signingKeys?.Keys ?? []).Where(k => Certify(k, out _) is not null).ToList(),
    };

    /// <summary>
    /// A verifier that trusts exactly the keys of <paramref name="signingKeys"/> certified by this anchor, each only for
    /// tokens issued in its certified period. A token by an uncertified key is refused as
    /// <see cref="TokenStatus.KeyNotCertified"/>, with the reason.
    /// </summary>
    public TokenVerifier CreateVerifier(JsonWebKeySet? signingKeys)
    {
        var certified = new Dictionary<string, (Ed25519PublicKeyParameters, KeyCertificate)>(StringComparer.Ordinal);
        var uncertified = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in signingKeys?.Keys ?? [])
        {
            if (string.IsNullOrEmpty(key.Kid) || certified.ContainsKey(key.Kid))
            {
                continue;
            }

            if (Certify(key, out var problem) is { } certificate && TokenVerifier.TryReadKey(key) is { } publicKey)
            {
                certified[key.Kid] = (publicKey, certificate);
                uncertified.Remove(key.Kid);
            }
            else
            {
                uncertified.TryAdd(key.Kid, problem);
            }
        }

        return new TokenVerifier(certified, uncertified);
    }

    /// <summary>
    /// Everything a product checks of the license file lh-agent writes: the key's certificate against this anchor, the
    /// token's signature, that it is a license token for <paramref name="expectedProduct"/>, bound to this machine when
    /// <paramref name="machineId"/> is given (the content of <c>/etc/machine-id</c>), and its validity plus grace.
    /// </summary>
    public TokenVerificationResult Verify(LicenseFile license, DateTimeOffset now, string expectedProduct, string? machineId)
    {
        ArgumentNullException.ThrowIfNull(license);
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedProduct);
        if (string.IsNullOrEmpty(license.Token))
        {
            return new(TokenStatus.NoToken, license.Status is { Length: > 0 } status
                ? $"no license token: the license server answered {status}"
                : "no license token");
        }

        if (!TokenTypes.IsLicense(license.TokenType))
        {
            return new(TokenStatus.WrongType, "the license file's token_type is not a license token type");
        }

        string? fingerprint = null;
        if (machineId is not null)
        {
            if (license.GetFingerprintSalt() is not { } salt)
            {
                return new(TokenStatus.Malformed, "the license file has no valid fingerprint_salt");
            }

            fingerprint = Fingerprints.Compute(salt, machineId);
        }

        return CreateVerifier(license.Jwks).Verify(license.Token, now, license.TokenType, expectedProduct, fingerprint);
    }
}

/// <summary>The machine fingerprint a license token is bound to (claim <c>fpr</c>).</summary>
public static class Fingerprints
{
    /// <summary>Length in bytes of the per-license salt.</summary>
    public const int SaltLength = 32;

    /// <summary>
    /// HMAC-SHA256 over the trimmed machine id (UTF-8), keyed by the per-license salt, as 64 lower-case hex characters.
    /// </summary>
    /// <exception cref="ArgumentException">The salt is not 32 bytes, or the machine id is empty.</exception>
    public static string Compute(ReadOnlySpan<byte> salt, string machineId)
    {
        if (salt.Length != SaltLength)
        {
            throw new ArgumentException($"The salt is {SaltLength} bytes.", nameof(salt));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(machineId);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(machineId.Trim()), mac);
        return Convert.ToHexStringLower(mac);
    }
}
