using System.Text;

namespace LicenseHub.Tokens.Tests;

/// <summary>Keys, claims and hand-made tokens shared by the token tests.</summary>
internal static class TokenTestKit
{
    public const string Kid = "k2026-01";
    public const string Fingerprint = "3f9a1c0e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468";

    public static readonly Ed25519KeyPair Key = Ed25519KeyPair.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    public static readonly Ed25519KeyPair OtherKey = Ed25519KeyPair.FromSeed(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    public static readonly DateTimeOffset IssuedAt = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static LicenseClaims Claims(int graceSeconds = 3600, DateTimeOffset? licenseEnd = null) => new()
    {
        Issuer = "https://license.example.test",
        LicenseId = "lic_01HV6Z",
        InstallationId = "ins_01HV70",
        Product = "panel",
        Plan = "panel-pro-yearly",
        Edition = "pro",
        Fingerprint = Fingerprint,
        IssuedAt = IssuedAt,
        NotBefore = IssuedAt,
        ExpiresAt = IssuedAt.AddDays(1),
        OfflineGraceSeconds = graceSeconds,
        LicenseExpiresAt = licenseEnd,
    };

    public static TokenVerifier Verifier() => new(new JsonWebKeySet { Keys = [Key.ToJsonWebKey(Kid)] });

    public static string Token(LicenseClaims? claims = null, string type = TokenTypes.License) =>
        new TokenSigner(Kid, Key).Sign(claims ?? Claims(), type);

    /// <summary>Signs arbitrary header JSON over the payload of a genuine token.</summary>
    public static string TokenWithHeader(string headerJson, Ed25519KeyPair? key = null) =>
        JwsCompact.Sign(Encoding.UTF8.GetBytes(headerJson), Payload(Token()), key ?? Key);

    public static byte[] Payload(string token) => Base64Url.Decode(token.Split('.')[1]);

    public static string Header(string token) => Encoding.UTF8.GetString(Base64Url.Decode(token.Split('.')[0]));
}
