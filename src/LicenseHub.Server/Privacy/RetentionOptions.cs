namespace LicenseHub.Server.Privacy;

/// <summary>Configuration section "LicenseHub:Retention".</summary>
public sealed class RetentionOptions
{
    public const string Section = "LicenseHub:Retention";

    /// <summary>How often the retention job runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Raw check-ins older than this become anonymous daily counts and are deleted.</summary>
    public TimeSpan CheckInWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Installations silent for longer than this are released and their fingerprints deleted.</summary>
    public TimeSpan SilentInstallationWindow { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Audit events older than this are deleted behind a signed checkpoint.</summary>
    public TimeSpan AuditWindow { get; set; } = TimeSpan.FromDays(400);

    /// <summary>
    /// A clock this far ahead of the newest time stored (a check-in, an audit event) is not trusted: the run holds
    /// until stored times catch up or an operator confirms ('licensehub retention run --confirm').
    /// </summary>
    public TimeSpan ClockJumpLimit { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A run that would release more than this share of all installations at once waits for an operator's confirmation…</summary>
    public double MaxReleaseShare { get; set; } = 0.25;

    /// <summary>…when it would also release more than this many.</summary>
    public int ReleaseConfirmationMinimum { get; set; } = 10;

    /// <summary>Set false to run retention only on demand (tests, one-off maintenance).</summary>
    public bool Enabled { get; set; } = true;
}
