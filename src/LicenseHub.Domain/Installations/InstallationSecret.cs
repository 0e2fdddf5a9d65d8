using System.Security.Cryptography;
using System.Text;

namespace LicenseHub.Domain.Installations;

/// <summary>
/// The per-installation credential an agent presents after activation, instead of the license key. Only its
/// SHA-256 is stored.
/// </summary>
public static class InstallationSecret
{
    /// <summary>A new random secret (256 bits, base64url).</summary>
    public static string New() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>What is stored of <paramref name="secret"/>.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>
    /// Stored instead of a hash when the credential is withdrawn (a copied installation re-activated by its reseller):
    /// no secret matches it, so only an activation with the license key can give the installation a credential again.
    /// </summary>
    public static byte[] Voided => [];

    /// <summary>Whether <paramref name="secret"/> is the one whose hash is stored, in constant time.</summary>
    public static bool Matches(byte[] storedHash, string secret) => CryptographicOperations.FixedTimeEquals(storedHash, Hash(secret));
}
