using System.Globalization;

namespace LicenseHub.Cli.Output;

/// <summary>Converts between prices as people type them ("19.99") and minor units (1999) per ISO 4217.</summary>
public static class Prices
{
    private static readonly HashSet<string> NoMinorUnit =
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"];

    private static readonly HashSet<string> ThreeMinorDigits = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

    public static int Exponent(string currency) =>
        NoMinorUnit.Contains(currency) ? 0 : ThreeMinorDigits.Contains(currency) ? 3 : 2;

    public static string NormalizeCurrency(string currency)
    {
        var code = currency.Trim().ToUpperInvariant();
        if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))
        {
            throw new UsageException($"--currency must be a three-letter ISO 4217 code such as EUR or USD (got '{currency}').");
        }
        return code;
    }

    /// <summary>Parses "19.99" into 1999 for EUR; refuses more decimals than the currency has.</summary>
    public static long ToMinorUnits(string price, string currency)
    {
        if (!decimal.TryParse(price.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new UsageException($"--price must be a non-negative number with a dot as decimal separator, e.g. 19.99 (got '{price}').");
        }
        var exponent = Exponent(currency);
        var scaled = value * Pow10(exponent);
        if (scaled != decimal.Truncate(scaled))
        {
            throw new UsageException($"--price {price}: {currency} has {exponent} decimal place(s).");
        }
        if (scaled > long.MaxValue)
        {
            throw new UsageException($"--price {price} is too large.");
        }
        return (long)scaled;
    }

    public static string Format(long amountMinor, string currency)
    {
        var exponent = Exponent(currency);
        var value = amountMinor / Pow10(exponent);
        return value.ToString("F" + exponent.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + " " + currency;
    }

    private static decimal Pow10(int exponent)
    {
        decimal result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }
        return result;
    }
}
