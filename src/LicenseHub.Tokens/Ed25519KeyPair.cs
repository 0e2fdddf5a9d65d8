using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace LicenseHub.Tokens;

/// <summary>
/// An Ed25519 signing key (RFC 8032): the 32-byte seed and its 32-byte public key. The public key is
/// derived once and kept, so signing does not re-derive it.
/// </summary>
public sealed class Ed25519KeyPair
{
    /// <summary>Length in bytes of an Ed25519 seed (private key).</summary>
    public const int SeedLength = 32;

    /// <summary>Length in bytes of an Ed25519 public key.</summary>
    public const int PublicKeyLength = 32;

    private readonly byte[] _publicKey;

    private Ed25519KeyPair(Ed25519PrivateKeyParameters privateKey)
    {
        PrivateKey = privateKey;
        // GeneratePublicKey caches the derived key inside the private key object, which Sign then reuses.
        _publicKey = privateKey.GeneratePublicKey().GetEncoded();
    }

    /// <summary>The 32-byte private seed (a copy; treat it as a secret).</summary>
    public byte[] Seed => PrivateKey.GetEncoded();

    /// <summary>The 32-byte public key (a copy).</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    internal Ed25519PrivateKeyParameters PrivateKey { get; }

    /// <summary>Creates a new key pair from a cryptographically secure random seed.</summary>
    public static Ed25519KeyPair Generate()
    {
        Span<byte> seed = stackalloc byte[SeedLength];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Restores a key pair from its 32-byte seed.</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes long.</exception>
    public static Ed25519KeyPair FromSeed(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != SeedLength)
        {
            throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes, not {seed32.Length}.", nameof(seed32));
        }

        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(seed32));
    }

    /// <summary>The public half of this key as a JWK with the given key id.</summary>
    public JsonWebKey ToJsonWebKey(string kid) => JsonWebKey.FromPublicKey(kid, _publicKey);
}
