using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Pools;

/// <summary>What an order paid for (or, for a return, gave back).</summary>
public enum OrderKind
{
    /// <summary>Licenses bought into the reseller's pool for the plan.</summary>
    Purchase,
    /// <summary>More terms for licenses already assigned, at the plan's renewal price.</summary>
    Renewal,
    /// <summary>Licenses moved to a dearer plan of their product: the difference for their remaining time.</summary>
    Upgrade,
    /// <summary>A license never activated, given back to its pool within the plan's return window; charges nothing.</summary>
    Return,
    /// <summary>A feature bought for licenses on top of their plan, for the rest of their paid term.</summary>
    AddOn,
}

/// <summary>
/// A priced, idempotent order: a purchase of licenses into a pool, a renewal, an upgrade or a return. A transaction
/// record: never card data.
/// </summary>
public sealed class Order
{
    [OperationalData, Purpose("identify the order"), Retention(Retention.LegalFinancial)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("buyer (pseudonymised on account deletion)"), Retention(Retention.LegalFinancial)]
    public Guid ResellerId { get; set; }

    [FinancialData, Purpose("transaction record: what the order was for"), Retention(Retention.LegalFinancial)]
    public OrderKind Kind { get; set; }

    [OperationalData, Purpose("what was bought (for an upgrade the new plan)"), Retention(Retention.LegalFinancial)]
    public Guid PlanId { get; set; }

    [OperationalData, Purpose("plan the licenses left (upgrade, or a renewal that applied a scheduled downgrade)"), Retention(Retention.LegalFinancial)]
    public Guid? FromPlanId { get; set; }

    [OperationalData, Purpose("pool topped up (purchase) or given a seat back (return)"), Retention(Retention.LegalFinancial)]
    public Guid? PoolId { get; set; }

    [FinancialData, Purpose("transaction record: the feature an add-on order bought (its code; the plan names the product)"), Retention(Retention.LegalFinancial)]
    public string? FeatureCode { get; set; }

    [FinancialData, Purpose("transaction record: licenses bought, renewed, upgraded or returned"), Retention(Retention.LegalFinancial)]
    public int Quantity { get; set; }

    [FinancialData, Purpose("transaction record: terms paid per license"), Retention(Retention.LegalFinancial)]
    public int Terms { get; set; }

    [FinancialData, Purpose("transaction record"), Retention(Retention.LegalFinancial)]
    public long AmountMinor { get; set; }

    [FinancialData, Purpose("transaction record"), Retention(Retention.LegalFinancial)]
    public required string Currency { get; set; }

    [OperationalData, Purpose("exactly-once purchase"), Retention(Retention.LegalFinancial)]
    public required string IdempotencyKey { get; set; }

    [FinancialData, Purpose("transaction date"), Retention(Retention.LegalFinancial)]
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Most licenses one renewal, plan change or return covers.</summary>
    public const int MaxLicenses = 10_000;
}

/// <summary>One license an order covered: renewed, upgraded or returned.</summary>
public sealed class OrderLicense
{
    [OperationalData, Purpose("the order"), Retention(Retention.LegalFinancial)]
    public Guid OrderId { get; set; }

    [OperationalData, Purpose("transaction record: the license the order covered"), Retention(Retention.LegalFinancial)]
    public Guid LicenseId { get; set; }
}
