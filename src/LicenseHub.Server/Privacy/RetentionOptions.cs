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

    /// <summary>Set false to run retention only on demand (tests, one-off maintenance).</summary>
    public bool Enabled { get; set; } = true;
}
