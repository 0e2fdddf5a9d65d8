using System.Text;
using System.Text.Json;

namespace LicenseHub.Tokens.Tests;

public sealed class SignedStatusTests
{
    private static readonly DateTimeOffset Now = TokenTestKit.IssuedAt;

    private static SignedStatus Status(DateTimeOffset? issuedAt = null) => new()
    {
        Issuer = "licensehub",
        InstallationId = "ins_1",
        LicenseId = "lic_1",
        Code = "REVOKED",
        Fingerprint = new string('a', 64),
        Nonce = "nonce-1",
        IssuedAt = issuedAt ?? Now,
        ExpiresAt = (issuedAt ?? Now) + SignedStatus.Lifetime,
    };

    private static readonly ExpectedStatus Expected = new("REVOKED", "ins_1", "lic_1", new string('a', 64), "nonce-1");

    [Fact]
    public void Sign_Status_IsStatusTypedJwsWithOnlyTheStatusClaims()
    {
        var jws = Status().Sign(new TokenSigner(TokenTestKit.Kid, TokenTestKit.Key));

        Assert.Contains("\"typ\":\"lh-status+jwt\"", TokenTestKit.Header(jws));
        using var payload = JsonDocument.Parse(Encoding.UTF8.GetString(TokenTestKit.Payload(jws)));
        Assert.Equal(["iss", "iid", "lid", "sts", "fpr", "non", "iat", "exp"], payload.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.True(TokenTestKit.Verifier().VerifyStatus(jws, Now, Expected).IsValid);
    }

    [Fact]
    public void VerifyStatus_LicenseTokenOrOtherKey_IsRefused()
    {
        var verifier = TokenTestKit.Verifier();

        Assert.False(verifier.VerifyStatus(TokenTestKit.Token(), Now, Expected).IsValid);
        Assert.False(verifier.VerifyStatus(Status().Sign(new TokenSigner(TokenTestKit.Kid, TokenTestKit.OtherKey)), Now, Expected).IsValid);
        Assert.False(verifier.VerifyStatus("not.a.status", Now, Expected).IsValid);
        Assert.False(verifier.VerifyStatus(new string('a', SignedStatus.MaxLength + 1), Now, Expected).IsValid);
    }

    [Fact]
    public void VerifyStatus_IssuedOutsideItsKeysCertifiedPeriod_IsRefused()
    {
        var root = Ed25519KeyPair.Generate();
        var jwk = TokenTestKit.Key.ToJsonWebKey(TokenTestKit.Kid);
        jwk.Lhc = KeyCertificate.Issue(root, "root", jwk, Now.AddDays(1), Now.AddDays(30));
        var verifier = TrustAnchor.Of([root.ToJsonWebKey("root")]).CreateVerifier(new JsonWebKeySet { Keys = [jwk] });

        var result = verifier.VerifyStatus(Status().Sign(new TokenSigner(TokenTestKit.Kid, TokenTestKit.Key)), Now, Expected);

        Assert.False(result.IsValid);
        Assert.Contains("certified for", result.Reason);
    }
}
