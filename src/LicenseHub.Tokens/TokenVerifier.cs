using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using Org.BouncyCastle.Crypto.Parameters;

namespace LicenseHub.Tokens;

/// <summary>
/// Verifies license tokens offline against a set of trusted public keys. The decoded public key of each
/// <c>kid</c> is kept, so a verification costs one Ed25519 verify plus a small JSON parse. Thread-safe.
/// </summary>
public sealed class TokenVerifier
{
    /// <summary>Tokens longer than this many characters are refused before any parsing.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private const int MaxHeaderLength = 1024;

    private readonly FrozenDictionary<string, Ed25519PublicKeyParameters> _keys;

    // Set when built by a TrustAnchor: each trusted key's certificate, and why the other keys were not trusted.
    private readonly FrozenDictionary<string, KeyCertificate>? _certificates;
    private readonly FrozenDictionary<string, string>? _uncertified;

    /// <summary>Trusts the Ed25519 signing keys of <paramref name="trustedKeys"/>.</summary>
    public TokenVerifier(JsonWebKeySet trustedKeys)
        : this((trustedKeys ?? throw new ArgumentNullException(nameof(trustedKeys))).Keys)
    {
    }

    /// <summary>
    /// Trusts the Ed25519 signing keys among <paramref name="trustedKeys"/>. As RFC 7517 §5 asks, keys of
    /// other types, with missing members or an invalid <c>x</c> are ignored; when a kid repeats, the first
    /// key wins.
    /// </summary>
    public TokenVerifier(IEnumerable<JsonWebKey> trustedKeys)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        var keys = new Dictionary<string, Ed25519PublicKeyParameters>(StringComparer.Ordinal);
        foreach (var jwk in trustedKeys)
        {
            if (jwk is not null && !keys.ContainsKey(jwk.Kid ?? "") && TryReadKey(jwk) is { } key)
            {
                keys.Add(jwk.Kid!, key);
            }
        }

        _keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>A verifier that trusts only certified keys (built by <see cref="TrustAnchor.CreateVerifier"/>).</summary>
    internal TokenVerifier(
        Dictionary<string, (Ed25519PublicKeyParameters Key, KeyCertificate Certificate)> certified,
        Dictionary<string, string> uncertified)
    {
        _keys = certified.ToFrozenDictionary(p => p.Key, p => p.Value.Key, StringComparer.Ordinal);
        _certificates = certified.ToFrozenDictionary(p => p.Key, p => p.Value.Certificate, StringComparer.Ordinal);
        _uncertified = uncertified.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The public key of an Ed25519 signing JWK, or null when the JWK is not one (RFC 7517 §5: ignored).</summary>
    internal static Ed25519PublicKeyParameters? TryReadKey(JsonWebKey jwk)
    {
        if (!jwk.IsEd25519SigningKey || string.IsNullOrEmpty(jwk.Kid) || jwk.X is not { Length: 43 })
        {
            return null;
        }

        Span<byte> x = stackalloc byte[Ed25519KeyPair.PublicKeyLength];
        if (!Base64Url.TryDecode(jwk.X, x, out _))
        {
            return null;
        }

        try
        {
            return new Ed25519PublicKeyParameters(x);
        }
        catch (ArgumentException)
        {
            // Not a point on the curve.
            return null;
        }
    }

    /// <summary>The key ids this verifier trusts.</summary>
    public IReadOnlyCollection<string> TrustedKeyIds => _keys.Keys;

    /// <summary>
    /// The one tolerance for clock drift between the license server and a machine: on <c>nbf</c>, on a token's
    /// <c>iat</c> against its key's certificate, and (in lh-agent) on a clock that seems set back. Five minutes.
    /// </summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    /// <summary>How far <c>nbf</c> may lie in the future and still be accepted. Default <see cref="ClockTolerance"/>.</summary>
    public TimeSpan NotBeforeTolerance { get; init; } = ClockTolerance;

    /// <summary>Verifies a compact JWS license token.</summary>
    /// <param name="token">The token text.</param>
    /// <param name="now">The current time.</param>
    /// <param name="expectedType">Required <c>typ</c> header; null accepts any type.</param>
    /// <param name="expectedProduct">Required product code; null skips the check.</param>
    /// <param name="expectedFingerprint">Required machine fingerprint; null skips the check.</param>
    public TokenVerificationResult Verify(
        string token,
        DateTimeOffset now,
        string? expectedType = TokenTypes.License,
        string? expectedProduct = null,
        string? expectedFingerprint = null)
    {
        if (token is null)
        {
            return Fail(TokenStatus.Malformed, "token is missing");
        }

        if (token.Length > MaxTokenLength)
        {
            return Fail(TokenStatus.TooLarge, $"token is {token.Length} characters; at most {MaxTokenLength} are accepted");
        }

        if (JwsCompact.Split(token, out var parts) is { } splitError)
        {
            return Fail(TokenStatus.Malformed, splitError);
        }

        var headerText = parts.Header(token);
        if (headerText.Length > MaxHeaderLength)
        {
            return Fail(TokenStatus.Malformed, "header is too long");
        }

        var signatureText = parts.Signature(token);
        var payloadText = parts.Payload(token);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHeaderLength + MaxTokenLength);
        try
        {
            var headerBytes = buffer.AsSpan(0, MaxHeaderLength);
            if (!Base64Url.TryDecode(headerText, headerBytes, out var headerLength))
            {
                return Fail(TokenStatus.Malformed, "header is not base64url");
            }

            if (ClaimsJson.TryReadHeader(headerBytes[..headerLength], out var header) is { } headerError)
            {
                return Fail(TokenStatus.Malformed, headerError);
            }

            if (header.Alg is null)
            {
                return Fail(TokenStatus.UnsupportedAlgorithm, "header has no 'alg'; only EdDSA is accepted");
            }

            if (header.Alg != JwsCompact.Algorithm)
            {
                return Fail(TokenStatus.UnsupportedAlgorithm, $"algorithm '{Printable(header.Alg)}' is not accepted; only EdDSA is");
            }

            if (string.IsNullOrEmpty(header.Kid))
            {
                return Fail(TokenStatus.MissingKeyId, "header has no 'kid'");
            }

            if (!_keys.TryGetValue(header.Kid, out var publicKey))
            {
                return _uncertified is not null && _uncertified.TryGetValue(header.Kid, out var why)
                    ? Fail(TokenStatus.KeyNotCertified, $"key '{Printable(header.Kid)}' is not certified by the trust anchor: {why}")
                    : Fail(TokenStatus.UnknownKeyId, _uncertified is null
                        ? $"key id '{Printable(header.Kid)}' is not trusted"
                        : $"key id '{Printable(header.Kid)}' is not among the signing keys (refresh them from the license server)");
            }

            Span<byte> signature = stackalloc byte[JwsCompact.SignatureLength];
            if (Base64Url.GetDecodedLength(signatureText.Length) != JwsCompact.SignatureLength
                || !Base64Url.TryDecode(signatureText, signature, out _))
            {
                return Fail(TokenStatus.Malformed, "signature is not 64 bytes of base64url");
            }

            var payloadBytes = buffer.AsSpan(MaxHeaderLength, MaxTokenLength);
            if (!Base64Url.TryDecode(payloadText, payloadBytes, out var payloadLength))
            {
                return Fail(TokenStatus.Malformed, "payload is not base64url");
            }

            // Header and payload decoded above, so the signing input is known to be base64url text.
            if (!JwsCompact.VerifyDecoded(token, parts, signature, publicKey))
            {
                return Fail(TokenStatus.BadSignature, $"signature does not match key '{header.Kid}'");
            }

            // Only authenticated bytes are interpreted from here on.
            if (ClaimsJson.TryReadClaims(payloadBytes[..payloadLength], out var claims) is { } claimsError)
            {
                return Fail(TokenStatus.Malformed, claimsError);
            }

            if (_certificates is not null && _certificates.TryGetValue(header.Kid, out var certificate) && !certificate.Covers(claims!.IssuedAt))
            {
                return new(TokenStatus.KeyNotCertified,
                    $"token was issued at {Format(claims.IssuedAt)}, outside the period its key '{header.Kid}' is certified for ({Format(certificate.IssuedAt)} to {Format(certificate.ExpiresAt)})",
                    claims) { Type = header.Typ };
            }

            return CheckClaims(claims!, header.Typ, now, expectedType, expectedProduct, expectedFingerprint);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Verifies a refusal's signed status (<see cref="TokenTypes.Status"/>): an EdDSA signature by one of the trusted
    /// keys (issued inside its certified period when built by a trust anchor), not expired and not issued in the future,
    /// a short validity, and that it concerns <paramref name="expected"/>: the same code, installation, license,
    /// fingerprint and nonce.
    /// </summary>
    /// <param name="status">The compact JWS; null or empty when the refusal carried none.</param>
    /// <param name="now">The current time.</param>
    /// <param name="expected">The request answered and the refusal as stated.</param>
    public StatusVerificationResult VerifyStatus(string? status, DateTimeOffset now, ExpectedStatus expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        static StatusVerificationResult No(string reason) => new(null, reason);

        if (string.IsNullOrEmpty(status))
        {
            return No("it carries no signed status");
        }

        if (status.Length > SignedStatus.MaxLength || JwsCompact.Split(status, out var parts) is not null
            || parts.Header(status).Length > MaxHeaderLength)
        {
            return No("its status is not a compact JWS");
        }

        Span<byte> headerBytes = stackalloc byte[MaxHeaderLength];
        if (!Base64Url.TryDecode(parts.Header(status), headerBytes, out var headerLength)
            || ClaimsJson.TryReadHeader(headerBytes[..headerLength], out var header) is not null)
        {
            return No("its status has an unreadable header");
        }

        if (header.Alg != JwsCompact.Algorithm || header.Typ != TokenTypes.Status)
        {
            return No($"its status is not an EdDSA '{TokenTypes.Status}'");
        }

        if (string.IsNullOrEmpty(header.Kid) || !_keys.TryGetValue(header.Kid, out var publicKey))
        {
            return No(header.Kid is not null && _uncertified is not null && _uncertified.TryGetValue(header.Kid, out var why)
                ? $"its status is signed by key '{Printable(header.Kid)}', which the trust anchor does not certify: {why}"
                : $"its status is signed by key '{Printable(header.Kid ?? "")}', which is not a trusted signing key");
        }

        if (!JwsCompact.VerifySignature(status, parts, publicKey))
        {
            return No($"its status's signature does not match key '{header.Kid}'");
        }

        var payload = new byte[Base64Url.GetDecodedLength(parts.Payload(status).Length)];
        if (!Base64Url.TryDecode(parts.Payload(status), payload, out var payloadLength)
            || SignedStatus.Read(payload.AsSpan(0, payloadLength)) is not { } signed)
        {
            return No("its status's payload is not a status");
        }

        if (_certificates is not null && _certificates.TryGetValue(header.Kid, out var certificate) && !certificate.Covers(signed.IssuedAt))
        {
            return No($"its status was issued at {Format(signed.IssuedAt)}, outside the period its key '{header.Kid}' is certified for");
        }

        if (signed.ExpiresAt - signed.IssuedAt > SignedStatus.MaxLifetime || signed.ExpiresAt < signed.IssuedAt)
        {
            return No("its status claims a validity longer than a status may have");
        }

        if (now + ClockTolerance < signed.IssuedAt)
        {
            return No($"its status is issued in the future ({Format(signed.IssuedAt)})");
        }

        if (now >= signed.ExpiresAt + ClockTolerance)
        {
            return No($"its status expired at {Format(signed.ExpiresAt)}");
        }

        if (signed.Code != expected.Code)
        {
            return No($"its status says '{Printable(signed.Code)}', not '{expected.Code}'");
        }

        if (signed.InstallationId != expected.InstallationId || (expected.LicenseId is not null && signed.LicenseId is not null && signed.LicenseId != expected.LicenseId))
        {
            return No("its status concerns another installation");
        }

        if (expected.Code == "UNAUTHENTICATED"
            && (signed.Credential is null || expected.Credential is null || signed.Credential != SignedStatus.CredentialOf(expected.Credential)))
        {
            return No("its status refuses another credential than the one this machine presented");
        }

        if (signed.Fingerprint != expected.Fingerprint)
        {
            return No("its status concerns another machine (fingerprint mismatch)");
        }

        if (signed.Nonce != expected.Nonce)
        {
            return No("its status answers another request (nonce mismatch): a replay");
        }

        return new(signed, $"signed by key '{header.Kid}' at {Format(signed.IssuedAt)}");
    }

    private TokenVerificationResult CheckClaims(
        LicenseClaims claims,
        string? type,
        DateTimeOffset now,
        string? expectedType,
        string? expectedProduct,
        string? expectedFingerprint)
    {
        TokenVerificationResult Refuse(TokenStatus status, string reason) => new(status, reason, claims) { Type = type };

        if (expectedType is not null && type != expectedType)
        {
            return Refuse(TokenStatus.WrongType, $"token type is '{Printable(type ?? "(none)")}', expected '{expectedType}'");
        }

        if (expectedProduct is not null && claims.Product != expectedProduct)
        {
            return Refuse(TokenStatus.ProductMismatch, $"token is for product '{Printable(claims.Product)}', expected '{expectedProduct}'");
        }

        if (expectedFingerprint is not null && claims.Fingerprint != expectedFingerprint)
        {
            return Refuse(TokenStatus.FingerprintMismatch, "token is bound to another machine (fingerprint mismatch)");
        }

        if (now + NotBeforeTolerance < claims.NotBefore)
        {
            return Refuse(TokenStatus.NotYetValid, $"token is not valid before {Format(claims.NotBefore)}");
        }

        if (claims.LicenseExpiresAt is { } licenseEnd && now >= licenseEnd)
        {
            return Refuse(TokenStatus.Expired, $"license expired at {Format(licenseEnd)}");
        }

        if (now < claims.ExpiresAt)
        {
            return new(TokenStatus.Valid, $"valid until {Format(claims.ExpiresAt)}", claims) { Type = type };
        }

        var graceEnd = claims.ExpiresAt.AddSeconds(Math.Max(0, claims.OfflineGraceSeconds));
        if (now < graceEnd)
        {
            return new(TokenStatus.Valid, $"token expired at {Format(claims.ExpiresAt)}; valid in offline grace until {Format(graceEnd)}", claims, inGrace: true)
            {
                Type = type,
            };
        }

        return Refuse(TokenStatus.Expired, claims.OfflineGraceSeconds > 0
            ? $"token expired at {Format(claims.ExpiresAt)} and its offline grace ended at {Format(graceEnd)}"
            : $"token expired at {Format(claims.ExpiresAt)}");
    }

    private static TokenVerificationResult Fail(TokenStatus status, string reason) => new(status, reason);

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Header values come from an untrusted token; keep what goes into messages and logs short and plain.
    private static string Printable(string value)
    {
        var shortened = value.Length > 64 ? value[..64] + "…" : value;
        return string.Create(shortened.Length, shortened, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
