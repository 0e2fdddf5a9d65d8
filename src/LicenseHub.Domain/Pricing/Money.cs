using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LicenseHub.Domain.Pricing;

/// <summary>
/// An amount of money: whole minor units of an ISO 4217 currency, whose exponent says where the decimal point
/// goes (1999 EUR minor units are 19.99 EUR; 1500 JPY minor units are 1500 JPY). Parsing and formatting follow
/// the currency's exponent from <see cref="Currencies"/>, so a price reads and stores the same everywhere.
/// </summary>
public sealed record Money
{
    // 10^exponent for the exponents ISO 4217 uses.
    private static readonly ulong[] Scales = [1, 10, 100, 1000];

    /// <summary>An amount of <paramref name="amountMinor"/> minor units of <paramref name="currency"/>.</summary>
    /// <exception cref="ArgumentException">The currency is not three upper-case letters.</exception>
    public Money(long amountMinor, string currency)
    {
        if (!Currencies.IsValidCode(currency))
        {
            throw new ArgumentException("The currency is not an ISO 4217 currency code.", nameof(currency));
        }
        AmountMinor = amountMinor;
        Currency = currency;
    }

    /// <summary>The amount in minor units (cents for EUR, yen for JPY, fils for BHD).</summary>
    public long AmountMinor { get; }

    /// <summary>The ISO 4217 code, upper-case.</summary>
    public string Currency { get; }

    /// <summary>Decimal places of <see cref="Currency"/>.</summary>
    public int Exponent => Currencies.Exponent(Currency);

    /// <summary>Nothing, in <paramref name="currency"/>: what a return or a scheduled downgrade costs.</summary>
    public static Money Zero(string currency) => new(0, currency);

    /// <summary>This amount <paramref name="factor"/> times (a price × licenses × terms).</summary>
    /// <exception cref="OverflowException">The product does not fit 64-bit minor units.</exception>
    public Money Times(long factor) => new(checked(AmountMinor * factor), Currency);

    /// <summary>The sum of two amounts of one currency.</summary>
    /// <exception cref="ArgumentException">The currencies differ: amounts of two currencies are never added.</exception>
    /// <exception cref="OverflowException">The sum does not fit 64-bit minor units.</exception>
    public Money Plus(Money other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Currency != Currency)
        {
            throw new ArgumentException($"Cannot add {other.Currency} to {Currency}.", nameof(other));
        }
        return new Money(checked(AmountMinor + other.AmountMinor), Currency);
    }

    /// <summary>
    /// Reads an amount as people type it ("19.99", "1500", "1.250"): digits with an optional dot before the
    /// decimals. Refuses anything else (a comma, a sign, a thousands separator), a negative amount, more
    /// decimals than the currency has, and an amount too large for minor units in 64 bits.
    /// </summary>
    /// <param name="text">What was typed; surrounding white space is ignored.</param>
    /// <param name="currency">A valid ISO 4217 code (see <see cref="Currencies.Normalize"/>).</param>
    /// <param name="money">The amount, when the text is valid.</param>
    /// <param name="error">Why not, worded to follow the field's name: "must not be negative".</param>
    /// <exception cref="ArgumentException">The currency is not three upper-case letters.</exception>
    public static bool TryParse(string? text, string currency, [NotNullWhen(true)] out Money? money, [NotNullWhen(false)] out string? error)
    {
        money = null;
        var exponent = Currencies.Exponent(currency);
        var trimmed = (text ?? "").Trim();
        var negative = trimmed.StartsWith('-');
        var number = negative ? trimmed[1..] : trimmed;
        var dot = number.IndexOf('.');
        var whole = dot < 0 ? number : number[..dot];
        var decimals = dot < 0 ? "" : number[(dot + 1)..];
        if (whole.Length + decimals.Length == 0 || !whole.All(char.IsAsciiDigit) || !decimals.All(char.IsAsciiDigit))
        {
            error = exponent == 0
                ? "must be a whole number such as 1500"
                : $"must be a number with a dot as decimal separator, such as {Example(exponent)}";
            return false;
        }
        if (negative)
        {
            error = "must not be negative";
            return false;
        }
        // "19.990" is exactly 19.99: only digits that would be lost count as too many.
        var significant = decimals.TrimEnd('0');
        if (significant.Length > exponent)
        {
            error = exponent == 0 ? $"has no decimal places in {currency}" : $"has at most {exponent} decimal places in {currency}";
            return false;
        }
        long amount = 0;
        try
        {
            checked
            {
                foreach (var digit in whole)
                {
                    amount = amount * 10 + (digit - '0');
                }
                for (var i = 0; i < exponent; i++)
                {
                    amount = amount * 10 + (i < significant.Length ? significant[i] - '0' : 0);
                }
            }
        }
        catch (OverflowException)
        {
            error = "is too large";
            return false;
        }
        money = new Money(amount, currency);
        error = null;
        return true;
    }

    /// <summary>Like <see cref="TryParse"/>, for text that must be valid.</summary>
    /// <exception cref="FormatException">The text is not a valid amount of the currency; the message says why.</exception>
    public static Money Parse(string? text, string currency) =>
        TryParse(text, currency, out var money, out var error) ? money : throw new FormatException($"'{text}' {error}.");

    /// <summary>"19.99 EUR", "1500 JPY", "1.250 BHD": invariant, as many decimals as the currency has.</summary>
    public override string ToString() => ToString(groupThousands: false);

    /// <summary>As <see cref="ToString()"/>; with <paramref name="groupThousands"/> "1,225.00 EUR", for tables people read.</summary>
    public string ToString(bool groupThousands) => FormatAmount(groupThousands) + " " + Currency;

    /// <summary>The amount without the currency: "19.99", "1500", "1.250" (for a CSV column next to the currency's).</summary>
    public string FormatAmount(bool groupThousands = false)
    {
        var exponent = Exponent;
        // Unsigned, so that long.MinValue has a magnitude too.
        var magnitude = AmountMinor < 0 ? (ulong)(-(AmountMinor + 1)) + 1 : (ulong)AmountMinor;
        var scale = Scales[exponent];
        var whole = (magnitude / scale).ToString(groupThousands ? "#,##0" : "0", CultureInfo.InvariantCulture);
        var decimals = exponent == 0 ? "" : "." + (magnitude % scale).ToString("D" + exponent.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (AmountMinor < 0 ? "-" : "") + whole + decimals;
    }

    private static string Example(int exponent) => exponent == 3 ? "1.250" : "19.99";
}
