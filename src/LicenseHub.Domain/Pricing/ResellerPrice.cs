using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Pricing;

/// <summary>
/// One line of a reseller's price list, set by the vendor: for one plan (<see cref="PlanId"/>) or for every plan (null),
/// either an explicit price (<see cref="PriceMinor"/>, in the plan's currency) or a discount in basis points
/// (<see cref="DiscountBasisPoints"/>, 1/100 of a percent). A plan's own line wins over the line for every plan.
/// </summary>
public sealed class ResellerPrice
{
    [OperationalData, Purpose("identify the price list line"), Retention(Retention.AccountLifetime)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("the reseller whose price it is"), Retention(Retention.AccountLifetime)]
    public Guid ResellerId { get; set; }

    [OperationalData, Purpose("the plan priced (null: every plan)"), Retention(Retention.AccountLifetime)]
    public Guid? PlanId { get; set; }

    [FinancialData, Purpose("the reseller's price of one license for a first term"), Retention(Retention.AccountLifetime)]
    public long? PriceMinor { get; set; }

    [FinancialData, Purpose("the reseller's price of one more term (null: its price)"), Retention(Retention.AccountLifetime)]
    public long? RenewalPriceMinor { get; set; }

    [FinancialData, Purpose("the reseller's discount off list prices, in basis points"), Retention(Retention.AccountLifetime)]
    public int? DiscountBasisPoints { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>A whole discount: 100 % in basis points.</summary>
    public const int FullDiscount = 10_000;
}

/// <summary>
/// What one reseller pays for one plan, from the plan's list prices and the reseller's price list. Rounding: a discount
/// is taken off each unit price (one license, one term) and rounded half away from zero to the currency's minor unit;
/// quantities and terms multiply the rounded unit price, so an order always costs a whole number of unit prices.
/// </summary>
public sealed record PlanPrices(Money Price, Money RenewalPrice, int DiscountBasisPoints, bool Listed)
{
    /// <summary>The prices of <paramref name="plan"/> for a reseller whose price list has these lines for it.</summary>
    public static PlanPrices For(Plan plan, ResellerPrice? planLine, ResellerPrice? allPlansLine)
    {
        if (planLine is { PriceMinor: { } explicitPrice })
        {
            return new PlanPrices(new Money(explicitPrice, plan.Currency), new Money(planLine.RenewalPriceMinor ?? explicitPrice, plan.Currency),
                allPlansLine?.DiscountBasisPoints ?? 0, Listed: false);
        }
        var discount = planLine?.DiscountBasisPoints ?? allPlansLine?.DiscountBasisPoints ?? 0;
        return new PlanPrices(Discounted(plan.Price, discount), Discounted(plan.RenewalPrice, discount), discount, Listed: discount == 0);
    }

    /// <summary>An add-on's price per term (list price <paramref name="listMinor"/>) with the reseller's discount.</summary>
    public Money AddOn(long listMinor) => Discounted(new Money(listMinor, Price.Currency), DiscountBasisPoints);

    /// <summary><paramref name="list"/> less <paramref name="basisPoints"/>/10,000, rounded half away from zero to the minor unit.</summary>
    public static Money Discounted(Money list, int basisPoints)
    {
        if (basisPoints == 0)
        {
            return list;
        }
        var kept = (decimal)list.AmountMinor * (ResellerPrice.FullDiscount - basisPoints) / ResellerPrice.FullDiscount;
        return new Money((long)Math.Round(kept, MidpointRounding.AwayFromZero), list.Currency);
    }
}
