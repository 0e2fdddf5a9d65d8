using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace LicenseHub.Tokens;

/// <summary>
/// A public Ed25519 key as a JSON Web Key (RFC 7517, key type OKP from RFC 8037). Never carries the
/// private part (<c>d</c>).
/// </summary>
public sealed class JsonWebKey
{
    /// <summary>Key type (<c>kty</c>); <c>OKP</c> for Ed25519.</summary>
    [JsonPropertyName("kty")]
    public string Kty { get; set; } = "OKP";

    /// <summary>Curve (<c>crv</c>); <c>Ed25519</c>.</summary>
    [JsonPropertyName("crv")]
    public string Crv { get; set; } = "Ed25519";

    /// <summary>The public key (<c>x</c>), base64url.</summary>
    [JsonPropertyName("x")]
    public string X { get; set; } = "";

    /// <summary>Key id (<c>kid</c>), matched against the <c>kid</c> header of tokens.</summary>
    [JsonPropertyName("kid")]
    public string Kid { get; set; } = "";

    /// <summary>Public key use (<c>use</c>); <c>sig</c>.</summary>
    [JsonPropertyName("use")]
    public string? Use { get; set; } = "sig";

    /// <summary>Algorithm (<c>alg</c>); <c>EdDSA</c>.</summary>
    [JsonPropertyName("alg")]
    public string? Alg { get; set; } = JwsCompact.Algorithm;

    /// <summary>
    /// LicenseHub key certificate (<c>lhc</c>): a compact JWS of type <see cref="TokenTypes.KeyCertificate"/>, signed by
    /// a vendor root key, that certifies this key (see <see cref="KeyCertificate"/>). Absent on root keys. Stock JOSE
    /// libraries ignore the member (RFC 7517 §4).
    /// </summary>
    [JsonPropertyName("lhc")]
    public string? Lhc { get; set; }

    /// <summary>Builds the JWK of an Ed25519 public key.</summary>
    /// <exception cref="ArgumentException">The key is not a 32-byte Ed25519 public key, or the kid is empty.</exception>
    public static JsonWebKey FromPublicKey(string kid, ReadOnlySpan<byte> pub)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kid);
        if (pub.Length != Ed25519KeyPair.PublicKeyLength || !Ed25519.ValidatePublicKeyPartial(pub))
        {
            throw new ArgumentException("Not an Ed25519 public key.", nameof(pub));
        }

        return new JsonWebKey { Kid = kid, X = Base64Url.Encode(pub) };
    }

    /// <summary>True for an Ed25519 signing key this library can verify with.</summary>
    [JsonIgnore]
    public bool IsEd25519SigningKey =>
        Kty == "OKP" && Crv == "Ed25519" && (Alg is null || Alg == JwsCompact.Algorithm) && (Use is null || Use == "sig");

    /// <summary>Decodes <see cref="X"/>.</summary>
    /// <exception cref="FormatException"><see cref="X"/> is not base64url of 32 bytes.</exception>
    public byte[] GetPublicKey()
    {
        var bytes = Base64Url.Decode(X);
        return bytes.Length == Ed25519KeyPair.PublicKeyLength
            ? bytes
            : throw new FormatException("An Ed25519 public key is 32 bytes.");
    }

    /// <summary>The RFC 7638 JWK thumbprint (SHA-256, base64url) over <c>crv</c>, <c>kty</c> and <c>x</c>.</summary>
    public string ComputeThumbprint()
    {
        // RFC 7638 §3: required members only, lexicographic order, no whitespace.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("crv"u8, Crv);
            writer.WriteString("kty"u8, Kty);
            writer.WriteString("x"u8, X);
            writer.WriteEndObject();
        }

        return Base64Url.Encode(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    /// <inheritdoc />
    public override string ToString() => Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(this, TokensJsonContext.Default.JsonWebKey));
}

/// <summary>A JWK Set (RFC 7517 §5): the document served at <c>/.well-known/jwks.json</c>.</summary>
public sealed class JsonWebKeySet
{
    /// <summary>The keys (<c>keys</c>).</summary>
    [JsonPropertyName("keys")]
    public List<JsonWebKey> Keys { get; set; } = [];

    /// <summary>Parses a JWKS document.</summary>
    /// <exception cref="FormatException">The text is not a JWKS JSON object.</exception>
    public static JsonWebKeySet Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonWebKeySet? set;
        try
        {
            set = JsonSerializer.Deserialize(json, TokensJsonContext.Default.JsonWebKeySet);
        }
        catch (JsonException e)
        {
            throw new FormatException("Not a valid JWKS document: " + e.Message, e);
        }

        if (set is null)
        {
            throw new FormatException("Not a valid JWKS document: null.");
        }

        set.Keys ??= [];
        set.Keys.RemoveAll(k => k is null);
        return set;
    }

    /// <summary>Serializes the set as compact JSON with the RFC 7517 member names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TokensJsonContext.Default.JsonWebKeySet);
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(JsonWebKeySet))]
[JsonSerializable(typeof(LicenseFile))]
internal sealed partial class TokensJsonContext : JsonSerializerContext;
