using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Licensing;

/// <summary>
/// A feature bought for one license on top of its plan (an order of kind ADD_ON). It is paid up to the license's
/// expiry, renewed with the license at the add-on's price, and dropped at the renewal when the reseller removed it.
/// </summary>
public sealed class LicenseAddOn
{
    [OperationalData, Purpose("the license"), Retention(Retention.LicenseLifetime)]
    public Guid LicenseId { get; set; }

    [OperationalData, Purpose("the feature bought"), Retention(Retention.LicenseLifetime)]
    public Guid FeatureId { get; set; }

    [OperationalData, Purpose("the order that bought it"), Retention(Retention.LicenseLifetime)]
    public Guid OrderId { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.LicenseLifetime)]
    public DateTimeOffset AddedAt { get; set; }

    [OperationalData, Purpose("removed by the reseller: not renewed, dropped at the next renewal"), Retention(Retention.LicenseLifetime)]
    public bool RemoveAtRenewal { get; set; }
}
