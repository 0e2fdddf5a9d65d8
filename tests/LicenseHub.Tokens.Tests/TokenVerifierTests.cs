using System.Text;
using static LicenseHub.Tokens.Tests.TokenTestKit;

namespace LicenseHub.Tokens.Tests;

public sealed class TokenVerifierTests
{
    private static readonly DateTimeOffset Now = IssuedAt.AddHours(1);

    private static TokenVerificationResult Verify(string token, DateTimeOffset? now = null, string? type = TokenTypes.License) =>
        Verifier().Verify(token, now ?? Now, type, "panel", Fingerprint);

    [Fact]
    public void Verify_TamperedPayload_ReturnsBadSignature()
    {
        var parts = Token().Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.Decode(parts[1])).Replace("\"pro\"", "\"ent\"", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64Url.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        var result = Verify(tampered);

        Assert.Equal(TokenStatus.BadSignature, result.Status);
        Assert.Null(result.Claims);
    }

    [Fact]
    public void Verify_TamperedHeaderType_ReturnsBadSignature()
    {
        var parts = Token(type: TokenTypes.License).Split('.');
        var header = Encoding.UTF8.GetBytes($"{{\"alg\":\"EdDSA\",\"kid\":\"{Kid}\",\"typ\":\"{TokenTypes.OfflineLicense}\"}}");
        var tampered = $"{Base64Url.Encode(header)}.{parts[1]}.{parts[2]}";

        Assert.Equal(TokenStatus.BadSignature, Verify(tampered, type: TokenTypes.OfflineLicense).Status);
    }

    [Fact]
    public void Verify_SignedByAnotherKeyUnderTrustedKid_ReturnsBadSignature()
    {
        var forged = new TokenSigner(Kid, OtherKey).Sign(Claims());

        Assert.Equal(TokenStatus.BadSignature, Verify(forged).Status);
    }

    [Fact]
    public void Verify_AlgNoneWithEmptySignature_ReturnsUnsupportedAlgorithm()
    {
        var parts = Token().Split('.');
        var header = Base64Url.Encode(Encoding.UTF8.GetBytes($"{{\"alg\":\"none\",\"kid\":\"{Kid}\",\"typ\":\"{TokenTypes.License}\"}}"));

        var result = Verify($"{header}.{parts[1]}.");

        Assert.Equal(TokenStatus.UnsupportedAlgorithm, result.Status);
        Assert.Contains("none", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AlgHs256_ReturnsUnsupportedAlgorithm()
    {
        // The classic confusion attack: an HMAC "signed" with the public key as secret.
        var token = TokenWithHeader($"{{\"alg\":\"HS256\",\"kid\":\"{Kid}\",\"typ\":\"{TokenTypes.License}\"}}");

        var result = Verify(token);

        Assert.Equal(TokenStatus.UnsupportedAlgorithm, result.Status);
        Assert.Contains("HS256", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MissingAlg_ReturnsUnsupportedAlgorithm()
    {
        var token = TokenWithHeader($"{{\"kid\":\"{Kid}\",\"typ\":\"{TokenTypes.License}\"}}");

        Assert.Equal(TokenStatus.UnsupportedAlgorithm, Verify(token).Status);
    }

    [Fact]
    public void Verify_UnknownKid_ReturnsUnknownKeyId()
    {
        var token = new TokenSigner("k-retired", Key).Sign(Claims());

        var result = Verify(token);

        Assert.Equal(TokenStatus.UnknownKeyId, result.Status);
        Assert.Contains("k-retired", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MissingKid_ReturnsMissingKeyId()
    {
        var token = TokenWithHeader($"{{\"alg\":\"EdDSA\",\"typ\":\"{TokenTypes.License}\"}}");

        Assert.Equal(TokenStatus.MissingKeyId, Verify(token).Status);
    }

    [Fact]
    public void Verify_WrongType_ReturnsWrongType()
    {
        var result = Verify(Token(type: TokenTypes.License), type: TokenTypes.OfflineLicense);

        Assert.Equal(TokenStatus.WrongType, result.Status);
        Assert.NotNull(result.Claims);
    }

    [Fact]
    public void Verify_NullExpectedType_AcceptsAnyType()
    {
        Assert.Equal(TokenStatus.Valid, Verify(Token(type: TokenTypes.OfflineLicense), type: null).Status);
    }

    [Fact]
    public void Verify_BeforeExpiry_IsValidAndNotInGrace()
    {
        var result = Verify(Token(), IssuedAt.AddDays(1).AddSeconds(-1));

        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.False(result.InGrace);
    }

    [Fact]
    public void Verify_AfterExpiryWithinGrace_IsValidInGrace()
    {
        var result = Verify(Token(Claims(graceSeconds: 3600)), IssuedAt.AddDays(1).AddMinutes(59));

        Assert.Equal(TokenStatus.Valid, result.Status);
        Assert.True(result.InGrace);
        Assert.Contains("grace", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AfterExpiryAndGrace_ReturnsExpired()
    {
        var result = Verify(Token(Claims(graceSeconds: 3600)), IssuedAt.AddDays(1).AddHours(1));

        Assert.Equal(TokenStatus.Expired, result.Status);
        Assert.False(result.InGrace);
        Assert.NotNull(result.Claims);
    }

    [Fact]
    public void Verify_AfterExpiryWithoutGrace_ReturnsExpired()
    {
        Assert.Equal(TokenStatus.Expired, Verify(Token(Claims(graceSeconds: 0)), IssuedAt.AddDays(1)).Status);
    }

    [Fact]
    public void Verify_GraceReachingPastLicenseEnd_ReturnsExpired()
    {
        var claims = Claims(graceSeconds: 7 * 86400, licenseEnd: IssuedAt.AddDays(2));

        Assert.Equal(TokenStatus.Valid, Verify(Token(claims), IssuedAt.AddDays(1).AddHours(1)).Status);
        Assert.Equal(TokenStatus.Expired, Verify(Token(claims), IssuedAt.AddDays(2)).Status);
    }

    [Fact]
    public void Verify_BeforeNotBefore_ReturnsNotYetValid()
    {
        var result = Verify(Token(), IssuedAt.AddHours(-1));

        Assert.Equal(TokenStatus.NotYetValid, result.Status);
    }

    [Fact]
    public void Verify_WithinNotBeforeTolerance_IsValid()
    {
        Assert.Equal(TokenStatus.Valid, Verify(Token(), IssuedAt.AddSeconds(-30)).Status);
    }

    [Fact]
    public void Verify_OtherProduct_ReturnsProductMismatch()
    {
        var result = Verifier().Verify(Token(), Now, TokenTypes.License, expectedProduct: "mailer");

        Assert.Equal(TokenStatus.ProductMismatch, result.Status);
    }

    [Fact]
    public void Verify_OtherFingerprint_ReturnsFingerprintMismatch()
    {
        var result = Verifier().Verify(Token(), Now, TokenTypes.License, "panel", new string('0', 64));

        Assert.Equal(TokenStatus.FingerprintMismatch, result.Status);
    }

    [Theory]
    [InlineData(1)] // header only
    [InlineData(2)] // header.payload, no signature part
    public void Verify_TruncatedToFewerParts_ReturnsMalformed(int keptParts)
    {
        var token = string.Join('.', Token().Split('.').Take(keptParts));

        Assert.Equal(TokenStatus.Malformed, Verify(token).Status);
    }

    [Fact]
    public void Verify_TruncatedSignature_ReturnsMalformed()
    {
        var token = Token();

        var result = Verify(token[..^4]);

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("signature", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FourParts_ReturnsMalformed()
    {
        Assert.Equal(TokenStatus.Malformed, Verify(Token() + ".AAAA").Status);
    }

    [Fact]
    public void Verify_HeaderNotBase64Url_ReturnsMalformed()
    {
        var parts = Token().Split('.');

        var result = Verify($"{parts[0]}+.{parts[1]}.{parts[2]}");

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("base64url", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_HeaderNotJson_ReturnsMalformed()
    {
        var token = TokenWithHeader("{\"alg\":\"EdDSA\",");

        var result = Verify(token);

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("JSON", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DuplicateAlgHeader_ReturnsMalformed()
    {
        var token = TokenWithHeader($"{{\"alg\":\"EdDSA\",\"kid\":\"{Kid}\",\"alg\":\"none\"}}");

        Assert.Equal(TokenStatus.Malformed, Verify(token).Status);
    }

    [Fact]
    public void Verify_CriticalHeaderExtension_ReturnsMalformed()
    {
        var token = TokenWithHeader($"{{\"alg\":\"EdDSA\",\"kid\":\"{Kid}\",\"crit\":[\"b64\"],\"b64\":false}}");

        Assert.Equal(TokenStatus.Malformed, Verify(token).Status);
    }

    [Fact]
    public void Verify_SignedPayloadThatIsNotJson_ReturnsMalformed()
    {
        var token = JwsCompact.Sign(
            Encoding.UTF8.GetBytes($"{{\"alg\":\"EdDSA\",\"kid\":\"{Kid}\",\"typ\":\"{TokenTypes.License}\"}}"),
            "not json"u8,
            Key);

        Assert.Equal(TokenStatus.Malformed, Verify(token).Status);
    }

    [Fact]
    public void Verify_SignedPayloadMissingFingerprint_ReturnsMalformedNamingClaim()
    {
        var json = Encoding.UTF8.GetString(Payload(Token())).Replace($"\"fpr\":\"{Fingerprint}\",", "", StringComparison.Ordinal);
        var token = JwsCompact.Sign(
            Encoding.UTF8.GetBytes($"{{\"alg\":\"EdDSA\",\"kid\":\"{Kid}\",\"typ\":\"{TokenTypes.License}\"}}"),
            Encoding.UTF8.GetBytes(json),
            Key);

        var result = Verify(token);

        Assert.Equal(TokenStatus.Malformed, result.Status);
        Assert.Contains("fpr", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OverEightKiB_ReturnsTooLarge()
    {
        var claims = Claims() with { Issuer = new string('i', TokenVerifier.MaxTokenLength) };

        var result = Verify(Token(claims));

        Assert.Equal(TokenStatus.TooLarge, result.Status);
    }

    [Fact]
    public void Verify_JustUnderEightKiB_IsValid()
    {
        var baseline = Token().Length;
        // Each 3 bytes of issuer add 4 characters of base64url.
        var padding = (TokenVerifier.MaxTokenLength - baseline) / 4 * 3;
        var claims = Claims() with { Issuer = Claims().Issuer + new string('i', padding) };

        var token = Token(claims);

        Assert.InRange(token.Length, TokenVerifier.MaxTokenLength - 4, TokenVerifier.MaxTokenLength);
        Assert.Equal(TokenStatus.Valid, Verify(token).Status);
    }

    [Fact]
    public void Verify_ExpiredAndWrongProduct_ReportsProductFirst()
    {
        // A token for another product is never "merely expired": it could not be renewed either.
        var result = Verifier().Verify(Token(), IssuedAt.AddDays(30), TokenTypes.License, expectedProduct: "mailer");

        Assert.Equal(TokenStatus.ProductMismatch, result.Status);
    }
}
