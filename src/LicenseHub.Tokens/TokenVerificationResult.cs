namespace LicenseHub.Tokens;

/// <summary>Outcome of <see cref="TokenVerifier.Verify"/>. Each status other than <see cref="Valid"/> is a refusal.</summary>
public enum TokenStatus
{
    /// <summary>Signature, key, type, product, fingerprint and validity period all check out.</summary>
    Valid,

    /// <summary>Not three base64url parts, bad JSON, missing claims or a signature of the wrong length.</summary>
    Malformed,

    /// <summary>Longer than <see cref="TokenVerifier.MaxTokenLength"/> characters.</summary>
    TooLarge,

    /// <summary>The <c>alg</c> header is not <c>EdDSA</c> (this includes <c>none</c> and HMAC).</summary>
    UnsupportedAlgorithm,

    /// <summary>The header has no <c>kid</c>.</summary>
    MissingKeyId,

    /// <summary>The <c>kid</c> is not among the trusted keys.</summary>
    UnknownKeyId,

    /// <summary>The signature does not match the trusted key.</summary>
    BadSignature,

    /// <summary>
    /// The signing key is not certified by the trust anchor (no <c>lhc</c>, a certificate from another root, or one
    /// for another key), or the token was issued outside its key's certificate.
    /// </summary>
    KeyNotCertified,

    /// <summary>There is no token to verify: the license file records that the server refused the license.</summary>
    NoToken,

    /// <summary>The <c>typ</c> header is not the expected token type.</summary>
    WrongType,

    /// <summary>The current time is before <c>nbf</c>.</summary>
    NotYetValid,

    /// <summary>Past <c>exp</c> plus the offline grace, or past the license's own end (<c>lex</c>).</summary>
    Expired,

    /// <summary>The token is for another product.</summary>
    ProductMismatch,

    /// <summary>The token is bound to another machine.</summary>
    FingerprintMismatch,
}

/// <summary>The result of verifying a token.</summary>
public sealed class TokenVerificationResult
{
    /// <summary>Creates a result.</summary>
    public TokenVerificationResult(TokenStatus status, string reason, LicenseClaims? claims = null, bool inGrace = false)
    {
        Status = status;
        Reason = reason;
        Claims = claims;
        InGrace = inGrace;
    }

    /// <summary>What the verification concluded.</summary>
    public TokenStatus Status { get; }

    /// <summary>
    /// The claims, present whenever the signature was verified against a trusted key (also when a later
    /// check such as expiry failed), so callers can explain the refusal. Null otherwise.
    /// </summary>
    public LicenseClaims? Claims { get; }

    /// <summary>A human-readable explanation; names the check that failed.</summary>
    public string Reason { get; }

    /// <summary>True when the token is past <c>exp</c> but still within the offline grace.</summary>
    public bool InGrace { get; }

    /// <summary>The <c>typ</c> header of the token, when its signature was verified.</summary>
    public string? Type { get; init; }

    /// <summary>True when <see cref="Status"/> is <see cref="TokenStatus.Valid"/>.</summary>
    public bool IsValid => Status == TokenStatus.Valid;

    /// <inheritdoc />
    public override string ToString() => $"{Status}: {Reason}";
}
