using LicenseHub.Domain.Classification;
using LicenseHub.Domain.Pricing;

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

    [FinancialData, Purpose("price per license and term for renewals (the price unless the vendor sets another)"), Retention(Retention.WithRecord)]
    public long RenewalPriceMinor { get; set; }

    [TechnicalData, Purpose("days after assignment in which a license never activated can be returned to its pool"), Retention(Retention.WithRecord)]
    public int ReturnWindowDays { get; set; } = DefaultReturnWindowDays;

    [TechnicalData, Purpose("abuse control: releases allowed per license"), Retention(Retention.WithRecord)]
    public int TransferBudget { get; set; }

    [TechnicalData, Purpose("abuse control: whether a renewal gives the transfer budget back"), Retention(Retention.WithRecord)]
    public bool RestoreTransfersOnRenewal { get; set; } = true;

    [TechnicalData, Purpose("a free trial: price 0, a short term, not renewable, convertible to a paid plan"), Retention(Retention.WithRecord)]
    public bool Trial { get; set; }

    [TechnicalData, Purpose("a perpetual license: never expires; the term is the maintenance term"), Retention(Retention.WithRecord)]
    public bool Perpetual { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.WithRecord)]
    public DateTimeOffset CreatedAt { get; set; }

    [OperationalData, Purpose("no longer sold: no new purchases or moves to it; its licenses keep working and renewing"), Retention(Retention.WithRecord)]
    public DateTimeOffset? RetiredAt { get; set; }

    /// <summary>Whether the plan is no longer sold.</summary>
    public bool Retired => RetiredAt is not null;

    /// <summary>The features of the plan: included ones and add-on offers.</summary>
    public List<PlanFeature> Features { get; set; } = [];

    /// <summary>The longest term of a trial plan.</summary>
    public const int MaxTrialDays = 30;

    /// <summary>The return window a plan gets when the vendor names none.</summary>
    public const int DefaultReturnWindowDays = 14;

    /// <summary>The longest return window a plan may have.</summary>
    public const int MaxReturnWindowDays = 90;

    /// <summary>What one license costs for its first term.</summary>
    public Money Price => new(PriceMinor, Currency);

    /// <summary>What one more term of one license costs.</summary>
    public Money RenewalPrice => new(RenewalPriceMinor, Currency);
}
