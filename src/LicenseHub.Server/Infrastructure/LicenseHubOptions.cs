namespace LicenseHub.Server.Infrastructure;

/// <summary>Configuration section "LicenseHub".</summary>
public sealed class LicenseHubOptions
{
    public const string Section = "LicenseHub";

    /// <summary>Where the SQLite database, the dev key-encryption key and the first vendor key live.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Issuer named in tokens.</summary>
    public string Issuer { get; set; } = "licensehub";

    /// <summary>A relative directory is taken from the working directory the server was started in.</summary>
    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);
}
