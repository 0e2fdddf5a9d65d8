namespace LicenseHub.Tokens;

/// <summary>
/// The claims of a license token. Technical and pseudonymous data only: no personal data and never the
/// license key. Times are carried as unix seconds, so sub-second precision is dropped when signing.
/// </summary>
public sealed record LicenseClaims
{
    /// <summary>Issuer (<c>iss</c>): the license server that signed the token.</summary>
    public required string Issuer { get; init; }

    /// <summary>License id (<c>lid</c>); an opaque id, not the license key.</summary>
    public required string LicenseId { get; init; }

    /// <summary>Installation id (<c>iid</c>); absent in offline license files issued before activation.</summary>
    public string? InstallationId { get; init; }

    /// <summary>Product code (<c>prd</c>).</summary>
    public required string Product { get; init; }

    /// <summary>Plan code (<c>pln</c>).</summary>
    public required string Plan { get; init; }

    /// <summary>Edition (<c>edn</c>).</summary>
    public required string Edition { get; init; }

    /// <summary>Pseudonymous machine fingerprint (<c>fpr</c>): 64 lower-case hex characters.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Issued at (<c>iat</c>).</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>Not before (<c>nbf</c>).</summary>
    public required DateTimeOffset NotBefore { get; init; }

    /// <summary>Expiry of this token (<c>exp</c>); the agent should check in before it.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// Offline grace in seconds (<c>grc</c>): the token is still accepted this long after
    /// <see cref="ExpiresAt"/> when the server cannot be reached.
    /// </summary>
    public required int OfflineGraceSeconds { get; init; }

    /// <summary>
    /// End of the license term (<c>lex</c>), if the license expires. No grace applies beyond it.
    /// </summary>
    public DateTimeOffset? LicenseExpiresAt { get; init; }
}
