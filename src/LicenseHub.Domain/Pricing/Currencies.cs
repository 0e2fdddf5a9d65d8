namespace LicenseHub.Domain.Pricing;

/// <summary>
/// ISO 4217 currency codes and how many decimal places (the exponent) each one has. The one table of
/// exponents: prices are typed, stored and shown by it everywhere.
/// </summary>
public static class Currencies
{
    // Most currencies have two decimal places; only the exceptions are listed.
    private static readonly HashSet<string> NoDecimals = new(
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"],
        StringComparer.Ordinal);

    private static readonly HashSet<string> ThreeDecimals = new(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], StringComparer.Ordinal);

    /// <summary>What a code that is not three letters is told, after the field's name.</summary>
    public const string InvalidCodeMessage = "must be a three-letter ISO 4217 currency code such as EUR";

    /// <summary>True for a code of three upper-case ASCII letters, the form <see cref="Normalize"/> gives.</summary>
    public static bool IsValidCode(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);

    /// <summary>The code trimmed and upper-cased ("eur " gives "EUR"); null when it is not three letters.</summary>
    public static string? Normalize(string? text)
    {
        var code = (text ?? "").Trim().ToUpperInvariant();
        return IsValidCode(code) ? code : null;
    }

    /// <summary>Decimal places of the currency: 0 for JPY, 3 for BHD, 2 for EUR and any code not listed.</summary>
    /// <exception cref="ArgumentException">The code is not three upper-case letters.</exception>
    public static int Exponent(string code)
    {
        if (!IsValidCode(code))
        {
            throw new ArgumentException("The code is not an ISO 4217 currency code.", nameof(code));
        }
        return NoDecimals.Contains(code) ? 0 : ThreeDecimals.Contains(code) ? 3 : 2;
    }
}
