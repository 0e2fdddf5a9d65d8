using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LicenseHub.Tokens;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>A license file a verifier is given, and whether a verifier must accept it.</summary>
/// <param name="Name">What the case is, as a failure names it.</param>
/// <param name="Anchor">The trust anchor the product has compiled in (trust.json).</param>
/// <param name="License">The license file's text (license.json); null: there is no such file.</param>
/// <param name="Product">The product code the verifier expects.</param>
/// <param name="MachineId">The content of the machine id file the verifier reads; null: there is no such file.</param>
/// <param name="Genuine">True only for a license the vendor's server issued for this product and this machine and that is still valid.</param>
/// <param name="InGrace">A genuine license past its token's expiry but inside the offline grace.</param>
/// <param name="Arguments">What the product asks beyond the license itself: <c>--feature CODE</c>, <c>--released YYYY-MM-DD</c>.</param>
/// <param name="Says">When set, how the verifier's one line must end: the tail of its "licensed: …" line, or its whole "not licensed: …" line.</param>
public sealed record LicenseCase(string Name, string Anchor, string? License, string Product, string? MachineId, bool Genuine, bool InGrace = false,
    IReadOnlyList<string>? Arguments = null, string? Says = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// A root key of one's own: anyone can make one, sign key certificates and tokens with it, and publish its JWKS. The
/// vendor's anchor must not trust any of it; an anchor of this root stands in for a vendor in tests of the rules that
/// need the root's private key (a certified period, a root rotation).
/// </summary>
public sealed class OwnRoot(string kid)
{
    public string Kid { get; } = kid;

    public Ed25519KeyPair Key { get; } = Ed25519KeyPair.Generate();

    public JsonWebKey PublicJwk => Key.ToJsonWebKey(Kid);

    public string AnchorJson => new JsonWebKeySet { Keys = [PublicJwk] }.ToJson();

    /// <summary>The JWK of <paramref name="key"/> with a certificate (lhc) from this root for tokens issued in the period.</summary>
    public JsonWebKey Certify(Ed25519KeyPair key, string kid, DateTimeOffset from, DateTimeOffset until)
    {
        var jwk = key.ToJsonWebKey(kid);
        jwk.Lhc = KeyCertificate.Issue(Key, Kid, jwk, from, until);
        return jwk;
    }
}

/// <summary>
/// Forged license files an end user can make from a genuine one with nothing but public material (the license file, the
/// anchor, a key of their own), built with LicenseHub.Tokens and a few raw JWS edits.
/// </summary>
public static class LicenseForgeries
{
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The forgeries of <paramref name="genuine"/>, a license file for <paramref name="product"/> whose token carries
    /// <paramref name="claims"/>; <paramref name="vendorAnchor"/> is the anchor it verifies against. Each is checked
    /// with the same anchor, product and machine as the genuine license unless its product says otherwise.
    /// </summary>
    public static IReadOnlyList<(string Name, string License, string Product)> Of(LicenseFile genuine, LicenseClaims claims, string vendorAnchor, string product)
    {
        var token = genuine.Token ?? throw new ArgumentException("The genuine license has no token.", nameof(genuine));
        var tokenType = genuine.TokenType!;
        var genuineKid = Header(token)["kid"]!.GetValue<string>();
        var genuineJwk = genuine.Jwks!.Keys.Single(k => k.Kid == genuineKid);
        var vendorRoot = JsonWebKeySet.Parse(vendorAnchor).Keys[0];
        var ownKey = Ed25519KeyPair.Generate();
        var ownRoot = new OwnRoot("root-of-my-own");
        var now = DateTimeOffset.UtcNow;

        string OwnToken(string kid, string type = TokenTypes.License) => new TokenSigner(kid, ownKey).Sign(claims, type);

        string Forged(string? newToken, IEnumerable<JsonWebKey>? keys = null, string? type = null)
        {
            var copy = LicenseFile.Parse(genuine.ToJson());
            copy.Token = newToken;
            copy.TokenType = type ?? tokenType;
            if (keys is not null)
            {
                copy.Jwks = new JsonWebKeySet { Keys = [.. keys] };
            }
            return copy.ToJson();
        }

        // The genuine key's x and certificate, plus the private part (d) of one's own key: a library that loads a key
        // from d ignores x, so the thumbprint matches the certificate while one's own key verifies the token.
        var withPrivatePart = JsonNode.Parse(Forged(OwnToken(genuineKid)))!.AsObject();
        foreach (var key in withPrivatePart["jwks"]!["keys"]!.AsArray())
        {
            key!["d"] = Base64Url.Encode(ownKey.Seed);
        }

        var genuineLhcOnOwnKey = ownKey.ToJsonWebKey(genuineKid);
        genuineLhcOnOwnKey.Lhc = genuineJwk.Lhc;
        var genuineLhcOnOwnKid = ownKey.ToJsonWebKey("k-mine");
        genuineLhcOnOwnKid.Lhc = genuineJwk.Lhc;
        var licenseTokenAsCertificate = ownKey.ToJsonWebKey("k-mine");
        licenseTokenAsCertificate.Lhc = token;
        var header = Header(token);
        var payload = Payload(token);

        return
        [
            ("own key and own JWKS without lhc",
                Forged(OwnToken("k-mine"), [ownKey.ToJsonWebKey("k-mine")]), product),
            ("offline license signed with own key, own JWKS without lhc",
                Forged(OwnToken("k-mine", TokenTypes.OfflineLicense), [ownKey.ToJsonWebKey("k-mine")], TokenTypes.OfflineLicense), product),
            ("own key certified by own root",
                Forged(OwnToken("k-mine"), [ownRoot.Certify(ownKey, "k-mine", now.AddDays(-1), now.AddDays(365))]), product),
            ("own key certified by own root under the vendor root's kid",
                Forged(OwnToken("k-mine"), [new OwnRoot(vendorRoot.Kid).Certify(ownKey, "k-mine", now.AddDays(-1), now.AddDays(365))]), product),
            ("genuine lhc copied onto own key under the genuine kid",
                Forged(OwnToken(genuineKid), [genuineLhcOnOwnKey]), product),
            ("genuine key and lhc with the private part d of own key",
                withPrivatePart.ToJsonString(RelaxedJson), product),
            ("genuine lhc copied onto own key under a kid of its own",
                Forged(OwnToken("k-mine"), [genuineLhcOnOwnKid]), product),
            ("genuine JWKS plus own uncertified key, token re-signed under that key's kid",
                Forged(OwnToken("k-mine"), [.. genuine.Jwks.Keys, ownKey.ToJsonWebKey("k-mine")]), product),
            ("genuine JWKS plus own key under the genuine kid, listed first",
                Forged(OwnToken(genuineKid), [ownKey.ToJsonWebKey(genuineKid), .. genuine.Jwks.Keys]), product),
            ("genuine token with its header's kid changed to the vendor root's",
                Forged(Encode(With(header, "kid", vendorRoot.Kid), payload, Signature(token))), product),
            ("genuine payload signed by own key as the vendor root's kid, the root's JWK in the JWKS",
                Forged(Sign(With(header, "kid", vendorRoot.Kid), payload, ownKey), [vendorRoot, genuineJwk]), product),
            ("tampered payload: another product, genuine signature",
                Forged(Encode(header, With(payload, "prd", product + "-enterprise"), Signature(token))), product + "-enterprise"),
            ("tampered payload: edition enterprise, genuine signature",
                Forged(Encode(header, With(payload, "edn", "enterprise"), Signature(token))), product),
            ("tampered payload: exp a year later, genuine signature",
                Forged(Encode(header, With(payload, "exp", claims.ExpiresAt.AddYears(1).ToUnixTimeSeconds()), Signature(token))), product),
            ("alg none, no signature",
                Forged(Encode(With(header, "alg", "none"), payload, "")), product),
            ("alg none, genuine signature",
                Forged(Encode(With(header, "alg", "none"), payload, Signature(token))), product),
            ("HS256 keyed with the signing key's public key bytes",
                Forged(Hs256(header, payload, genuineJwk.GetPublicKey())), product),
            ("HS256 keyed with the signing key's x as text",
                Forged(Hs256(header, payload, Encoding.UTF8.GetBytes(genuineJwk.X))), product),
            ("HS256 keyed with the signing key's JWK JSON",
                Forged(Hs256(header, payload, Encoding.UTF8.GetBytes(genuineJwk.ToString()))), product),
            ("EdDSA header with typ JWT",
                Forged(Encode(With(header, "typ", "JWT"), payload, Signature(token)), type: "JWT"), product),
            ("genuine token with token_type naming the other license type",
                Forged(token, type: tokenType == TokenTypes.License ? TokenTypes.OfflineLicense : TokenTypes.License), product),
            ("license token offered as the key certificate",
                Forged(OwnToken("k-mine"), [licenseTokenAsCertificate]), product),
            ("key certificate offered as the license token",
                Forged(genuineJwk.Lhc), product),
            ("genuine license without its key certificates",
                Forged(token, [StripCertificate(genuineJwk)]), product),
        ];
    }

    /// <summary>A JWK like <paramref name="jwk"/> without its certificate.</summary>
    public static JsonWebKey StripCertificate(JsonWebKey jwk) => new() { Kid = jwk.Kid, X = jwk.X, Kty = jwk.Kty, Crv = jwk.Crv };

    public static JsonObject Header(string token) => Part(token, 0);

    public static JsonObject Payload(string token) => Part(token, 1);

    public static string Signature(string token) => token.Split('.')[2];

    /// <summary>A copy of <paramref name="json"/> with one member set.</summary>
    public static JsonObject With(JsonObject json, string name, JsonNode? value)
    {
        var copy = json.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    /// <summary>A compact JWS of the given parts; the signature is whatever text is passed.</summary>
    public static string Encode(JsonObject header, JsonObject payload, string signature) =>
        $"{Base64Url.Encode(Bytes(header))}.{Base64Url.Encode(Bytes(payload))}.{signature}";

    /// <summary>An EdDSA compact JWS of header and payload, signed by <paramref name="key"/> whatever the header says.</summary>
    public static string Sign(JsonObject header, JsonObject payload, Ed25519KeyPair key) => JwsCompact.Sign(Bytes(header), Bytes(payload), key);

    /// <summary>The classic key confusion: alg HS256, the HMAC keyed with public material.</summary>
    public static string Hs256(JsonObject header, JsonObject payload, byte[] secret)
    {
        var signingInput = $"{Base64Url.Encode(Bytes(With(header, "alg", "HS256")))}.{Base64Url.Encode(Bytes(payload))}";
        return $"{signingInput}.{Base64Url.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)))}";
    }

    private static JsonObject Part(string token, int index) =>
        JsonNode.Parse(Base64Url.Decode(token.Split('.')[index]))!.AsObject();

    private static byte[] Bytes(JsonObject json) => Encoding.UTF8.GetBytes(json.ToJsonString(RelaxedJson));
}

/// <summary>
/// Licenses under a root of the test's own, with the anchor of that root: the rules a verifier can only be shown with
/// tokens the real server does not make on demand (a token issued outside its key's certified period, a license end
/// inside the grace, a root rotation, a validly signed token of the wrong type or without a claim).
/// </summary>
public static class OwnRootLicenses
{
    public const string Product = "panel";

    public static IReadOnlyList<LicenseCase> Cases(string machineId)
    {
        var root = new OwnRoot("root-test-1");
        var signingKey = Ed25519KeyPair.Generate();
        var now = DateTimeOffset.UtcNow;
        var certified = root.Certify(signingKey, "k-test-1", now.AddDays(-30), now.AddDays(30));
        var salt = RandomNumberGenerator.GetBytes(Fingerprints.SaltLength);
        var claims = new LicenseClaims
        {
            Issuer = "https://licenses.test.example",
            LicenseId = Guid.NewGuid().ToString(),
            InstallationId = Guid.NewGuid().ToString(),
            Product = Product,
            Plan = "pro-1y",
            Edition = "pro",
            Fingerprint = Fingerprints.Compute(salt, machineId),
            IssuedAt = now.AddMinutes(-5),
            NotBefore = now.AddMinutes(-5),
            ExpiresAt = now.AddDays(1),
            OfflineGraceSeconds = 0,
        };

        string License(string token, string type = TokenTypes.License, JsonWebKey? key = null) => new LicenseFile
        {
            Product = Product,
            Token = token,
            TokenType = type,
            Jwks = new JsonWebKeySet { Keys = [key ?? certified] },
            FingerprintSalt = Base64Url.Encode(salt),
            Status = "VALID",
            WrittenAt = now,
        }.ToJson();

        string Signed(LicenseClaims c, string type = TokenTypes.License) => new TokenSigner(certified.Kid, signingKey).Sign(c, type);

        LicenseCase Case(string name, string license, bool genuine = false, bool inGrace = false, string? anchor = null) =>
            new("own root: " + name, anchor ?? root.AnchorJson, license, Product, machineId, genuine, inGrace);

        var expired = claims with { IssuedAt = now.AddDays(-2), NotBefore = now.AddDays(-2), ExpiresAt = now.AddHours(-1) };
        var header = LicenseForgeries.Header(Signed(claims));
        var payload = LicenseForgeries.Payload(Signed(claims));
        var secondRoot = new OwnRoot("root-test-2");
        var rotatedKey = secondRoot.Certify(signingKey, certified.Kid, now.AddDays(-1), now.AddDays(30));
        var rotationAnchor = new JsonWebKeySet { Keys = [root.PublicJwk, secondRoot.PublicJwk] }.ToJson();
        var withoutFingerprint = payload.DeepClone().AsObject();
        withoutFingerprint.Remove("fpr");

        return
        [
            Case("valid license", License(Signed(claims)), genuine: true),
            Case("valid offline license", License(Signed(claims with { InstallationId = null }, TokenTypes.OfflineLicense), TokenTypes.OfflineLicense), genuine: true),
            Case("key certified by the second root of a rotation", License(Signed(claims), key: rotatedKey), genuine: true, anchor: rotationAnchor),
            Case("token expired, inside its offline grace", License(Signed(expired with { OfflineGraceSeconds = 86400 })), genuine: true, inGrace: true),
            Case("token expired, no offline grace", License(Signed(expired))),
            Case("token expired, past its offline grace", License(Signed(expired with { OfflineGraceSeconds = 1800 }))),
            Case("license end (lex) passed while inside the offline grace",
                License(Signed(expired with { OfflineGraceSeconds = 86400, LicenseExpiresAt = now.AddMinutes(-10) }))),
            Case("not valid before (nbf) ten minutes ahead", License(Signed(claims with { NotBefore = now.AddMinutes(10) }))),
            Case("issued before its key's certified period", License(Signed(claims with { IssuedAt = now.AddDays(-30).AddMinutes(-6) }))),
            Case("issued after its key's certified period", License(Signed(claims with { IssuedAt = now.AddDays(30).AddMinutes(1) }))),
            Case("another product", License(Signed(claims with { Product = "mail" }))),
            Case("bound to another machine", License(Signed(claims with { Fingerprint = Fingerprints.Compute(salt, "0123456789abcdef0123456789abcdef") }))),
            Case("validly signed with typ JWT", License(Signed(claims, "JWT"), "JWT")),
            Case("validly signed with typ JWT, token_type saying a license", License(Signed(claims, "JWT"))),
            Case("validly signed with the certificate's typ", License(Signed(claims, TokenTypes.KeyCertificate), TokenTypes.KeyCertificate)),
            Case("validly signed with a crit header", License(LicenseForgeries.Sign(LicenseForgeries.With(header, "crit", new JsonArray("exp")), payload, signingKey))),
            Case("validly signed without the fpr claim", License(LicenseForgeries.Sign(header, withoutFingerprint, signingKey))),
            Case("validly signed with exp as text", License(LicenseForgeries.Sign(header, LicenseForgeries.With(payload, "exp", claims.ExpiresAt.ToUnixTimeSeconds().ToString()), signingKey))),
            Case("token signed by the root key itself, the root's JWK in the JWKS",
                License(new TokenSigner(root.Kid, root.Key).Sign(claims), key: root.PublicJwk)),
            Case("valid license checked against the anchor of another root", License(Signed(claims)), anchor: secondRoot.AnchorJson),
        ];
    }
}
