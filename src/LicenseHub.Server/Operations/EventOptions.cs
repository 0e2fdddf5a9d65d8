namespace LicenseHub.Server.Operations;

/// <summary>Configuration section "LicenseHub:Events".</summary>
public sealed class EventOptions
{
    /// <summary>How long events (and their webhook deliveries) are kept for the feed; the newest event is always kept.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often licenses are looked at for license.expiring and license.expired.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often WatchEvents looks for events other replicas committed (this replica's own are seen at once).</summary>
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Configuration section "LicenseHub:Webhooks".</summary>
public sealed class WebhookOptions
{
    /// <summary>Deliver to loopback, private and link-local addresses. Off: such destinations are refused (a reseller could otherwise reach the vendor's own network).</summary>
    public bool AllowPrivateDestinations { get; set; }

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The median delay before the first retry; later ones grow exponentially, with jitter.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a delivery is retried before it fails for good.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromDays(3);

    /// <summary>An endpoint whose deliveries have failed this long without a success is disabled, and the reseller told.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>How often a replica looks for due deliveries when it has not been woken by a new event.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries one replica sends at once.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>Off: no deliveries are sent by this replica (events are still recorded, and other replicas deliver).</summary>
    public bool Deliver { get; set; } = true;

    /// <summary>How long a claimed delivery stays with its replica: longer than an attempt, so two replicas never send it at once.</summary>
    public TimeSpan Lease => AttemptTimeout + AttemptTimeout + TimeSpan.FromSeconds(5);
}
