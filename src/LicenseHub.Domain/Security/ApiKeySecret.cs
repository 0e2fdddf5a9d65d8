using System.Security.Cryptography;
using System.Text;

namespace LicenseHub.Domain.Security;

/// <summary>
/// API key format: <c>lh_</c> + 10-character id prefix + <c>_</c> + 32-character secret (base32, 160 bits).
/// The prefix finds the row; the SHA-256 of the whole key authenticates it.
/// </summary>
public static class ApiKeySecret
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int PrefixChars = 10;
    private const int SecretChars = 32;

    /// <summary>Creates a new key; returns the full key (shown once) and its prefix.</summary>
    public static (string Key, string Prefix) Generate()
    {
        var prefix = RandomText(PrefixChars);
        return ($"lh_{prefix}_{RandomText(SecretChars)}", prefix);
    }

    /// <summary>Splits a presented key into its prefix, or returns false when it is not shaped like one.</summary>
    public static bool TryParse(string? key, out string prefix)
    {
        prefix = "";
        if (key is null || key.Length != 3 + PrefixChars + 1 + SecretChars || !key.StartsWith("lh_", StringComparison.Ordinal)
            || key[3 + PrefixChars] != '_')
        {
            return false;
        }
        prefix = key.Substring(3, PrefixChars);
        return true;
    }

    /// <summary>SHA-256 of the whole key.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.ASCII.GetBytes(key));

    private static string RandomText(int length)
    {
        Span<byte> random = stackalloc byte[length];
        RandomNumberGenerator.Fill(random);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[random[i] & 31];
        }
        return new string(chars);
    }
}
