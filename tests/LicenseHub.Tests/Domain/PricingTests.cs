using LicenseHub.Domain;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Pricing;

namespace LicenseHub.Tests.Domain;

/// <summary>Renewal, proration and the reconciliation CSV in minor units, for currencies of 0, 2 and 3 decimals.</summary>
public sealed class PricingTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1500, "JPY", 3, 2, 9000, "9000 JPY")]
    [InlineData(1999, "EUR", 3, 2, 11994, "119.94 EUR")]
    [InlineData(12500, "BHD", 3, 2, 75000, "75.000 BHD")]
    public void RenewalPrice_TimesLicensesTimesTerms_StaysInMinorUnits(long renewalMinor, string currency, int licenses, int terms, long expected, string shown)
    {
        var amount = new Money(renewalMinor, currency).Times(licenses).Times(terms);

        Assert.Equal(expected, amount.AmountMinor);
        Assert.Equal(shown, amount.ToString());
    }

    [Fact]
    public void Money_OfTwoCurrencies_IsNeverAdded_AndOverflowIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new Money(1, "EUR").Plus(new Money(1, "JPY")));
        Assert.Throws<OverflowException>(() => new Money(long.MaxValue / 2 + 1, "EUR").Times(2));
        Assert.Equal(new Money(3, "BHD"), new Money(1, "BHD").Plus(new Money(2, "BHD")));
    }

    [Fact]
    public void UpgradeCharge_SameTerm_IsTheDifferenceForTheRemainingTime_RoundedUp()
    {
        // 10.00 → 20.00 EUR a year with 265 of 365 days left: 1000 × 265 / 365 = 726.03 cents, charged 7.27 EUR.
        var charge = Proration.UpgradeCharge(new Money(1000, "EUR"), 365, new Money(2000, "EUR"), 365, TimeSpan.FromDays(265));

        Assert.Equal(new Money(727, "EUR"), charge);
    }

    [Theory]
    // JPY: 1000 → 3000 yen a month (30 days) with 10 days left: 2000 × 10 / 30 = 666.67, charged 667 yen.
    [InlineData(1000, 3000, "JPY", 30, 30, 10.0, 667)]
    // BHD: 1.250 → 2.000 BHD a year with half a year left: 750 × 182.5 / 365 = 375 fils exactly.
    [InlineData(1250, 2000, "BHD", 365, 365, 182.5, 375)]
    // A whole term left: the whole difference, not a fils more.
    [InlineData(1250, 2000, "BHD", 365, 365, 365.0, 750)]
    // Monthly 10.00 EUR → yearly 150.00 EUR (dearer per day), 15 days left:
    // 15 × (15000 × 30 − 1000 × 365) / (365 × 30) = 15 × 85000 / 10950 = 116.44, charged 1.17 EUR.
    [InlineData(1000, 15000, "EUR", 30, 365, 15.0, 117)]
    public void UpgradeCharge_InEveryExponent_IsExactAndNeverBelowTheShare(long currentMinor, long targetMinor, string currency, int currentTerm,
        int targetTerm, double daysLeft, long expected)
    {
        var charge = Proration.UpgradeCharge(new Money(currentMinor, currency), currentTerm, new Money(targetMinor, currency), targetTerm,
            TimeSpan.FromDays(daysLeft));

        Assert.Equal(expected, charge.AmountMinor);
        Assert.Equal(currency, charge.Currency);
    }

    [Fact]
    public void UpgradeCharge_OneMillisecondLeft_IsOneMinorUnit_NoTimeLeftIsNothing()
    {
        var basic = new Money(1000, "EUR");
        var pro = new Money(2000, "EUR");
        Assert.Equal(1, Proration.UpgradeCharge(basic, 365, pro, 365, TimeSpan.FromMilliseconds(1)).AmountMinor);
        Assert.Equal(0, Proration.UpgradeCharge(basic, 365, pro, 365, TimeSpan.Zero).AmountMinor);
        Assert.Equal(0, Proration.UpgradeCharge(basic, 365, pro, 365, TimeSpan.FromDays(-3)).AmountMinor);
    }

    [Fact]
    public void IsUpgrade_ComparesThePricePerDay()
    {
        Assert.True(Proration.IsUpgrade(new Money(1000, "EUR"), 30, new Money(13000, "EUR"), 365));
        // 120.00 a year is cheaper per day than 10.00 a month: a downgrade, free until the renewal.
        Assert.False(Proration.IsUpgrade(new Money(1000, "EUR"), 30, new Money(12000, "EUR"), 365));
        Assert.False(Proration.IsUpgrade(new Money(1000, "EUR"), 30, new Money(1000, "EUR"), 30));
        Assert.Equal(0, Proration.UpgradeCharge(new Money(2000, "EUR"), 365, new Money(1000, "EUR"), 365, TimeSpan.FromDays(100)).AmountMinor);
        Assert.Throws<ArgumentException>(() => Proration.IsUpgrade(new Money(1, "EUR"), 30, new Money(1, "JPY"), 30));
    }

    [Fact]
    public void Renew_CountsFromTheLaterOfNowAndExpiry_AndNeverPastTenTermsAhead()
    {
        var license = License(expiresAt: Now.AddDays(30));

        Assert.Equal(Now.AddDays(30 + 2 * 365), license.RenewedExpiry(365, 2, Now));
        // Paid 30 days ahead, 10 more terms would reach past today + 10 terms.
        var refused = Assert.Throws<PreconditionFailedException>(() => license.Renew(365, 10, Now));
        Assert.Contains("more than 10 terms ahead", refused.Message);
        Assert.Equal(Now.AddDays(30), license.ExpiresAt);

        var lapsed = License(expiresAt: Now.AddDays(-100));
        Assert.Equal(Now.AddDays(10 * 365), lapsed.RenewedExpiry(365, 10, Now));
    }

    [Fact]
    public void Renew_OneTermAtATime_StopsAtTenTermsAhead_InsteadOfOverflowing()
    {
        var license = License(expiresAt: Now.AddDays(3650));
        var renewed = 0;
        for (var i = 0; i < 796; i++)
        {
            try
            {
                license.Renew(3650, 1, Now);
                renewed++;
            }
            catch (PreconditionFailedException)
            {
            }
        }
        Assert.Equal(9, renewed);
        Assert.Equal(Now.AddDays(36500), license.ExpiresAt);
    }

    [Fact]
    public void Return_OnlyNeverActivated_WithinTheWindow_OnThePlanOfItsPool()
    {
        Assert.Contains("activated", Assert.Throws<PreconditionFailedException>(() =>
            License(Now.AddDays(365)).Return(Now.AddDays(1), 14, everActivated: true, planChanged: false)).Message);
        Assert.Contains("could be returned until", Assert.Throws<PreconditionFailedException>(() =>
            License(Now.AddDays(365)).Return(Now.AddDays(14), 14, everActivated: false, planChanged: false)).Message);
        Assert.Throws<PreconditionFailedException>(() => License(Now.AddDays(365)).Return(Now.AddDays(1), 14, everActivated: false, planChanged: true));

        var license = License(Now.AddDays(365));
        license.Return(Now.AddDays(13), 14, everActivated: false, planChanged: false);
        Assert.Equal(LicenseState.Revoked, license.State);
        Assert.Equal(Now.AddDays(13), license.ReturnedAt);
        Assert.Throws<PreconditionFailedException>(() => license.Return(Now.AddDays(13), 14, false, false));
    }

    [Fact]
    public void OrderCsv_WritesAmountsAsTheirCurrency_AndKeepsFormulasOut()
    {
        var id = Guid.Parse("0190a000-0000-7000-8000-000000000001");
        var plan = Guid.Parse("0190a000-0000-7000-8000-0000000000aa");
        var license = Guid.Parse("0190a000-0000-7000-8000-0000000000bb");
        var at = new DateTimeOffset(2027, 3, 4, 5, 6, 7, TimeSpan.Zero);
        OrderCsvRow Row(OrderKind kind, Money amount, string key) =>
            new(id, at, kind, Guid.Empty, plan, "pro-yearly", null, null, 1, 2, amount, key, null, kind == OrderKind.Purchase ? [] : [license]);

        var csv = OrderCsv.Format(
        [
            Row(OrderKind.Renewal, new Money(1250, "BHD"), "invoice-1"),
            Row(OrderKind.Upgrade, new Money(667, "JPY"), "invoice-2"),
            Row(OrderKind.Purchase, new Money(123456, "EUR"), "-=cmd|calc"),
        ], withReseller: false).Split("\r\n");

        Assert.Equal("order_id,created_at,kind,plan_id,plan,from_plan_id,from_plan,licenses,terms,amount,currency,amount_minor,idempotency_key,pool_id,license_ids", csv[0]);
        Assert.Equal($"{id},2027-03-04T05:06:07Z,renewal,{plan},pro-yearly,,,1,2,1.250,BHD,1250,invoice-1,,{license}", csv[1]);
        Assert.Equal($"{id},2027-03-04T05:06:07Z,upgrade,{plan},pro-yearly,,,1,2,667,JPY,667,invoice-2,,{license}", csv[2]);
        Assert.Equal($"{id},2027-03-04T05:06:07Z,purchase,{plan},pro-yearly,,,1,2,1234.56,EUR,123456,'-=cmd|calc,,", csv[3]);
    }

    private static License License(DateTimeOffset expiresAt) => new()
    {
        Id = Guid.NewGuid(),
        KeyPrefix = "ABCDEFGH",
        KeyHash = new byte[32],
        State = LicenseState.Active,
        CreatedAt = Now,
        ExpiresAt = expiresAt,
    };
}
