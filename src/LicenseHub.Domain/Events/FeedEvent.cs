using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Events;

/// <summary>
/// A change a reseller can see, written in the transaction of the change itself (an outbox), so none is lost on a
/// crash or on another replica. The sequence is given at commit, under the lock that orders the audit chain, so it
/// is gap-free and in commit order: a billing system that reads "after N" never skips an event that commits later.
/// Events hold ids and states, never personal data or secrets.
/// </summary>
public sealed class FeedEvent
{
    /// <summary>Longest <see cref="Data"/>, in characters.</summary>
    public const int MaxDataLength = 4000;

    [OperationalData, Purpose("the feed's cursor: gap-free, in commit order"), Retention(Retention.EventWindow)]
    public long Sequence { get; set; }

    [OperationalData, Purpose("identify the event (the webhook-id a receiver deduplicates on)"), Retention(Retention.EventWindow)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("what happened, e.g. license.renewed"), Retention(Retention.EventWindow)]
    public required string Type { get; set; }

    [OperationalData, Purpose("when it happened"), Retention(Retention.EventWindow)]
    public DateTimeOffset At { get; set; }

    [OperationalData, Purpose("the reseller whose feed and webhooks carry the event"), Retention(Retention.EventWindow)]
    public Guid ResellerId { get; set; }

    [OperationalData, Purpose("kind of the object the event is about"), Retention(Retention.EventWindow)]
    public required string ObjectType { get; set; }

    [OperationalData, Purpose("id of the object the event is about"), Retention(Retention.EventWindow)]
    public Guid ObjectId { get; set; }

    [OperationalData, Purpose("the object's new state as JSON (ids, states, dates, counts; no personal data, no secrets)"), Retention(Retention.EventWindow)]
    public required string Data { get; set; }
}

/// <summary>The event types, as billing systems subscribe to them.</summary>
public static class EventTypes
{
    public const string OrderCompleted = "order.completed";
    public const string LicenseAssigned = "license.assigned";
    public const string LicenseSuspended = "license.suspended";
    public const string LicenseResumed = "license.resumed";
    public const string LicenseRevoked = "license.revoked";
    public const string LicenseRenewed = "license.renewed";
    public const string LicensePlanChanged = "license.plan_changed";
    public const string LicenseExpiring = "license.expiring";
    public const string LicenseExpired = "license.expired";
    public const string InstallationActivated = "installation.activated";
    public const string InstallationReleased = "installation.released";
    public const string InstallationCloneSuspected = "installation.clone_suspected";
    public const string LicenseTrialEnding = "license.trial_ending";
    public const string LicenseAddOnAdded = "license.add_on_added";
    public const string LicenseAddOnRemoved = "license.add_on_removed";
    public const string PoolLow = "pool.low";
    public const string WebhookEndpointDisabled = "webhook_endpoint.disabled";

    public static IReadOnlyList<string> All { get; } =
    [
        OrderCompleted, LicenseAssigned, LicenseSuspended, LicenseResumed, LicenseRevoked, LicenseRenewed, LicensePlanChanged,
        LicenseExpiring, LicenseExpired, InstallationActivated, InstallationReleased, InstallationCloneSuspected, PoolLow,
        WebhookEndpointDisabled, LicenseTrialEnding, LicenseAddOnAdded, LicenseAddOnRemoved,
    ];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
