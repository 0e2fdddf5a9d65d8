using LicenseHub.Domain.Pricing;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Tests.Domain;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("1500", "JPY", 1500)]
    [InlineData("0", "JPY", 0)]
    [InlineData("1500.00", "JPY", 1500)]
    [InlineData("1500.", "KRW", 1500)]
    [InlineData("19.99", "EUR", 1999)]
    [InlineData("19", "EUR", 1900)]
    [InlineData("19.9", "EUR", 1990)]
    [InlineData(" 0.05 ", "EUR", 5)]
    [InlineData("19.990", "EUR", 1999)]
    [InlineData("1.250", "BHD", 1250)]
    [InlineData("1.25", "BHD", 1250)]
    [InlineData("0.001", "BHD", 1)]
    [InlineData("92233720368547758.07", "EUR", long.MaxValue)]
    [InlineData("9223372036854775807", "JPY", long.MaxValue)]
    public void Parse_WhatPeopleType_GivesMinorUnitsOfTheCurrency(string text, string currency, long expectedMinor)
    {
        var money = Money.Parse(text, currency);

        Assert.Equal(expectedMinor, money.AmountMinor);
        Assert.Equal(currency, money.Currency);
    }

    [Theory]
    [InlineData("1500.5", "JPY", "has no decimal places in JPY")]
    [InlineData("19.999", "EUR", "has at most 2 decimal places in EUR")]
    [InlineData("1.2505", "BHD", "has at most 3 decimal places in BHD")]
    [InlineData("-5", "EUR", "must not be negative")]
    [InlineData("-1500", "JPY", "must not be negative")]
    [InlineData("19,99", "EUR", "must be a number with a dot as decimal separator, such as 19.99")]
    [InlineData("1,250", "BHD", "must be a number with a dot as decimal separator, such as 1.250")]
    [InlineData("1,500", "JPY", "must be a whole number such as 1500")]
    [InlineData("", "EUR", "must be a number with a dot as decimal separator, such as 19.99")]
    [InlineData(".", "EUR", "must be a number with a dot as decimal separator, such as 19.99")]
    [InlineData("1 500", "JPY", "must be a whole number such as 1500")]
    [InlineData("+5", "EUR", "must be a number with a dot as decimal separator, such as 19.99")]
    [InlineData("1e3", "EUR", "must be a number with a dot as decimal separator, such as 19.99")]
    [InlineData("١٥٠٠", "JPY", "must be a whole number such as 1500")]
    [InlineData("92233720368547758.08", "EUR", "is too large")]
    [InlineData("9223372036854775808", "JPY", "is too large")]
    [InlineData("99999999999999999999999999999999999", "BHD", "is too large")]
    public void TryParse_WhatCannotBeAPrice_IsRefusedWithTheReason(string text, string currency, string expectedError)
    {
        var parsed = Money.TryParse(text, currency, out var money, out var error);

        Assert.False(parsed);
        Assert.Null(money);
        Assert.Equal(expectedError, error);
    }

    [Fact]
    public void Parse_Refused_ThrowsFormatExceptionNamingTheTextAndTheReason()
    {
        var thrown = Assert.Throws<FormatException>(() => Money.Parse("1500.5", "JPY"));

        Assert.Equal("'1500.5' has no decimal places in JPY.", thrown.Message);
    }

    [Theory]
    [InlineData(1500, "JPY", "1500 JPY", "1,500 JPY")]
    [InlineData(1999, "EUR", "19.99 EUR", "19.99 EUR")]
    [InlineData(5, "EUR", "0.05 EUR", "0.05 EUR")]
    [InlineData(0, "EUR", "0.00 EUR", "0.00 EUR")]
    [InlineData(122500, "EUR", "1225.00 EUR", "1,225.00 EUR")]
    [InlineData(1250, "BHD", "1.250 BHD", "1.250 BHD")]
    [InlineData(1, "BHD", "0.001 BHD", "0.001 BHD")]
    [InlineData(1234567890, "KWD", "1234567.890 KWD", "1,234,567.890 KWD")]
    [InlineData(-1999, "EUR", "-19.99 EUR", "-19.99 EUR")]
    [InlineData(long.MinValue, "JPY", "-9223372036854775808 JPY", "-9,223,372,036,854,775,808 JPY")]
    [InlineData(4900, "XYZ", "49.00 XYZ", "49.00 XYZ")]
    public void ToString_ShowsTheCurrencysOwnDecimals(long minor, string currency, string plain, string grouped)
    {
        var money = new Money(minor, currency);

        Assert.Equal(plain, money.ToString());
        Assert.Equal(grouped, money.ToString(groupThousands: true));
    }

    [Theory]
    [InlineData(1500, "JPY")]
    [InlineData(1999, "EUR")]
    [InlineData(1250, "BHD")]
    [InlineData(long.MaxValue, "EUR")]
    public void Parse_OfToString_GivesTheSameAmount(long minor, string currency)
    {
        var shown = new Money(minor, currency).ToString();

        Assert.Equal(new Money(minor, currency), Money.Parse(shown[..^4], currency));
    }

    [Theory]
    [InlineData("JPY", 0)]
    [InlineData("KRW", 0)]
    [InlineData("EUR", 2)]
    [InlineData("USD", 2)]
    [InlineData("BHD", 3)]
    [InlineData("KWD", 3)]
    [InlineData("XYZ", 2)]
    public void Exponent_IsTheCurrencysDecimalPlaces(string currency, int expected)
    {
        Assert.Equal(expected, Currencies.Exponent(currency));
        Assert.Equal(expected, new Money(0, currency).Exponent);
    }

    [Theory]
    [InlineData(" eur ", "EUR")]
    [InlineData("jpy", "JPY")]
    [InlineData("BHD", "BHD")]
    [InlineData("euro", null)]
    [InlineData("EU", null)]
    [InlineData("E1R", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Normalize_ThreeLettersOnly_UpperCased(string? text, string? expected)
    {
        Assert.Equal(expected, Currencies.Normalize(text));
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("euro")]
    [InlineData("")]
    public void Constructor_CodeNotNormalized_Throws(string currency)
    {
        Assert.Throws<ArgumentException>(() => new Money(100, currency));
        Assert.Throws<ArgumentException>(() => Money.TryParse("1", currency, out _, out _));
    }

    [Fact]
    public void ValidatorCurrency_UsesTheSameCodeRule()
    {
        var v = new Validator();

        Assert.Equal("JPY", v.Currency("price.currency", " jpy"));
        v.Currency("price.currency", "yen!");

        var violation = Assert.Single(v.Violations);
        Assert.Equal("price.currency", violation.Field);
        Assert.Equal(Currencies.InvalidCodeMessage, violation.Description);
    }
}
