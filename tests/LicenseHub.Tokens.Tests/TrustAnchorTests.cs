using System.Text;
using System.Text.Json.Nodes;

namespace LicenseHub.Tokens.Tests;

/// <summary>
/// The root of trust: a signing key counts only with a certificate from an anchor root, for that very key, and only
/// for tokens issued in its certified period. Each test names a forgery an end user could try.
/// </summary>
public sealed class TrustAnchorTests
{
    private const string RootKid = "root-2026";
    private static readonly Ed25519KeyPair Root = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)42, 32).ToArray());
    private static readonly Ed25519KeyPair OtherRoot = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)43, 32).ToArray());
    private static readonly DateTimeOffset Now = TokenTestKit.IssuedAt.AddHours(1);

    private static TrustAnchor Anchor(params Ed25519KeyPair[] roots) =>
        TrustAnchor.Of(roots.Length == 0 ? [Root.ToJsonWebKey(RootKid)] : roots.Select((r, i) => r.ToJsonWebKey($"root-{i}")));

    private static JsonWebKey Certified(Ed25519KeyPair key, string kid, Ed25519KeyPair? root = null, string rootKid = RootKid,
        DateTimeOffset? from = null, DateTimeOffset? until = null)
    {
        var jwk = key.ToJsonWebKey(kid);
        jwk.Lhc = KeyCertificate.Issue(root ?? Root, rootKid, jwk, from ?? TokenTestKit.IssuedAt.AddDays(-30), until ?? TokenTestKit.IssuedAt.AddDays(365));
        return jwk;
    }

    private static JsonWebKeySet Set(params JsonWebKey[] keys) => new() { Keys = [.. keys] };

    [Fact]
    public void A_token_from_a_certified_key_is_valid()
    {
        var result = Anchor().CreateVerifier(Set(Certified(TokenTestKit.Key, TokenTestKit.Kid))).Verify(TokenTestKit.Token(), Now, expectedProduct: "panel");

        Assert.Equal(TokenStatus.Valid, result.Status);
    }

    [Fact]
    public void The_certificate_is_a_stock_compact_jws_with_the_documented_header_and_payload()
    {
        var jwk = Certified(TokenTestKit.Key, TokenTestKit.Kid);
        var parts = jwk.Lhc!.Split('.');

        var header = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.Decode(parts[0])))!;
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.Decode(parts[1])))!;
        Assert.Equal("EdDSA", (string?)header["alg"]);
        Assert.Equal(RootKid, (string?)header["kid"]);
        Assert.Equal("lh-key-certificate+jwt", (string?)header["typ"]);
        Assert.Equal(jwk.ComputeThumbprint(), (string?)payload["jkt"]);
        Assert.Equal(TokenTestKit.Kid, (string?)payload["kid"]);
        Assert.Equal(TokenTestKit.IssuedAt.AddDays(-30).ToUnixTimeSeconds(), (long?)payload["iat"]);
        Assert.Equal(TokenTestKit.IssuedAt.AddDays(365).ToUnixTimeSeconds(), (long?)payload["exp"]);
        Assert.True(JwsCompact.VerifySignature(jwk.Lhc, Root.PublicKey));
    }

    [Fact]
    public void A_key_without_a_certificate_is_refused_even_though_the_signature_matches()
    {
        var result = Anchor().CreateVerifier(Set(TokenTestKit.Key.ToJsonWebKey(TokenTestKit.Kid))).Verify(TokenTestKit.Token(), Now);

        Assert.Equal(TokenStatus.KeyNotCertified, result.Status);
        Assert.Contains("no certificate", result.Reason);
        Assert.Null(result.Claims);
    }

    [Fact]
    public void A_key_certified_by_ones_own_root_is_refused()
    {
        var result = Anchor().CreateVerifier(Set(Certified(TokenTestKit.Key, TokenTestKit.Kid, OtherRoot))).Verify(TokenTestKit.Token(), Now);

        Assert.Equal(TokenStatus.KeyNotCertified, result.Status);
        Assert.Contains("does not match root key", result.Reason);
    }

    [Fact]
    public void A_certificate_naming_a_root_kid_that_is_not_in_the_anchor_is_refused()
    {
        var result = Anchor().CreateVerifier(Set(Certified(TokenTestKit.Key, TokenTestKit.Kid, OtherRoot, "root-mine"))).Verify(TokenTestKit.Token(), Now);

        Assert.Equal(TokenStatus.KeyNotCertified, result.Status);
        Assert.Contains("not in the trust anchor", result.Reason);
    }

    [Fact]
    public void A_genuine_certificate_moved_onto_ones_own_key_is_refused()
    {
        var genuine = Certified(TokenTestKit.OtherKey, TokenTestKit.Kid);
        var mine = TokenTestKit.Key.ToJsonWebKey(TokenTestKit.Kid);
        mine.Lhc = genuine.Lhc;

        var result = Anchor().CreateVerifier(Set(mine)).Verify(TokenTestKit.Token(), Now);

        Assert.Equal(TokenStatus.KeyNotCertified, result.Status);
        Assert.Contains("for another key", result.Reason);
    }

    [Fact]
    public void A_genuine_certificate_under_another_kid_is_refused()
    {
        var genuine = Certified(TokenTestKit.Key, "k-genuine");
        var renamed = TokenTestKit.Key.ToJsonWebKey(TokenTestKit.Kid);
        renamed.Lhc = genuine.Lhc;

        Assert.Equal(TokenStatus.KeyNotCertified, Anchor().CreateVerifier(Set(renamed)).Verify(TokenTestKit.Token(), Now).Status);
    }

    [Fact]
    public void A_genuine_key_listed_first_does_not_lend_its_kid_to_an_uncertified_second()
    {
        // The token's kid names the genuine key: a signature by another key does not match it.
        var genuine = Certified(TokenTestKit.OtherKey, TokenTestKit.Kid);
        var result = Anchor().CreateVerifier(Set(genuine, TokenTestKit.Key.ToJsonWebKey(TokenTestKit.Kid))).Verify(TokenTestKit.Token(), Now);

        Assert.Equal(TokenStatus.BadSignature, result.Status);
    }

    [Fact]
    public void A_license_token_offered_as_a_certificate_is_refused()
    {
        var jwk = TokenTestKit.Key.ToJsonWebKey(TokenTestKit.Kid);
        jwk.Lhc = new TokenSigner(RootKid, Root).Sign(TokenTestKit.Claims());

        Assert.Equal(TokenStatus.KeyNotCertified, Anchor().CreateVerifier(Set(jwk)).Verify(TokenTestKit.Token(), Now).Status);
    }

    [Fact]
    public void A_token_issued_outside_the_certified_period_is_refused()
    {
        var expired = Certified(TokenTestKit.Key, TokenTestKit.Kid, from: TokenTestKit.IssuedAt.AddDays(-400), until: TokenTestKit.IssuedAt.AddDays(-1));

        var result = Anchor().CreateVerifier(Set(expired)).Verify(TokenTestKit.Token(), Now);

        Assert.Equal(TokenStatus.KeyNotCertified, result.Status);
        Assert.Contains("outside the period", result.Reason);
    }

    [Fact]
    public void A_root_key_is_not_a_signing_key()
    {
        // Tokens signed directly by a root are not licenses: roots only certify.
        var token = new TokenSigner(RootKid, Root).Sign(TokenTestKit.Claims());

        var result = Anchor().CreateVerifier(Set(Certified(TokenTestKit.Key, TokenTestKit.Kid))).Verify(token, Now);

        Assert.Equal(TokenStatus.UnknownKeyId, result.Status);
    }

    [Fact]
    public void During_a_root_rotation_an_anchor_of_both_roots_accepts_keys_certified_by_either()
    {
        var anchor = TrustAnchor.Of([Root.ToJsonWebKey("root-old"), OtherRoot.ToJsonWebKey("root-new")]);
        var byOld = Certified(TokenTestKit.Key, TokenTestKit.Kid, Root, "root-old");
        var byNew = Certified(TokenTestKit.Key, TokenTestKit.Kid, OtherRoot, "root-new");

        Assert.True(anchor.CreateVerifier(Set(byOld)).Verify(TokenTestKit.Token(), Now).IsValid);
        Assert.True(anchor.CreateVerifier(Set(byNew)).Verify(TokenTestKit.Token(), Now).IsValid);
        Assert.False(TrustAnchor.Of([Root.ToJsonWebKey("root-old")]).CreateVerifier(Set(byNew)).Verify(TokenTestKit.Token(), Now).IsValid);
    }

    [Fact]
    public void The_lhc_member_survives_a_jwks_round_trip_and_stock_readers_ignore_it()
    {
        var json = Set(Certified(TokenTestKit.Key, TokenTestKit.Kid)).ToJson();

        var parsed = JsonWebKeySet.Parse(json);
        Assert.True(Anchor().CreateVerifier(parsed).Verify(TokenTestKit.Token(), Now).IsValid);
        // A verifier that does not know certificates still works with the same document.
        Assert.True(new TokenVerifier(parsed).Verify(TokenTestKit.Token(), Now).IsValid);
    }

    [Fact]
    public void An_anchor_without_a_usable_key_is_refused()
    {
        Assert.Throws<FormatException>(() => TrustAnchor.Parse("""{"keys":[]}"""));
        Assert.Throws<FormatException>(() => TrustAnchor.Parse("""{"keys":[{"kty":"RSA","kid":"r","n":"x","e":"AQAB"}]}"""));
        Assert.Throws<FormatException>(() => TrustAnchor.Parse("not json"));
    }

    [Fact]
    public void A_license_file_verifies_product_machine_and_certificate_together()
    {
        const string machineId = "4c4c4544003957108052b4c04f384833";
        var salt = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var claims = TokenTestKit.Claims() with { Fingerprint = Fingerprints.Compute(salt, machineId) };
        var file = new LicenseFile
        {
            Product = "panel",
            Token = new TokenSigner(TokenTestKit.Kid, TokenTestKit.Key).Sign(claims),
            TokenType = TokenTypes.License,
            Jwks = Set(Certified(TokenTestKit.Key, TokenTestKit.Kid)),
            FingerprintSalt = Base64Url.Encode(salt),
        };
        var reread = LicenseFile.Parse(file.ToJson());

        Assert.Equal(TokenStatus.Valid, Anchor().Verify(reread, Now, "panel", machineId + "\n").Status);
        Assert.Equal(TokenStatus.ProductMismatch, Anchor().Verify(reread, Now, "other", machineId).Status);
        Assert.Equal(TokenStatus.FingerprintMismatch, Anchor().Verify(reread, Now, "panel", "0000another0machine").Status);
        Assert.Equal(TokenStatus.Expired, Anchor().Verify(reread, Now.AddDays(30), "panel", machineId).Status);
        reread.TokenType = TokenTypes.KeyCertificate;
        Assert.Equal(TokenStatus.WrongType, Anchor().Verify(reread, Now, "panel", machineId).Status);
        Assert.Equal(TokenStatus.NoToken, Anchor().Verify(new LicenseFile { Status = "REVOKED" }, Now, "panel", machineId).Status);
    }
}
