using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Pools;

/// <summary>
/// A reseller's stock of licenses of one plan. Purchased only grows (orders); Assigned grows with
/// each assignment and never exceeds Purchased.
/// </summary>
public sealed class Pool
{
    [OperationalData, Purpose("identify the pool"), Retention(Retention.AccountLifetime)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("owner"), Retention(Retention.AccountLifetime)]
    public Guid ResellerId { get; set; }

    [OperationalData, Purpose("plan of the licenses"), Retention(Retention.AccountLifetime)]
    public Guid PlanId { get; set; }

    [OperationalData, Purpose("pool accounting"), Retention(Retention.AccountLifetime)]
    public int Purchased { get; set; }

    [OperationalData, Purpose("pool accounting"), Retention(Retention.AccountLifetime)]
    public int Assigned { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Licenses that can still be assigned.</summary>
    public int Available => Purchased - Assigned;
}
