using System.Text.RegularExpressions;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Server.Licensing;

/// <summary>
/// The reseller's own opaque id for its customer (a billing system's service id, a GUID). It must not carry personal
/// data, so it is an identifier, not free text: 1 to 64 of <c>A-Z a-z 0-9 . _ : -</c>, which already leaves out
/// e-mail addresses, JSON, spaces and international phone numbers; within that alphabet, values shaped like a phone
/// number, an IP or MAC address, a host name or e-mail domain, or a name field are refused too.
/// </summary>
public static partial class ResellerReference
{
    public const int MaxLength = 64;

    /// <summary>The rule, as every refusal states it (never the refused value).</summary>
    public const string Rule = "must be an opaque customer id (such as cust-12345, a GUID or whmcs:service:42): 1 to 64 letters, digits and . _ : -";

    public static string? Validate(Validator v, string field, string? value)
    {
        var text = v.OptionalText(field, value, MaxLength);
        if (text is null || v.Violations.Any(f => f.Field == field))
        {
            return text;
        }
        if (!Alphabet().IsMatch(text))
        {
            v.Fail(field, Rule);
        }
        else if (LooksPersonal(text) is { } kind)
        {
            v.Fail(field, $"looks like {kind}; use an opaque customer id instead (such as cust-12345, a GUID or whmcs:service:42), never personal data");
        }
        return text;
    }

    // What can still look personal within the alphabet. Phone numbers are the digit-only shapes above: the alphabet
    // already refuses +, spaces and brackets, and the free-text phone pattern would refuse GUIDs that start with 00.
    private static string? LooksPersonal(string text)
    {
        if (PhoneLike().IsMatch(text) && text.Count(char.IsAsciiDigit) >= 7)
        {
            return "a phone number";
        }
        var found = PersonalDataPatterns.Find(text);
        if (found.Contains(PersonalDataKind.IPv4) || found.Contains(PersonalDataKind.IPv6))
        {
            return "an IP address";
        }
        if (found.Contains(PersonalDataKind.MacAddress) || DottedMac().IsMatch(text))
        {
            return "a MAC address";
        }
        // example.com, mail.example.de, jane.doe: the last label is a word, as in a host name, e-mail domain or first.last.
        if (found.Contains(PersonalDataKind.HostName) || found.Contains(PersonalDataKind.Email) || HostLike().IsMatch(text))
        {
            return "a host name or e-mail address";
        }
        if (NameField().IsMatch(text))
        {
            return "a person's name field";
        }
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex Alphabet();

    // Digits with dots or dashes only: 030-1234567, 555.123.4567, 01711234567.
    [GeneratedRegex("^[0-9.-]+$")]
    private static partial Regex PhoneLike();

    [GeneratedRegex("^[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}$")]
    private static partial Regex DottedMac();

    [GeneratedRegex("^(?:[A-Za-z0-9_-]+\\.)+[A-Za-z]{2,24}$")]
    private static partial Regex HostLike();

    [GeneratedRegex(@"(?i)(^|[^a-z])(first|last|full|given|family|sur|user|customer|contact)?[_.-]?name[_.-]?[:=]")]
    private static partial Regex NameField();
}
