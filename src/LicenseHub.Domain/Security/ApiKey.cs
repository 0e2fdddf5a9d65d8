using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Security;

/// <summary>What an API key may do.</summary>
public enum ApiKeyRole
{
    /// <summary>Reseller owner: everything on its account.</summary>
    Owner,
    /// <summary>Reseller manager: buy, assign, manage licenses.</summary>
    Manager,
    /// <summary>Reseller viewer: read only.</summary>
    Viewer,
    /// <summary>Vendor administrator.</summary>
    VendorAdmin,
    /// <summary>Vendor auditor: inventory, statistics, audit trail; no personal data, no keys.</summary>
    VendorAuditor,
}

/// <summary>An API key. Only a hash of the secret is stored.</summary>
public sealed class ApiKey
{
    [OperationalData, Purpose("identify the key in the audit trail"), Retention(Retention.AccountLifetime)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("owning reseller; empty for vendor keys"), Retention(Retention.AccountLifetime)]
    public Guid? ResellerId { get; set; }

    [OperationalData, Purpose("label chosen by the owner"), Retention(Retention.AccountLifetime)]
    public required string Name { get; set; }

    [OperationalData, Purpose("authorisation"), Retention(Retention.AccountLifetime)]
    public ApiKeyRole Role { get; set; }

    [OperationalData, Purpose("recognise the key without revealing it"), Retention(Retention.AccountLifetime)]
    public required string Prefix { get; set; }

    [SecretData, Purpose("authenticate the key (SHA-256 of the secret)"), Retention(Retention.AccountLifetime)]
    public required byte[] SecretHash { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset CreatedAt { get; set; }

    [OperationalData, Purpose("revocation"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Recorded at most once per <see cref="LastUsedPrecision"/>, so authenticating stays a read.</summary>
    [OperationalData, Purpose("show the owner which keys are still in use"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>How stale <see cref="LastUsedAt"/> may be: one write per key per this much time of use.</summary>
    public static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(5);

    /// <summary>True for vendor staff keys.</summary>
    public bool IsVendor => Role is ApiKeyRole.VendorAdmin or ApiKeyRole.VendorAuditor;
}
