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

    /// <summary>
    /// Entitlements (<c>ent</c>): the codes of the features the license has (its plan's and its add-ons'), sorted. An
    /// empty list is not written; a token without <c>ent</c> grants no feature.
    /// </summary>
    public IReadOnlyList<string> Entitlements { get; init; } = [];

    /// <summary>
    /// End of maintenance (<c>mnt</c>) of a perpetual license: a product version released after it may not run on this
    /// license; one released before runs for ever. Absent for a license with a term.
    /// </summary>
    public DateTimeOffset? MaintenanceUntil { get; init; }

    /// <summary>Whether the license has the feature <paramref name="code"/> (ordinal: codes are lower-case slugs).</summary>
    public bool HasFeature(string code) => Entitlements.Contains(code, StringComparer.Ordinal);

    /// <summary>
    /// Whether a product version released at <paramref name="releasedAt"/> may run on this license: always for a license
    /// with a term (its expiry already bounds it), and for a perpetual license when it was released before maintenance ended.
    /// </summary>
    public bool CoversRelease(DateTimeOffset releasedAt) => MaintenanceUntil is not { } mnt || releasedAt <= mnt;

    /// <summary>
    /// Value equality of every claim, the entitlements compared code by code (a record alone would compare the lists'
    /// references, so the claims read back from a token would never equal the claims it was signed with).
    /// </summary>
    public bool Equals(LicenseClaims? other) =>
        ReferenceEquals(this, other) || (other is not null
            && Issuer == other.Issuer
            && LicenseId == other.LicenseId
            && InstallationId == other.InstallationId
            && Product == other.Product
            && Plan == other.Plan
            && Edition == other.Edition
            && Fingerprint == other.Fingerprint
            && IssuedAt.Equals(other.IssuedAt)
            && NotBefore.Equals(other.NotBefore)
            && ExpiresAt.Equals(other.ExpiresAt)
            && OfflineGraceSeconds == other.OfflineGraceSeconds
            && Nullable.Equals(LicenseExpiresAt, other.LicenseExpiresAt)
            && Entitlements.SequenceEqual(other.Entitlements, StringComparer.Ordinal)
            && Nullable.Equals(MaintenanceUntil, other.MaintenanceUntil));

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Issuer);
        hash.Add(LicenseId);
        hash.Add(InstallationId);
        hash.Add(Product);
        hash.Add(Plan);
        hash.Add(Edition);
        hash.Add(Fingerprint);
        hash.Add(IssuedAt);
        hash.Add(NotBefore);
        hash.Add(ExpiresAt);
        hash.Add(OfflineGraceSeconds);
        hash.Add(LicenseExpiresAt);
        foreach (var code in Entitlements)
        {
            hash.Add(code, StringComparer.Ordinal);
        }

        hash.Add(MaintenanceUntil);
        return hash.ToHashCode();
    }
}
