using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Catalog;

/// <summary>A product the vendor sells (e.g. a hosting control panel).</summary>
public sealed class Product
{
    [OperationalData, Purpose("identify the product"), Retention(Retention.WithRecord)]
    public Guid Id { get; set; }

    [TechnicalData, Purpose("stable product code the agent names"), Retention(Retention.WithRecord)]
    public required string Code { get; set; }

    [TechnicalData, Purpose("display name"), Retention(Retention.WithRecord)]
    public required string Name { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.WithRecord)]
    public DateTimeOffset CreatedAt { get; set; }
}
