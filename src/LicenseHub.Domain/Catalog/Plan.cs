using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Catalog;

/// <summary>An edition of a product with its commercial terms.</summary>
public sealed class Plan
{
    [OperationalData, Purpose("identify the plan"), Retention(Retention.WithRecord)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("link to the product"), Retention(Retention.WithRecord)]
    public Guid ProductId { get; set; }

    public Product? Product { get; set; }

    [TechnicalData, Purpose("stable plan code"), Retention(Retention.WithRecord)]
    public required string Code { get; set; }

    [TechnicalData, Purpose("edition named in tokens"), Retention(Retention.WithRecord)]
    public required string Edition { get; set; }

    [TechnicalData, Purpose("license term"), Retention(Retention.WithRecord)]
    public int TermDays { get; set; }

    [TechnicalData, Purpose("installations allowed per license"), Retention(Retention.WithRecord)]
    public int MaxMachines { get; set; }

    [TechnicalData, Purpose("offline validity after token expiry"), Retention(Retention.WithRecord)]
    public int OfflineGraceDays { get; set; }

    [FinancialData, Purpose("price per license for orders"), Retention(Retention.WithRecord)]
    public long PriceMinor { get; set; }

    [FinancialData, Purpose("currency of the price"), Retention(Retention.WithRecord)]
    public required string Currency { get; set; }

    [TechnicalData, Purpose("abuse control: releases allowed per license"), Retention(Retention.WithRecord)]
    public int TransferBudget { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.WithRecord)]
    public DateTimeOffset CreatedAt { get; set; }
}
