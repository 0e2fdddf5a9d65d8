using System.Text;

namespace LicenseHub.Tokens.Tests;

/// <summary>Known-answer tests from RFC 8037 Appendix A.</summary>
public sealed class Rfc8037Tests
{
    // A.1: the private key "d" and public key "x".
    private const string D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    private const string X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    // A.4: the JWS of "Example of Ed25519 signing" under {"alg":"EdDSA"} (signature: 86 characters = 64 bytes).
    private const string ExpectedJws =
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc." +
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    [Fact]
    public void FromSeed_Rfc8037KeyA1_DerivesPublicKeyA2()
    {
        var key = Ed25519KeyPair.FromSeed(Base64Url.Decode(D));

        Assert.Equal(X, Base64Url.Encode(key.PublicKey));
        Assert.Equal(D, Base64Url.Encode(key.Seed));
    }

    [Fact]
    public void Sign_Rfc8037ExampleA4_ReproducesJwsByteForByte()
    {
        var key = Ed25519KeyPair.FromSeed(Base64Url.Decode(D));

        var jws = JwsCompact.Sign("{\"alg\":\"EdDSA\"}"u8, Encoding.UTF8.GetBytes("Example of Ed25519 signing"), key);

        Assert.Equal(ExpectedJws, jws);
    }

    [Fact]
    public void VerifySignature_Rfc8037ExampleA5_Succeeds()
    {
        Assert.True(JwsCompact.VerifySignature(ExpectedJws, Base64Url.Decode(X)));
    }

    [Fact]
    public void VerifySignature_Rfc8037ExampleWithAlteredPayload_Fails()
    {
        var altered = ExpectedJws.Replace(".RXhhbXBsZSBvZiBF", ".RXhhbXBsZSBvZiBG", StringComparison.Ordinal);

        Assert.False(JwsCompact.VerifySignature(altered, Base64Url.Decode(X)));
    }

    [Fact]
    public void ComputeThumbprint_Rfc8037KeyA3_MatchesPublishedThumbprint()
    {
        var jwk = JsonWebKey.FromPublicKey("any", Base64Url.Decode(X));

        Assert.Equal("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", jwk.ComputeThumbprint());
    }
}
