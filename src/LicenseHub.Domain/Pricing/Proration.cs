namespace LicenseHub.Domain.Pricing;

/// <summary>
/// What moving a license to another plan of its product costs for the time it has left. Computed in minor units
/// with exact integer arithmetic and rounded up per license: the vendor never loses a fraction of a cent, and a
/// reseller never pays more than one minor unit per license above the exact share.
/// <code>
/// charge per license = ⌈ remaining ms × (target price × current term days − current price × target term days)
///                        ÷ (target term days × current term days × 86,400,000) ⌉
/// </code>
/// With two plans of one term length this is the price difference × remaining time ÷ term. The prices are the
/// plans' prices (what one term costs), the remaining time the license's paid time from now until its expiry.
/// </summary>
public static class Proration
{
    private const long MillisecondsPerDay = 86_400_000;

    /// <summary>
    /// True when the target plan costs more per day than the current one: an upgrade, charged now. Otherwise the
    /// change is a downgrade (or a move at the same price), which waits for the next renewal and charges nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The prices are in different currencies, or a term is not positive.</exception>
    public static bool IsUpgrade(Money currentPrice, int currentTermDays, Money targetPrice, int targetTermDays) =>
        DailyRateDifference(currentPrice, currentTermDays, targetPrice, targetTermDays) > 0;

    /// <summary>
    /// The charge for one license moving now to the target plan with <paramref name="remaining"/> of paid time
    /// left: zero for a downgrade or a license with no time left.
    /// </summary>
    /// <exception cref="ArgumentException">The prices are in different currencies, or a term is not positive.</exception>
    /// <exception cref="OverflowException">The charge does not fit 64-bit minor units.</exception>
    public static Money UpgradeCharge(Money currentPrice, int currentTermDays, Money targetPrice, int targetTermDays, TimeSpan remaining)
    {
        var numeratorRate = DailyRateDifference(currentPrice, currentTermDays, targetPrice, targetTermDays);
        var remainingMs = (long)Math.Floor(remaining.TotalMilliseconds);
        if (numeratorRate <= 0 || remainingMs <= 0)
        {
            return Money.Zero(targetPrice.Currency);
        }
        var numerator = remainingMs * numeratorRate;
        var denominator = (Int128)targetTermDays * currentTermDays * MillisecondsPerDay;
        var charge = (numerator + denominator - 1) / denominator;
        return new Money(checked((long)charge), targetPrice.Currency);
    }

    // target price × current term − current price × target term: the sign says which plan costs more per day.
    private static Int128 DailyRateDifference(Money currentPrice, int currentTermDays, Money targetPrice, int targetTermDays)
    {
        ArgumentNullException.ThrowIfNull(currentPrice);
        ArgumentNullException.ThrowIfNull(targetPrice);
        if (currentPrice.Currency != targetPrice.Currency)
        {
            throw new ArgumentException($"Cannot compare a price in {currentPrice.Currency} with one in {targetPrice.Currency}.", nameof(targetPrice));
        }
        if (currentTermDays <= 0 || targetTermDays <= 0)
        {
            throw new ArgumentException("Terms must be at least one day.", nameof(currentTermDays));
        }
        return (Int128)targetPrice.AmountMinor * currentTermDays - (Int128)currentPrice.AmountMinor * targetTermDays;
    }
}
