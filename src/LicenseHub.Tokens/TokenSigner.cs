using System.Buffers;

namespace LicenseHub.Tokens;

/// <summary>
/// Signs license claims as a compact JWS with header <c>{"alg":"EdDSA","kid":…,"typ":…}</c>.
/// Thread-safe: one instance can serve concurrent requests.
/// </summary>
public sealed class TokenSigner
{
    private readonly Ed25519KeyPair _key;
    private readonly byte[] _licenseHeader;
    private readonly byte[] _offlineLicenseHeader;

    /// <summary>Creates a signer for the key published under <paramref name="kid"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="kid"/> is empty.</exception>
    public TokenSigner(string kid, Ed25519KeyPair key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kid);
        ArgumentNullException.ThrowIfNull(key);
        Kid = kid;
        _key = key;
        _licenseHeader = ClaimsJson.WriteHeader(JwsCompact.Algorithm, kid, TokenTypes.License);
        _offlineLicenseHeader = ClaimsJson.WriteHeader(JwsCompact.Algorithm, kid, TokenTypes.OfflineLicense);
    }

    /// <summary>The key id written into every token's header.</summary>
    public string Kid { get; }

    /// <summary>The public key matching this signer, for publishing in the JWKS.</summary>
    public JsonWebKey PublicJsonWebKey => _key.ToJsonWebKey(Kid);

    /// <summary>Signs <paramref name="claims"/> as a token of the given <c>typ</c>.</summary>
    /// <param name="claims">The claims; times are truncated to whole seconds.</param>
    /// <param name="type">The <c>typ</c> header, usually one of <see cref="TokenTypes"/>.</param>
    public string Sign(LicenseClaims claims, string type = TokenTypes.License)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentException.ThrowIfNullOrEmpty(type);
        var header = type switch
        {
            TokenTypes.License => _licenseHeader,
            TokenTypes.OfflineLicense => _offlineLicenseHeader,
            _ => ClaimsJson.WriteHeader(JwsCompact.Algorithm, Kid, type),
        };

        var payload = new ArrayBufferWriter<byte>(384);
        ClaimsJson.WriteClaims(payload, claims);
        return JwsCompact.Sign(header, payload.WrittenSpan, _key);
    }

    /// <summary>Signs an arbitrary payload as a compact JWS of the given <c>typ</c> (e.g. audit checkpoints).</summary>
    /// <param name="payload">The bytes to sign; they travel base64url-encoded in the token.</param>
    /// <param name="type">The <c>typ</c> header.</param>
    public string SignPayload(ReadOnlySpan<byte> payload, string type)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        return JwsCompact.Sign(ClaimsJson.WriteHeader(JwsCompact.Algorithm, Kid, type), payload, _key);
    }
}
