using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Events;

/// <summary>
/// Where a reseller's billing system wants events delivered (the Standard Webhooks specification). The signing
/// secret is shown once, when the endpoint is created, and kept sealed with the server's key-encryption key.
/// </summary>
public sealed class WebhookEndpoint
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 200;
    public const int MaxPerReseller = 10;

    [OperationalData, Purpose("identify the endpoint"), Retention(Retention.AccountLifetime)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("whose events the endpoint receives"), Retention(Retention.AccountLifetime)]
    public Guid ResellerId { get; set; }

    [CorporateData, Purpose("where events are delivered (the reseller's billing system)"), Retention(Retention.AccountLifetime)]
    public required string Url { get; set; }

    [CorporateData, Purpose("the reseller's label for the endpoint"), Retention(Retention.AccountLifetime)]
    public string? Description { get; set; }

    [OperationalData, Purpose("the event types delivered, comma-separated; empty for all"), Retention(Retention.AccountLifetime)]
    public required string EventTypes { get; set; }

    [SecretData, Purpose("sign deliveries (sealed with the key-encryption key)"), Retention(Retention.AccountLifetime)]
    public required byte[] SealedSecret { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset CreatedAt { get; set; }

    [OperationalData, Purpose("when deliveries began failing without a success since (disabled after five days)"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset? FailingSince { get; set; }

    [OperationalData, Purpose("when the endpoint was disabled for failing; null while it receives events"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset? DisabledAt { get; set; }

    public bool Receives(string type) =>
        EventTypes.Length == 0 || EventTypes.Split(',').Contains(type, StringComparer.Ordinal);
}

public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Retried for the whole retry window without success, or its endpoint was disabled.</summary>
    Failed,
}

/// <summary>One event on its way to one endpoint: its attempts, never the body of a failed answer.</summary>
public sealed class WebhookDelivery
{
    /// <summary>Longest <see cref="LastError"/>.</summary>
    public const int MaxErrorLength = 200;

    [OperationalData, Purpose("identify the delivery"), Retention(Retention.EventWindow)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("the endpoint it goes to"), Retention(Retention.EventWindow)]
    public Guid EndpointId { get; set; }

    [OperationalData, Purpose("the reseller whose endpoint it is"), Retention(Retention.EventWindow)]
    public Guid ResellerId { get; set; }

    [OperationalData, Purpose("the event it carries"), Retention(Retention.EventWindow)]
    public long EventSequence { get; set; }

    [OperationalData, Purpose("delivery state"), Retention(Retention.EventWindow)]
    public WebhookDeliveryStatus Status { get; set; }

    [OperationalData, Purpose("attempts made"), Retention(Retention.EventWindow)]
    public int Attempts { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.EventWindow)]
    public DateTimeOffset CreatedAt { get; set; }

    [OperationalData, Purpose("when the next attempt is due"), Retention(Retention.EventWindow)]
    public DateTimeOffset NextAttemptAt { get; set; }

    [OperationalData, Purpose("when the last attempt was made"), Retention(Retention.EventWindow)]
    public DateTimeOffset? LastAttemptAt { get; set; }

    [OperationalData, Purpose("HTTP status of the last answer, if one came"), Retention(Retention.EventWindow)]
    public int? LastStatusCode { get; set; }

    [OperationalData, Purpose("why the last attempt failed (a category such as timeout; never the answer's body)"), Retention(Retention.EventWindow)]
    public string? LastError { get; set; }

    [OperationalData, Purpose("the replica delivering it now, so exactly one does at a time"), Retention(Retention.EventWindow)]
    public Guid? LeaseOwner { get; set; }

    [OperationalData, Purpose("until when that replica holds it (a crashed replica's lease runs out)"), Retention(Retention.EventWindow)]
    public DateTimeOffset? LeaseUntil { get; set; }
}
