using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Resellers;

/// <summary>State of a reseller account.</summary>
public enum ResellerStatus
{
    /// <summary>May call the API.</summary>
    Active,
    /// <summary>API calls refused; its licenses keep working unless suspended themselves.</summary>
    Suspended,
    /// <summary>Account deleted at the reseller's request; personal fields erased.</summary>
    Deleted,
}

/// <summary>A corporate account that buys licenses in bulk and assigns them.</summary>
public sealed class Reseller
{
    [OperationalData, Purpose("identify the reseller account"), Retention(Retention.AccountLifetime)]
    public Guid Id { get; set; }

    [CorporateData, Purpose("contract and invoicing"), Retention(Retention.AccountLifetime)]
    public required string CompanyName { get; set; }

    [CorporateData, Purpose("tax and invoicing"), Retention(Retention.AccountLifetime)]
    public required string Country { get; set; }

    [CorporateData, Purpose("tax and invoicing"), Retention(Retention.AccountLifetime)]
    public string? VatId { get; set; }

    [PersonalData, Purpose("billing contact"), Retention(Retention.AccountLifetime)]
    public string? BillingContactName { get; set; }

    [PersonalData, Purpose("billing contact"), Retention(Retention.AccountLifetime)]
    public string? BillingContactEmail { get; set; }

    [OperationalData, Purpose("account state"), Retention(Retention.AccountLifetime)]
    public ResellerStatus Status { get; set; }

    [OperationalData, Purpose("restriction of processing requested by the reseller"), Retention(Retention.AccountLifetime)]
    public bool ProcessingRestricted { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Default <see cref="ExpiryNoticeDays"/>.</summary>
    public const int DefaultExpiryNoticeDays = 7;

    [OperationalData, Purpose("how many days before a license expires its license.expiring event is sent"), Retention(Retention.AccountLifetime)]
    public int ExpiryNoticeDays { get; set; } = DefaultExpiryNoticeDays;

    [OperationalData, Purpose("abuse control: trial licenses the reseller may take per calendar month (UTC), set by the vendor"), Retention(Retention.AccountLifetime)]
    public int TrialsPerMonth { get; set; }

    /// <summary>Most trial licenses a vendor lets one reseller take per month.</summary>
    public const int MaxTrialsPerMonth = 10_000;

    [OperationalData, Purpose("a pool.low event is sent when a pool's available licenses fall below this (0: never)"), Retention(Retention.AccountLifetime)]
    public int PoolLowThreshold { get; set; }
}
