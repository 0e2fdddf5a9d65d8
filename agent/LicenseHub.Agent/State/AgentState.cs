using System.Text.Json.Serialization;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.State;

/// <summary>Telemetry level chosen with <c>lh-agent telemetry set</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TelemetrySetting>))]
internal enum TelemetrySetting
{
    /// <summary>Only what running the license needs (the default).</summary>
    [JsonStringEnumMemberName("required")]
    Required,

    /// <summary>Also OS family, OS version, CPU architecture and core count.</summary>
    [JsonStringEnumMemberName("basic")]
    Basic,
}

/// <summary>
/// Everything the agent keeps between runs, in one JSON file. Holds the per-license salt, never the
/// license key, and never the machine id.
/// </summary>
internal sealed class AgentState
{
    public const int CurrentVersion = 1;

    /// <summary>The length of a check-in ticket: 32 bytes in unpadded base64url.</summary>
    public const int CheckInTicketLength = 43;

    public int Version { get; set; } = CurrentVersion;

    /// <summary>Base URL of the license server; null for offline (imported) licenses.</summary>
    public string? Server { get; set; }

    /// <summary>
    /// Activated with <c>--allow-insecure-transport</c>: a plain http:// <see cref="Server"/> off this machine
    /// may be used. Absent from the file unless true, so state files of before stay as they were.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AllowInsecureTransport { get; set; }

    public string? Product { get; set; }

    public string? ProductVersion { get; set; }

    public string? InstallationId { get; set; }

    /// <summary>Per-installation credential from Activate; authenticates check-ins.</summary>
    public string? InstallationSecret { get; set; }

    /// <summary>
    /// The check-in ticket of the server's last VALID answer, presented with the next check-in so the server
    /// notices two machines running this one state (a copied disk, a cloned VM). A random value the server
    /// issued; it says nothing about this machine. Absent in state files of before, and for servers that issue none.
    /// </summary>
    public string? CheckInTicket { get; set; }

    public string? LicenseId { get; set; }

    /// <summary>Fingerprint salt (base64url of 32 bytes) derived from the license key.</summary>
    public string? Salt { get; set; }

    /// <summary>
    /// The salt the fingerprint is keyed by (base64url of 32 bytes): <see cref="Salt"/> mixed with this state's
    /// <see cref="InstallationIdentity"/> key, so that machines sharing a machine id are told apart. Absent in state files
    /// of lh-agent 0.1, whose fingerprint stays keyed by <see cref="Salt"/> alone: those installations keep their
    /// fingerprint, and so their seat, across the upgrade.
    /// </summary>
    public string? InstallationSalt { get; set; }

    public TelemetrySetting TelemetryLevel { get; set; } = TelemetrySetting.Required;

    /// <summary>The last token (compact JWS) the server issued or the imported offline license.</summary>
    public string? Token { get; set; }

    /// <summary>The <c>typ</c> the token must carry: a license token or an offline license file.</summary>
    public string? TokenType { get; set; }

    /// <summary>The public keys trusted to sign tokens.</summary>
    public JsonWebKeySet? Jwks { get; set; }

    /// <summary>The latest wall-clock time ever observed, to detect the clock being set back.</summary>
    public DateTimeOffset? LastSeen { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }

    public DateTimeOffset? LastCheckIn { get; set; }

    /// <summary>Validation code of the last server answer (e.g. VALID, SUSPENDED).</summary>
    public string? LastResult { get; set; }

    public string? LastDetail { get; set; }

    [JsonIgnore]
    public bool IsOnlineActivation => Server is not null && InstallationId is not null && InstallationSecret is not null;

    /// <summary>Returns the salt bytes, or null when the state has none.</summary>
    public byte[]? GetSalt() => Salt is null ? null : Base64Url.Decode(Salt);

    /// <summary>The key of this machine's fingerprint: the installation salt, else (state of lh-agent 0.1) the license salt.</summary>
    public byte[]? GetFingerprintSalt() => InstallationSalt is not null ? Base64Url.Decode(InstallationSalt) : GetSalt();

    /// <summary>True for an installation made by lh-agent 0.1, fingerprinted by the machine id alone.</summary>
    [JsonIgnore]
    public bool HasLegacyFingerprint => Salt is not null && InstallationSalt is null;

    /// <summary>Raises <see cref="LastSeen"/> to <paramref name="now"/>; it never goes back on its own.</summary>
    public void ObserveTime(DateTimeOffset now)
    {
        if (LastSeen is null || now > LastSeen)
        {
            LastSeen = now;
        }
    }

    /// <summary>Returns what is inconsistent, or null when the state is usable.</summary>
    public string? FindProblem()
    {
        if (Version != CurrentVersion)
        {
            return $"unsupported state version {Version}";
        }

        if (SaltProblem(Salt, "salt") is { } saltProblem)
        {
            return saltProblem;
        }

        if (SaltProblem(InstallationSalt, "installation salt") is { } installationSaltProblem)
        {
            return installationSaltProblem;
        }

        if (InstallationSalt is not null && Salt is null)
        {
            return "installation salt without the salt";
        }

        if (Server is not null && !AgentClient.TryParseServer(Server, out _, out _))
        {
            return "server is not an http(s) URL";
        }

        if (InstallationId is not null && (InstallationSecret is null || Server is null))
        {
            return "installation id without its secret or server";
        }

        if (CheckInTicket is not null && (CheckInTicket.Length != CheckInTicketLength || !CheckInTicket.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return "check-in ticket is not the server's (43 base64url characters)";
        }

        if (Token is not null && (Token.Length > TokenVerifier.MaxTokenLength || TokenType is null))
        {
            return "token is too large or has no type";
        }

        if (!Enum.IsDefined(TelemetryLevel))
        {
            return "unknown telemetry level";
        }

        return null;
    }

    private static string? SaltProblem(string? encoded, string name)
    {
        if (encoded is null)
        {
            return null;
        }

        byte[] salt;
        try
        {
            salt = Base64Url.Decode(encoded);
        }
        catch (FormatException)
        {
            return name + " is not base64url";
        }

        return salt.Length != MachineFingerprint.SaltLength ? name + " has the wrong length" : null;
    }
}
