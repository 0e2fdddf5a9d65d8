using System.Text;
using LicenseHub.Tokens;

namespace LicenseHub.Benchmarks;

/// <summary>
/// A token exactly as the server issues it on a check-in (same claims, same header), and the bytes its
/// signature covers, so every contender signs or verifies the same message.
/// </summary>
public sealed class TokenFixture
{
    public const string Kid = "lh-20261126-0a1b2c3d";
    public const string Product = "panel";
    public const string Fingerprint = "3f2a9c0d5e7b8a1f4c6d2e9b0a7f3c5d1e8b4a2f6c9d0e7b3a5f1c8d2e4b6a9f";

    public TokenFixture()
    {
        Seed = new byte[Ed25519KeyPair.SeedLength];
        for (var i = 0; i < Seed.Length; i++)
        {
            Seed[i] = (byte)(i * 7 + 1);
        }
        KeyPair = Ed25519KeyPair.FromSeed(Seed);
        PublicKey = KeyPair.PublicKey;
        Signer = new TokenSigner(Kid, KeyPair);
        Now = DateTimeOffset.FromUnixTimeSeconds(1_795_000_000);
        Claims = new LicenseClaims
        {
            Issuer = "licensehub",
            LicenseId = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b",
            InstallationId = "0199a3c4-6c7d-7e8f-9a0b-1c2d3e4f5a6c",
            Product = Product,
            Plan = "pro-yearly",
            Edition = "pro",
            Fingerprint = Fingerprint,
            IssuedAt = Now,
            NotBefore = Now,
            ExpiresAt = Now.AddHours(24),
            OfflineGraceSeconds = 7 * 86_400,
            LicenseExpiresAt = Now.AddDays(365),
        };
        Token = Signer.Sign(Claims);
        var lastDot = Token.LastIndexOf('.');
        SigningInput = Encoding.ASCII.GetBytes(Token[..lastDot]);
        Signature = Base64Url.Decode(Token[(lastDot + 1)..]);
        Verifier = new TokenVerifier(new JsonWebKeySet { Keys = [KeyPair.ToJsonWebKey(Kid)] });
    }

    public byte[] Seed { get; }

    public Ed25519KeyPair KeyPair { get; }

    public byte[] PublicKey { get; }

    public TokenSigner Signer { get; }

    public TokenVerifier Verifier { get; }

    public DateTimeOffset Now { get; }

    public LicenseClaims Claims { get; }

    public string Token { get; }

    /// <summary>ASCII of BASE64URL(header) '.' BASE64URL(payload): what the signature covers.</summary>
    public byte[] SigningInput { get; }

    public byte[] Signature { get; }
}
