using System.Net;
using System.Text.RegularExpressions;

namespace LicenseHub.Domain.Validation;

/// <summary>Kinds of personal or identifying data that can be recognised in free text.</summary>
public enum PersonalDataKind
{
    /// <summary>An e-mail address.</summary>
    Email,
    /// <summary>A telephone number.</summary>
    Phone,
    /// <summary>An IPv4 address.</summary>
    IPv4,
    /// <summary>An IPv6 address.</summary>
    IPv6,
    /// <summary>A MAC address.</summary>
    MacAddress,
    /// <summary>A fully-qualified host name.</summary>
    HostName,
}

/// <summary>
/// Recognises values that look like personal or identifying data. Used to refuse such values where
/// none belongs (reseller references, versions) and by the PII scan over stored data.
/// </summary>
public static partial class PersonalDataPatterns
{
    /// <summary>True when the whole value is an e-mail address.</summary>
    public static bool IsEmail(string value) => EmailExact().IsMatch(value);

    /// <summary>Every kind of personal data found anywhere in the value.</summary>
    public static IReadOnlyList<PersonalDataKind> Find(string? value)
    {
        var found = new List<PersonalDataKind>();
        if (string.IsNullOrEmpty(value))
        {
            return found;
        }
        if (EmailAnywhere().IsMatch(value))
        {
            found.Add(PersonalDataKind.Email);
        }
        if (MacAnywhere().IsMatch(value))
        {
            found.Add(PersonalDataKind.MacAddress);
        }
        foreach (Match m in IPv4Anywhere().Matches(value))
        {
            if (IPAddress.TryParse(m.Value, out _))
            {
                found.Add(PersonalDataKind.IPv4);
                break;
            }
        }
        foreach (Match m in IPv6Candidate().Matches(value))
        {
            if (m.Value.Count(c => c == ':') >= 2 && IPAddress.TryParse(m.Value, out var ip)
                && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                found.Add(PersonalDataKind.IPv6);
                break;
            }
        }
        if (PhoneAnywhere().Matches(value).Any(m => LooksLikePhone(m.Value)))
        {
            found.Add(PersonalDataKind.Phone);
        }
        if (!found.Contains(PersonalDataKind.Email) && HostNameAnywhere().IsMatch(value))
        {
            found.Add(PersonalDataKind.HostName);
        }
        return found;
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")]
    private static partial Regex EmailExact();

    [GeneratedRegex(@"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailAnywhere();

    [GeneratedRegex(@"\b[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}\b")]
    private static partial Regex MacAnywhere();

    [GeneratedRegex(@"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")]
    private static partial Regex IPv4Anywhere();

    [GeneratedRegex(@"[0-9A-Fa-f:]{2,39}")]
    private static partial Regex IPv6Candidate();

    /// <summary>True when the whole value is shaped like a telephone number.</summary>
    public static bool IsPhone(string value) => LooksLikePhone(value.Trim());

    // International form (+49 30 1234567, 0049...), a bracketed area code ((555) 123-4567), or at least
    // three separated digit groups of 10+ digits (555-123-4567). Plain digit runs such as customer
    // numbers are not phone numbers.
    private static bool LooksLikePhone(string candidate)
    {
        var digits = candidate.Count(char.IsDigit);
        if (digits is < 7 or > 15)
        {
            return false;
        }
        if (candidate.StartsWith('+') || candidate.StartsWith("00", StringComparison.Ordinal) || candidate.StartsWith('('))
        {
            return candidate.Length > digits || candidate.StartsWith('+') || candidate.StartsWith("00", StringComparison.Ordinal);
        }
        var groups = candidate.Split([' ', '-', '.', '(', ')'], StringSplitOptions.RemoveEmptyEntries).Length;
        return groups >= 3 && digits >= 10;
    }

    [GeneratedRegex(@"(?<![\w.-])(?:\+|\()?\d[\d\s().-]{5,22}\d(?![\w])")]
    private static partial Regex PhoneAnywhere();

    // Two or more labels ending in an alphabetic TLD, e.g. web01.example.com.
    [GeneratedRegex(@"\b(?=[A-Za-z0-9-]{1,63}\.)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){1,}\.[A-Za-z]{2,24}\b")]
    private static partial Regex HostNameAnywhere();
}
