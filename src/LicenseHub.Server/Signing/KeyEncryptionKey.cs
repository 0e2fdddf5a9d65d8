using System.Security.Cryptography;
using System.Text;
using LicenseHub.Server.Operations;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Signing;

/// <summary>
/// The key-encryption key (KEK) that protects signing keys at rest (AES-256-GCM). Taken from the
/// environment variable <c>LICENSEHUB_KEK</c> (base64 of 32 bytes), else from the file named by
/// <c>LicenseHub:KeyEncryptionKeyFile</c>; in development it is generated on first start into the data
/// directory with 0600 permissions, with a warning.
/// </summary>
public sealed class KeyEncryptionKey
{
    public const string EnvironmentVariable = "LICENSEHUB_KEK";
    public const string DefaultFileName = "kek.key";
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly byte[] _key;

    public KeyEncryptionKey(IOptions<LicenseHubOptions> options, ILogger<KeyEncryptionKey> logger)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            _key = Parse(fromEnvironment, $"environment variable {EnvironmentVariable}");
            return;
        }
        var path = options.Value.KeyEncryptionKeyFile;
        if (!string.IsNullOrWhiteSpace(path))
        {
            _key = Parse(File.ReadAllText(path), path);
            return;
        }
        path = Path.Combine(options.Value.ResolveDataDirectory(), DefaultFileName);
        if (!File.Exists(path))
        {
            OwnerOnlyFile.WriteAsync(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n", CancellationToken.None)
                .GetAwaiter().GetResult();
            logger.LogWarning(
                "Generated a development key-encryption key at {Path}. In production supply it through {Variable} or LicenseHub:KeyEncryptionKeyFile and keep it apart from the database and its backups.",
                path, EnvironmentVariable);
        }
        _key = Parse(File.ReadAllText(path), path);
    }

    private static byte[] Parse(string text, string source)
    {
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            if (key.Length == 32)
            {
                return key;
            }
        }
        catch (FormatException)
        {
        }
        throw new InvalidOperationException($"The key-encryption key from {source} must be base64 of exactly 32 bytes.");
    }

    /// <summary>Encrypts <paramref name="plaintext"/>, bound to <paramref name="context"/> (the kid).</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, string context)
    {
        var output = new byte[NonceLength + plaintext.Length + TagLength];
        var nonce = output.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagLength);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceLength, plaintext.Length), output.AsSpan(NonceLength + plaintext.Length),
            Encoding.UTF8.GetBytes(context));
        return output;
    }

    /// <summary>Decrypts, or throws <see cref="CryptographicException"/> for a wrong key or tampered data.</summary>
    public byte[] Decrypt(ReadOnlySpan<byte> sealedData, string context)
    {
        var length = sealedData.Length - NonceLength - TagLength;
        if (length <= 0)
        {
            throw new CryptographicException("Encrypted key is truncated.");
        }
        var plaintext = new byte[length];
        using var aes = new AesGcm(_key, TagLength);
        aes.Decrypt(sealedData[..NonceLength], sealedData.Slice(NonceLength, length), sealedData[(NonceLength + length)..], plaintext,
            Encoding.UTF8.GetBytes(context));
        return plaintext;
    }
}
