using System.Text.Json;
using static LicenseHub.Tokens.Tests.TokenTestKit;

namespace LicenseHub.Tokens.Tests;

public sealed class JsonWebKeySetTests
{
    [Fact]
    public void ToJson_OneKey_UsesRfc7517MemberNames()
    {
        var set = new JsonWebKeySet { Keys = [Key.ToJsonWebKey(Kid)] };

        var json = set.ToJson();

        Assert.Equal(
            $"{{\"keys\":[{{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"{Base64Url.Encode(Key.PublicKey)}\",\"kid\":\"{Kid}\",\"use\":\"sig\",\"alg\":\"EdDSA\"}}]}}",
            json);
    }

    [Fact]
    public void Parse_ToJsonOutput_RoundTripsAllMembers()
    {
        var original = new JsonWebKeySet { Keys = [Key.ToJsonWebKey("a"), OtherKey.ToJsonWebKey("b")] };

        var parsed = JsonWebKeySet.Parse(original.ToJson());

        Assert.Equal(original.ToJson(), parsed.ToJson());
        Assert.Equal(["a", "b"], parsed.Keys.Select(k => k.Kid));
        Assert.Equal(OtherKey.PublicKey, parsed.Keys[1].GetPublicKey());
    }

    [Fact]
    public void Parse_ForeignDocumentWithOtherKeyTypes_KeepsThemButVerifierIgnoresThem()
    {
        var json = $$"""
            {"keys":[
              {"kty":"RSA","kid":"rsa1","n":"AQAB","e":"AQAB"},
              {"kty":"OKP","crv":"X25519","kid":"x1","x":"{{Base64Url.Encode(OtherKey.PublicKey)}}"},
              {"kty":"OKP","crv":"Ed25519","kid":"bad","x":"AAAA"},
              {"kty":"OKP","crv":"Ed25519","kid":"{{Kid}}","x":"{{Base64Url.Encode(Key.PublicKey)}}"}
            ]}
            """;

        var set = JsonWebKeySet.Parse(json);
        var verifier = new TokenVerifier(set);

        Assert.Equal(4, set.Keys.Count);
        Assert.Equal([Kid], verifier.TrustedKeyIds);
        Assert.Equal(TokenStatus.Valid, verifier.Verify(Token(), IssuedAt.AddHours(1)).Status);
    }

    [Fact]
    public void Parse_KeyWithPrivatePart_NeverWritesItBack()
    {
        var json = $$"""{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"{{Base64Url.Encode(Key.PublicKey)}}","d":"{{Base64Url.Encode(Key.Seed)}}"}]}""";

        var roundTripped = JsonWebKeySet.Parse(json).ToJson();

        Assert.DoesNotContain("\"d\"", roundTripped, StringComparison.Ordinal);
        Assert.DoesNotContain(Base64Url.Encode(Key.Seed), roundTripped, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"keys\":")]
    [InlineData("[1,2]")]
    public void Parse_InvalidJson_ThrowsFormatException(string json)
    {
        Assert.Throws<FormatException>(() => JsonWebKeySet.Parse(json));
    }

    [Fact]
    public void FromPublicKey_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => JsonWebKey.FromPublicKey("k", new byte[31]));
    }

    [Fact]
    public void ToJson_IsPlainJsonReadableByAnyParser()
    {
        using var doc = JsonDocument.Parse(new JsonWebKeySet { Keys = [Key.ToJsonWebKey(Kid)] }.ToJson());

        var key = doc.RootElement.GetProperty("keys")[0];
        Assert.Equal("OKP", key.GetProperty("kty").GetString());
        Assert.Equal(Base64Url.Encode(Key.PublicKey), key.GetProperty("x").GetString());
    }
}
