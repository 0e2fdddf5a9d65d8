using System.Text.RegularExpressions;
using LicenseHub.Domain.Pricing;

namespace LicenseHub.Domain.Validation;

/// <summary>
/// Collects field violations of one request, then throws them together, so a client sees every
/// problem at once and nothing is stored before the whole request is valid.
/// </summary>
public sealed partial class Validator
{
    private readonly List<FieldViolation> _violations = [];

    /// <summary>Violations collected so far.</summary>
    public IReadOnlyList<FieldViolation> Violations => _violations;

    /// <summary>Records a violation.</summary>
    public Validator Fail(string field, string description)
    {
        _violations.Add(new FieldViolation(field, description));
        return this;
    }

    /// <summary>Throws <see cref="ValidationException"/> when anything was recorded.</summary>
    public void ThrowIfInvalid()
    {
        if (_violations.Count > 0)
        {
            throw new ValidationException(_violations.ToArray());
        }
    }

    /// <summary>
    /// Required text of bounded length without control or invisible formatting characters (bidi overrides such as
    /// U+202E, zero-width characters, byte-order marks: Unicode category Cf) or unpaired surrogates; returns it trimmed.
    /// Such characters make what an operator reads differ from what is stored.
    /// </summary>
    public string Text(string field, string? value, int maxLength, int minLength = 1)
    {
        var trimmed = (value ?? "").Trim();
        if (trimmed.Length < minLength)
        {
            Fail(field, minLength == 1 ? "is required" : $"must be at least {minLength} characters");
        }
        else if (trimmed.Length > maxLength)
        {
            Fail(field, $"must be at most {maxLength} characters");
        }
        else if (trimmed.Any(char.IsControl))
        {
            Fail(field, "must not contain control characters");
        }
        else if (HasInvisibleOrBrokenCharacters(trimmed))
        {
            Fail(field, "must not contain invisible formatting characters (bidi controls, zero-width characters) or broken Unicode");
        }
        return trimmed;
    }

    /// <summary>Optional text: empty is allowed.</summary>
    public string? OptionalText(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return Text(field, value, maxLength);
    }

    /// <summary>An integer within [min, max].</summary>
    public int Range(string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            Fail(field, $"must be between {min} and {max}");
        }
        return value;
    }

    /// <summary>A lower-case slug of [a-z0-9-].</summary>
    public string Slug(string field, string? value, int maxLength = 40)
    {
        var text = Text(field, value, maxLength, 2);
        if (text.Length >= 2 && text.Length <= maxLength && !SlugPattern().IsMatch(text))
        {
            Fail(field, "must be lower-case letters, digits and dashes, starting with a letter or digit");
        }
        return text;
    }

    /// <summary>An id: a GUID in its canonical form.</summary>
    public Guid Id(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Fail(field, "is required");
            return Guid.Empty;
        }
        if (!Guid.TryParseExact(value, "D", out var id))
        {
            Fail(field, "is not a valid id");
            return Guid.Empty;
        }
        return id;
    }

    /// <summary>An optional id: empty gives null.</summary>
    public Guid? OptionalId(string field, string? value) =>
        string.IsNullOrEmpty(value) ? null : Id(field, value);

    /// <summary>An e-mail address (simple shape check; the mailbox is the owner's business).</summary>
    public string Email(string field, string? value)
    {
        var text = Text(field, value, 254);
        if (text.Length > 0 && text.Length <= 254 && !PersonalDataPatterns.IsEmail(text))
        {
            Fail(field, "is not a valid e-mail address");
        }
        return text;
    }

    /// <summary>An ISO 3166-1 alpha-2 country code, upper-cased.</summary>
    public string Country(string field, string? value)
    {
        var text = (value ?? "").Trim().ToUpperInvariant();
        if (!CountryCodes.IsKnown(text))
        {
            Fail(field, "must be an ISO 3166-1 alpha-2 country code such as DE or US");
        }
        return text;
    }

    /// <summary>An ISO 4217 currency code, upper-cased.</summary>
    public string Currency(string field, string? value)
    {
        var code = Currencies.Normalize(value);
        if (code is null)
        {
            Fail(field, Currencies.InvalidCodeMessage);
        }
        return code ?? "";
    }

    /// <summary>
    /// A client-chosen key that makes a retried call safe: 8 to 64 characters of letters, digits and . _ : -.
    /// Returns it trimmed.
    /// </summary>
    public string IdempotencyKey(string field, string? value)
    {
        var key = (value ?? "").Trim();
        if (!IdempotencyKeyPattern().IsMatch(key))
        {
            Fail(field, key.Length == 0 ? "is required: 8 to 64 characters of letters, digits and . _ : -" : "must be 8 to 64 characters of letters, digits and . _ : -");
        }
        return key;
    }

    /// <summary>
    /// A list of 1 to <paramref name="max"/> distinct ids, each checked as <c>field[i]</c>. Duplicates are refused:
    /// each id is one license, charged once.
    /// </summary>
    public IReadOnlyList<Guid> Ids(string field, IReadOnlyList<string?> values, int max)
    {
        if (values.Count == 0)
        {
            Fail(field, $"is required: 1 to {max} ids");
            return [];
        }
        if (values.Count > max)
        {
            Fail(field, $"must hold at most {max} ids per call");
            return [];
        }
        var ids = new List<Guid>(values.Count);
        var seen = new HashSet<Guid>();
        for (var i = 0; i < values.Count; i++)
        {
            var id = Id($"{field}[{i}]", values[i]);
            if (id == Guid.Empty)
            {
                continue;
            }
            if (!seen.Add(id))
            {
                Fail($"{field}[{i}]", "appears more than once");
                continue;
            }
            ids.Add(id);
        }
        return ids;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex SlugPattern();

    private static bool HasInvisibleOrBrokenCharacters(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{8,64}$")]
    private static partial Regex IdempotencyKeyPattern();
}
