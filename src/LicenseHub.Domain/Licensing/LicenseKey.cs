using System.Security.Cryptography;
using System.Text;

namespace LicenseHub.Domain.Licensing;

/// <summary>
/// License keys: 28 random Crockford base32 characters (140 bits) and 2 check characters, shown in six
/// groups of five, e.g. <c>K7Q2M-9XV4D-...</c>. The check characters catch typos before any lookup. The
/// server stores only <see cref="Hash"/> and <see cref="Prefix"/>.
/// </summary>
public static class LicenseKey
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int RandomChars = 28;
    private const int CheckChars = 2;
    private const int Length = RandomChars + CheckChars;

    /// <summary>Characters of the key stored for recognition.</summary>
    public const int PrefixLength = 8;

    /// <summary>Creates a new random key in display form.</summary>
    public static string Generate()
    {
        Span<byte> random = stackalloc byte[RandomChars];
        RandomNumberGenerator.Fill(random);
        Span<char> chars = stackalloc char[Length];
        for (var i = 0; i < RandomChars; i++)
        {
            chars[i] = Alphabet[random[i] & 31];
        }
        WriteCheck(chars[..RandomChars], chars[RandomChars..]);
        return Format(chars);
    }

    /// <summary>
    /// Normalises user input (case, dashes, spaces, Crockford look-alikes) and verifies the check
    /// characters. Returns false for anything that is not a well-formed key.
    /// </summary>
    public static bool TryNormalize(string? input, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrEmpty(input) || input.Length > 64)
        {
            return false;
        }
        Span<char> chars = stackalloc char[Length];
        var n = 0;
        foreach (var raw in input)
        {
            if (raw is '-' or ' ')
            {
                continue;
            }
            var c = char.ToUpperInvariant(raw) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var other => other,
            };
            if (Alphabet.IndexOf(c) < 0 || n == Length)
            {
                return false;
            }
            chars[n++] = c;
        }
        if (n != Length)
        {
            return false;
        }
        Span<char> check = stackalloc char[CheckChars];
        WriteCheck(chars[..RandomChars], check);
        if (!check.SequenceEqual(chars[RandomChars..]))
        {
            return false;
        }
        normalized = new string(chars);
        return true;
    }

    /// <summary>SHA-256 of the normalised key: what the server stores.</summary>
    public static byte[] Hash(string normalized) => SHA256.HashData(Encoding.ASCII.GetBytes(normalized));

    /// <summary>The stored recognition prefix of a normalised key.</summary>
    public static string Prefix(string normalized) => normalized[..PrefixLength];

    private static void WriteCheck(ReadOnlySpan<char> body, Span<char> check)
    {
        Span<byte> ascii = stackalloc byte[body.Length + 7];
        "lhkey1:"u8.CopyTo(ascii);
        for (var i = 0; i < body.Length; i++)
        {
            ascii[7 + i] = (byte)body[i];
        }
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(ascii, digest);
        check[0] = Alphabet[digest[0] & 31];
        check[1] = Alphabet[digest[1] & 31];
    }

    private static string Format(ReadOnlySpan<char> chars)
    {
        var sb = new StringBuilder(Length + Length / 5);
        for (var i = 0; i < chars.Length; i++)
        {
            if (i > 0 && i % 5 == 0)
            {
                sb.Append('-');
            }
            sb.Append(chars[i]);
        }
        return sb.ToString();
    }
}
