namespace LicenseHub.Server.Operations;

/// <summary>Configuration section "LicenseHub".</summary>
public sealed class LicenseHubOptions
{
    public const string Section = "LicenseHub";

    /// <summary>Where the SQLite database, the dev key-encryption key and the first vendor key live.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Issuer named in tokens.</summary>
    public string Issuer { get; set; } = "licensehub";

    /// <summary>File holding the key-encryption key (base64, 32 bytes); see <c>LICENSEHUB_KEK</c>.</summary>
    public string? KeyEncryptionKeyFile { get; set; }

    /// <summary>How long a token from a check-in is valid (before the plan's offline grace).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A check-in answers with the installation's current token while it has more than half its lifetime left and its
    /// claims still hold, instead of signing a new one. Off only to measure the cost of signing every check-in.
    /// </summary>
    public bool RefreshTokensAtHalfLife { get; set; } = true;

    /// <summary>Suggested interval between an agent's check-ins.</summary>
    public TimeSpan CheckInInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a replica re-reads the active signing key, bounding how long a rotation takes to reach it.</summary>
    public TimeSpan SigningKeyRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a signing key may issue tokens under its certificate from the root key (from the key's creation).
    /// A server that holds the root renews the certificate of its active key when it nears the end.
    /// </summary>
    public TimeSpan KeyCertificateLifetime { get; set; } = TimeSpan.FromDays(730);

    /// <summary>
    /// Start with a new, empty SQLite database although the data directory was set up before (its database is gone).
    /// Off by default: a lost database is refused, so that agents are not told their installations were released.
    /// </summary>
    public bool InitializeNewDatabase { get; set; }

    /// <summary>Failed activations (wrong keys) allowed per source address per minute before RESOURCE_EXHAUSTED.</summary>
    public int ActivationFailuresPerMinute { get; set; } = 10;

    /// <summary>How often refused requests (unreadable, invalid, unauthenticated) are summarised in the log, one line per kind.</summary>
    public TimeSpan RefusedRequestSummaryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The event feed ("LicenseHub:Events").</summary>
    public EventOptions Events { get; set; } = new();

    /// <summary>Webhook deliveries ("LicenseHub:Webhooks").</summary>
    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>A relative directory is taken from the working directory the server was started in.</summary>
    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);
}
