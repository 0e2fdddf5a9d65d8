namespace LicenseHub.Tokens;

/// <summary>Values of the JWS <c>typ</c> header that LicenseHub issues.</summary>
public static class TokenTypes
{
    /// <summary>A license token returned by activation and check-in.</summary>
    public const string License = "lh-license+jwt";

    /// <summary>An offline license file for an air-gapped machine, imported with <c>lh-agent import</c>.</summary>
    public const string OfflineLicense = "lh-offline-license+jwt";

    /// <summary>A certificate by a vendor root key for a token-signing key: the <c>lhc</c> member of a published JWK.</summary>
    public const string KeyCertificate = "lh-key-certificate+jwt";

    /// <summary>
    /// A refusal's status (<see cref="SignedStatus"/>), signed by a certified token-signing key: the only kind of refusal
    /// that makes lh-agent drop its token or stop.
    /// </summary>
    public const string Status = "lh-status+jwt";

    /// <summary>True for the token types a product accepts as a license: <see cref="License"/> and <see cref="OfflineLicense"/>.</summary>
    public static bool IsLicense(string? type) => type is License or OfflineLicense;
}
