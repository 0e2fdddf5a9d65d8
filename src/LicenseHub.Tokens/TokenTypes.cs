namespace LicenseHub.Tokens;

/// <summary>Values of the JWS <c>typ</c> header that LicenseHub issues.</summary>
public static class TokenTypes
{
    /// <summary>A license token returned by activation and check-in.</summary>
    public const string License = "lh-license+jwt";

    /// <summary>An offline license file for an air-gapped machine, imported with <c>lh-agent import</c>.</summary>
    public const string OfflineLicense = "lh-offline-license+jwt";
}
