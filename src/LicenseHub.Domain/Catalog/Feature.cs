using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Catalog;

/// <summary>
/// Something a product can do that a license may or may not grant (an entitlement), named by a code the product checks
/// in the token's <c>ent</c> claim.
/// </summary>
public sealed class Feature
{
    [OperationalData, Purpose("identify the feature"), Retention(Retention.WithRecord)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("the product the feature belongs to"), Retention(Retention.WithRecord)]
    public Guid ProductId { get; set; }

    [TechnicalData, Purpose("stable code the product checks in tokens"), Retention(Retention.WithRecord)]
    public required string Code { get; set; }

    [TechnicalData, Purpose("display name"), Retention(Retention.WithRecord)]
    public required string Name { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.WithRecord)]
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Most features one product has (and so one token names).</summary>
    public const int MaxPerProduct = 256;
}

/// <summary>
/// A feature on a plan: included in every license of the plan (<see cref="AddOnPriceMinor"/> null), or offered as an
/// add-on that a reseller buys per license at that price per term of the plan, in the plan's currency.
/// </summary>
public sealed class PlanFeature
{
    [OperationalData, Purpose("the plan"), Retention(Retention.WithRecord)]
    public Guid PlanId { get; set; }

    [OperationalData, Purpose("the feature"), Retention(Retention.WithRecord)]
    public Guid FeatureId { get; set; }

    [FinancialData, Purpose("price of the add-on per license and term (null: included in the plan)"), Retention(Retention.WithRecord)]
    public long? AddOnPriceMinor { get; set; }

    public Feature? Feature { get; set; }

    /// <summary>Whether every license of the plan has the feature.</summary>
    public bool Included => AddOnPriceMinor is null;
}
