using System.Text.RegularExpressions;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Server.Licensing;

/// <summary>
/// The reseller's own opaque id for its customer. It must not carry personal data: e-mail addresses,
/// phone numbers, IP addresses and name fields are refused.
/// </summary>
public static partial class ResellerReference
{
    public const int MaxLength = 64;

    public static string? Validate(Validator v, string field, string? value)
    {
        var text = v.OptionalText(field, value, MaxLength);
        if (text is null)
        {
            return null;
        }
        var found = PersonalDataPatterns.Find(text);
        if (found.Count > 0)
        {
            v.Fail(field, $"looks like personal data ({string.Join(", ", found)}); use an opaque customer id instead");
        }
        else if (NameField().IsMatch(text))
        {
            v.Fail(field, "looks like a person's name field; use an opaque customer id instead");
        }
        return text;
    }

    [GeneratedRegex(@"(?i)\b(first|last|full|given|family|sur)?_?name\s*[:=]")]
    private static partial Regex NameField();
}
