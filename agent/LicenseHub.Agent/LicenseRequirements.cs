using System.Globalization;
using LicenseHub.Tokens;

namespace LicenseHub.Agent;

/// <summary>
/// What the product asks of a valid license beyond "licensed" (<c>check --feature</c>, <c>check --released</c>): the
/// features it needs, which the token's <c>ent</c> must name, and its own release date, which a perpetual license's
/// end of maintenance (<c>mnt</c>) must not precede.
/// </summary>
internal sealed record LicenseRequirements(IReadOnlyList<string> Features, DateOnly? ReleasedOn)
{
    /// <summary>Longest feature code accepted on the command line.</summary>
    public const int MaxFeatureCodeLength = 64;

    /// <summary>Why a valid license does not meet the requirements, one line per unmet one; empty when it meets them all.</summary>
    public IReadOnlyList<string> Unmet(LicenseClaims claims)
    {
        var reasons = new List<string>();
        foreach (var code in Features.Distinct(StringComparer.Ordinal))
        {
            if (!claims.HasFeature(code))
            {
                reasons.Add($"license is valid but has no feature {code} ({DescribeFeatures(claims.Entitlements)})");
            }
        }

        // A release dated D counts from D 00:00 UTC, so it is covered exactly when D is on or before mnt's day.
        if (ReleasedOn is { } day && !claims.CoversRelease(StartOfDay(day)))
        {
            reasons.Add($"license is valid but this release ({FormatDay(day)}) is newer than its maintenance (until {FormatDay(claims.MaintenanceUntil!.Value)}): " +
                "run a release of that day or earlier, or renew the maintenance");
        }

        return reasons;
    }

    /// <summary>Why <paramref name="code"/> cannot be a feature code (lower-case letters, digits and dashes), or null.</summary>
    public static string? FeatureCodeProblem(string code)
    {
        if (code.Length is 0 or > MaxFeatureCodeLength)
        {
            return $"--feature '{Printable(code)}' must be 1 to {MaxFeatureCodeLength} characters";
        }

        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' || (c == '-' && i > 0)))
            {
                return $"--feature '{Printable(code)}' is not a feature code: lower-case letters, digits and dashes, starting with a letter or digit (e.g. sso)";
            }
        }

        return null;
    }

    /// <summary>A calendar date written YYYY-MM-DD, and nothing else.</summary>
    public static bool TryParseDay(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    public static DateTimeOffset StartOfDay(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static string FormatDay(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string FormatDay(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string DescribeFeatures(IReadOnlyList<string> features) =>
        features.Count == 0 ? "it has no features" : "its features: " + string.Join(", ", features);

    // The code comes from the command line; keep what is echoed back short and without control characters.
    private static string Printable(string text)
    {
        var shortened = text.Length > MaxFeatureCodeLength ? text[..MaxFeatureCodeLength] + "…" : text;
        return string.Concat(shortened.Select(c => char.IsControl(c) ? '?' : c));
    }
}
