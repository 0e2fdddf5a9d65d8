using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Pools;

/// <summary>A bulk purchase of licenses of one plan. A transaction record: never card data.</summary>
public sealed class Order
{
    [OperationalData, Purpose("identify the order"), Retention(Retention.LegalFinancial)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("buyer (pseudonymised on account deletion)"), Retention(Retention.LegalFinancial)]
    public Guid ResellerId { get; set; }

    [OperationalData, Purpose("what was bought"), Retention(Retention.LegalFinancial)]
    public Guid PlanId { get; set; }

    [OperationalData, Purpose("pool topped up"), Retention(Retention.LegalFinancial)]
    public Guid PoolId { get; set; }

    [FinancialData, Purpose("transaction record"), Retention(Retention.LegalFinancial)]
    public int Quantity { get; set; }

    [FinancialData, Purpose("transaction record"), Retention(Retention.LegalFinancial)]
    public long AmountMinor { get; set; }

    [FinancialData, Purpose("transaction record"), Retention(Retention.LegalFinancial)]
    public required string Currency { get; set; }

    [OperationalData, Purpose("exactly-once purchase"), Retention(Retention.LegalFinancial)]
    public required string IdempotencyKey { get; set; }

    [FinancialData, Purpose("transaction date"), Retention(Retention.LegalFinancial)]
    public DateTimeOffset CreatedAt { get; set; }
}
