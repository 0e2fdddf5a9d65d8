using System.Globalization;
using System.Text;
using System.Text.Json;
using static LicenseHub.Tokens.Tests.TokenTestKit;

namespace LicenseHub.Tokens.Tests;

/// <summary>
/// The optional claims <c>ent</c> (the license's feature codes) and <c>mnt</c> (end of maintenance of a perpetual
/// license): written only when present, read strictly (a claim that is not what it should be refuses the whole token,
/// rather than being skipped into "no features"), and the two questions a product asks of them.
/// </summary>
public sealed class EntitlementClaimsTests
{
    private static readonly DateTimeOffset Now = IssuedAt.AddHours(1);
    private static readonly DateTimeOffset MaintenanceEnd = new(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static TokenVerificationResult Verify(string token, DateTimeOffset? now = null) =>
        Verifier().Verify(token, now ?? Now, TokenTypes.License, "panel", Fingerprint);

    /// <summary>A token signed by the trusted key whose payload is the genuine one with <paramref name="members"/> appended.</summary>
    private static string SignedWith(string members)
    {
        var json = Encoding.UTF8.GetString(Payload(Token()));
        return JwsCompact.Sign(
            Encoding.UTF8.GetBytes($"{{\"alg\":\"EdDSA\",\"kid\":\"{Kid}\",\"typ\":\"{TokenTypes.License}\"}}"),
            Encoding.UTF8.GetBytes(json[..^1] + "," + members + "}"),
            Key);
    }

    private static string Codes(int count) =>
        "[" + string.Join(',', Enumerable.Range(0, count).Select(i => $"\"f{i.ToString("D3", CultureInfo.InvariantCulture)}\"")) + "]";

    [Fact]
    public void Sign_EntitlementsAndMaintenance_WritesEntArrayAndMntSecondsAfterTheOtherClaims()
    {
        var claims = Claims() with { Entitlements = ["api", "sso"], MaintenanceUntil = MaintenanceEnd };

        using var payload = JsonDocument.Parse(Payload(Token(claims)));
        var root = payload.RootElement;

        Assert.Equal(["iss", "lid", "iid", "prd", "pln", "edn", "fpr", "iat", "nbf", "exp", "grc", "ent", "mnt"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["api", "sso"], root.GetProperty("ent").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(MaintenanceEnd.ToUnixTimeSeconds(), root.GetProperty("mnt").GetInt64());
    }

    [Fact]
    public void Sign_NoEntitlementsAndNoMaintenance_OmitsEntAndMnt()
    {
        var json = Encoding.UTF8.GetString(Payload(Token(Claims() with { Entitlements = [] })));

        Assert.DoesNotContain("\"ent\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"mnt\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_ThenVerify_RoundTripsEntitlementsAndMaintenance()
    {
        var claims = Claims() with { Entitlements = ["api", "reports", "sso"], MaintenanceUntil = MaintenanceEnd };

        var result = Verify(Token(claims));

        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.Equal(["api", "reports", "sso"], result.Claims!.Entitlements);
        Assert.Equal(MaintenanceEnd, result.Claims.MaintenanceUntil);
        Assert.Null(result.Claims.LicenseExpiresAt);
    }

    [Fact]
    public void Verify_TokenWithoutEntAndMnt_HasNoFeatureAndNoMaintenanceEnd()
    {
        var result = Verify(Token());

        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.Empty(result.Claims!.Entitlements);
        Assert.False(result.Claims.HasFeature("sso"));
        Assert.Null(result.Claims.MaintenanceUntil);
    }

    [Fact]
    public void Verify_EmptyEntArray_IsValidWithNoFeature()
    {
        var result = Verify(SignedWith("\"ent\":[]"));

        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.Empty(result.Claims!.Entitlements);
    }

    [Theory]
    [InlineData("\"ent\":\"sso\"")]
    [InlineData("\"ent\":{\"sso\":true}")]
    [InlineData("\"ent\":null")]
    [InlineData("\"ent\":1")]
    public void Verify_EntNotAnArray_ReturnsMalformedNamingEnt(string member)
    {
        var result = Verify(SignedWith(member));

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("'ent'", result.Reason, StringComparison.Ordinal);
        Assert.Null(result.Claims);
    }

    [Theory]
    [InlineData("\"ent\":[\"sso\",1]")]
    [InlineData("\"ent\":[\"sso\",null]")]
    [InlineData("\"ent\":[[\"sso\"]]")]
    [InlineData("\"ent\":[{\"code\":\"sso\"}]")]
    [InlineData("\"ent\":[true]")]
    public void Verify_EntMemberNotAString_ReturnsMalformed(string member)
    {
        var result = Verify(SignedWith(member));

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("'ent'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MaxEntitlements_IsValid()
    {
        var result = Verify(SignedWith("\"ent\":" + Codes(256)));

        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.Equal(256, result.Claims!.Entitlements.Count);
        Assert.True(result.Claims.HasFeature("f255"));
    }

    [Fact]
    public void Verify_MoreThanMaxEntitlements_ReturnsMalformed()
    {
        var result = Verify(SignedWith("\"ent\":" + Codes(257)));

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("at most 256", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"ent\":[\"sso\"],\"ent\":[\"api\"]")]
    [InlineData("\"ent\":[],\"ent\":[\"sso\"]")]
    [InlineData("\"mnt\":1798761600,\"mnt\":4102444800")]
    public void Verify_DuplicateEntOrMnt_ReturnsMalformed(string members)
    {
        // Two readers of one token must never disagree: one taking the first, another the last.
        var result = Verify(SignedWith(members));

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("duplicate", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1798761600.5")]
    [InlineData("\"1798761600\"")]
    [InlineData("null")]
    [InlineData("253402300800")] // one second past 9999-12-31T23:59:59Z
    public void Verify_MntNotWholeSecondsInRange_ReturnsMalformedNamingMnt(string value)
    {
        var result = Verify(SignedWith("\"mnt\":" + value));

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("'mnt'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MntZero_IsTheUnixEpoch()
    {
        var result = Verify(SignedWith("\"mnt\":0"));

        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.Equal(DateTimeOffset.UnixEpoch, result.Claims!.MaintenanceUntil);
    }

    [Fact]
    public void HasFeature_ComparesWholeCodesOrdinally()
    {
        var claims = Claims() with { Entitlements = ["api", "sso"] };

        Assert.True(claims.HasFeature("sso"));
        Assert.True(claims.HasFeature("api"));
        Assert.False(claims.HasFeature("SSO"));
        Assert.False(claims.HasFeature("ss"));
        Assert.False(claims.HasFeature("sso "));
        Assert.False(claims.HasFeature("reports"));
    }

    [Fact]
    public void CoversRelease_PerpetualLicense_CoversReleasesUpToMaintenanceEndOnly()
    {
        var claims = Claims() with { MaintenanceUntil = MaintenanceEnd };

        Assert.True(claims.CoversRelease(MaintenanceEnd.AddDays(-400)));
        Assert.True(claims.CoversRelease(MaintenanceEnd));
        Assert.False(claims.CoversRelease(MaintenanceEnd.AddSeconds(1)));
        Assert.False(claims.CoversRelease(MaintenanceEnd.AddYears(3)));
    }

    [Fact]
    public void CoversRelease_LicenseWithoutMnt_CoversEveryRelease()
    {
        var claims = Claims(licenseEnd: IssuedAt.AddDays(365));

        Assert.True(claims.CoversRelease(DateTimeOffset.UnixEpoch));
        Assert.True(claims.CoversRelease(IssuedAt.AddYears(50)));
    }

    [Fact]
    public void CoversRelease_AfterRoundTrip_DecidesOnTheSignedMnt()
    {
        var claims = Verify(Token(Claims() with { MaintenanceUntil = MaintenanceEnd })).Claims!;

        Assert.True(claims.CoversRelease(new DateTimeOffset(2027, 2, 28, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(claims.CoversRelease(new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Verify_PerpetualOfflineLicenseExpiringIn9999_IsValidForDecadesWithoutLicenseEnd()
    {
        // A perpetual offline license: no lex, exp at the last second DateTimeOffset can hold, maintenance until mnt.
        var lastSecond = DateTimeOffset.FromUnixTimeSeconds(253402300799);
        var claims = Claims(graceSeconds: 7 * 86400) with
        {
            InstallationId = null,
            ExpiresAt = lastSecond,
            LicenseExpiresAt = null,
            MaintenanceUntil = MaintenanceEnd,
            Entitlements = ["sso"],
        };
        var token = Token(claims, TokenTypes.OfflineLicense);

        var now = Verifier().Verify(token, Now, TokenTypes.OfflineLicense, "panel", Fingerprint);
        var later = Verifier().Verify(token, new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero), TokenTypes.OfflineLicense, "panel", Fingerprint);

        Assert.Equal(TokenStatus.Valid, now.Status);
        Assert.False(now.InGrace);
        Assert.Equal("valid until 9999-12-31T23:59:59Z", now.Reason);
        Assert.Null(now.Claims!.LicenseExpiresAt);
        Assert.Equal(lastSecond, now.Claims.ExpiresAt);
        Assert.Equal(MaintenanceEnd, now.Claims.MaintenanceUntil);
        Assert.Equal(TokenStatus.Valid, later.Status);
    }
}
