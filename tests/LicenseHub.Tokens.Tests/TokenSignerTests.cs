using System.Text;
using System.Text.Json;
using static LicenseHub.Tokens.Tests.TokenTestKit;

namespace LicenseHub.Tokens.Tests;

public sealed class TokenSignerTests
{
    [Fact]
    public void Sign_LicenseClaims_WritesEdDsaHeaderWithKidAndType()
    {
        var token = Token(type: TokenTypes.OfflineLicense);

        Assert.Equal("{\"alg\":\"EdDSA\",\"kid\":\"k2026-01\",\"typ\":\"lh-offline-license+jwt\"}", Header(token));
    }

    [Fact]
    public void Sign_LicenseClaims_WritesRegisteredShortClaimNamesAsUnixSeconds()
    {
        var claims = Claims(licenseEnd: IssuedAt.AddDays(365));

        using var payload = JsonDocument.Parse(Payload(Token(claims)));
        var root = payload.RootElement;

        Assert.Equal(
            ["iss", "lid", "iid", "prd", "pln", "edn", "fpr", "iat", "nbf", "exp", "grc", "lex"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(IssuedAt.ToUnixTimeSeconds(), root.GetProperty("iat").GetInt64());
        Assert.Equal(IssuedAt.AddDays(1).ToUnixTimeSeconds(), root.GetProperty("exp").GetInt64());
        Assert.Equal(IssuedAt.AddDays(365).ToUnixTimeSeconds(), root.GetProperty("lex").GetInt64());
        Assert.Equal(3600, root.GetProperty("grc").GetInt32());
        Assert.Equal("panel", root.GetProperty("prd").GetString());
    }

    [Fact]
    public void Sign_ClaimsWithoutOptionalMembers_OmitsIidAndLex()
    {
        var claims = Claims() with { InstallationId = null, LicenseExpiresAt = null };

        var json = Encoding.UTF8.GetString(Payload(Token(claims)));

        Assert.DoesNotContain("\"iid\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"lex\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_ThenVerify_RoundTripsEveryClaim()
    {
        var claims = Claims(licenseEnd: IssuedAt.AddDays(365)) with { Entitlements = ["api", "sso"], MaintenanceUntil = IssuedAt.AddDays(400) };

        var result = Verifier().Verify(Token(claims), IssuedAt.AddHours(1), TokenTypes.License, "panel", Fingerprint);

        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.False(result.InGrace);
        Assert.Equal(claims, result.Claims);
        Assert.Equal(TokenTypes.License, result.Type);
    }

    [Fact]
    public void Sign_ThenVerify_ClaimsWithoutOptionalMembersEqualTheSignedOnes()
    {
        var claims = Claims() with { InstallationId = null, LicenseExpiresAt = null };

        Assert.Equal(claims, Verifier().Verify(Token(claims), IssuedAt.AddHours(1)).Claims);
    }

    [Fact]
    public void Equals_SameCodesInAnotherList_IsEqualAndOtherCodesAreNot()
    {
        var claims = Claims() with { Entitlements = ["api", "sso"] };

        Assert.Equal(claims, Claims() with { Entitlements = new List<string> { "api", "sso" } });
        Assert.Equal(claims.GetHashCode(), (Claims() with { Entitlements = new List<string> { "api", "sso" } }).GetHashCode());
        Assert.NotEqual(claims, Claims() with { Entitlements = ["api"] });
        Assert.NotEqual(claims, Claims() with { Entitlements = ["sso", "api"] });
        Assert.NotEqual(claims, claims with { MaintenanceUntil = IssuedAt });
    }

    [Fact]
    public void Sign_ConcurrentCallsOnOneSigner_AllTokensVerify()
    {
        var signer = new TokenSigner(Kid, Key);
        var verifier = Verifier();

        var results = Enumerable.Range(0, 200).AsParallel().WithDegreeOfParallelism(8)
            .Select(i => signer.Sign(Claims() with { LicenseId = $"lic_{i}" }))
            .Select(t => verifier.Verify(t, IssuedAt.AddHours(1)))
            .ToList();

        Assert.All(results, r => Assert.Equal(TokenStatus.Valid, r.Status));
        Assert.Equal(200, results.Select(r => r.Claims!.LicenseId).Distinct().Count());
    }

    [Fact]
    public void Generate_TwoKeys_DifferAndSignVerifiably()
    {
        var a = Ed25519KeyPair.Generate();
        var b = Ed25519KeyPair.Generate();

        Assert.NotEqual(a.Seed, b.Seed);
        var token = new TokenSigner("gen", a).Sign(Claims());
        var verifier = new TokenVerifier([a.ToJsonWebKey("gen")]);
        Assert.Equal(TokenStatus.Valid, verifier.Verify(token, IssuedAt.AddHours(1)).Status);
    }

    [Fact]
    public void FromSeed_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => Ed25519KeyPair.FromSeed(new byte[31]));
    }
}
