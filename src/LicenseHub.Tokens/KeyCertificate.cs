using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LicenseHub.Tokens;

/// <summary>
/// A vendor root key's statement that a token-signing key is the vendor's: the <c>lhc</c> member of a published JWK.
/// A compact JWS, header <c>{"alg":"EdDSA","kid":ROOT-KID,"typ":"lh-key-certificate+jwt"}</c>, payload
/// <c>{"jkt":…,"kid":…,"iat":…,"exp":…}</c>: the RFC 7638 thumbprint and kid of the certified key, and the period in
/// which that key may issue tokens. A token signed by the key is accepted only if its <c>iat</c> lies in that period.
/// </summary>
public sealed record KeyCertificate
{
    /// <summary>Tolerance on a token's <c>iat</c> before the certificate's <c>iat</c>: <see cref="TokenVerifier.ClockTolerance"/>.</summary>
    public static readonly TimeSpan IssuedAtTolerance = TokenVerifier.ClockTolerance;

    private const int MaxCertificateLength = 2048;

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The root key that signed the certificate (its header <c>kid</c>).</summary>
    public required string RootKeyId { get; init; }

    /// <summary>RFC 7638 thumbprint (<c>jkt</c>) of the certified key.</summary>
    public required string Thumbprint { get; init; }

    /// <summary>The certified key's id (<c>kid</c>).</summary>
    public required string KeyId { get; init; }

    /// <summary>Start of the period in which the key may issue tokens (<c>iat</c>).</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>End of that period (<c>exp</c>).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>True when a token issued at <paramref name="tokenIssuedAt"/> falls in the certified period.</summary>
    public bool Covers(DateTimeOffset tokenIssuedAt) => tokenIssuedAt >= IssuedAt - IssuedAtTolerance && tokenIssuedAt <= ExpiresAt;

    /// <summary>Signs a certificate for <paramref name="key"/> with the root key <paramref name="root"/>.</summary>
    /// <exception cref="ArgumentException">The period is empty, or the key has no kid.</exception>
    public static string Issue(Ed25519KeyPair root, string rootKeyId, JsonWebKey key, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(rootKeyId);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(key.Kid);
        if (expiresAt <= issuedAt)
        {
            throw new ArgumentException("A certificate's period must end after it starts.", nameof(expiresAt));
        }

        var payload = new ArrayBufferWriter<byte>(160);
        using (var writer = new Utf8JsonWriter(payload, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("jkt"u8, key.ComputeThumbprint());
            writer.WriteString("kid"u8, key.Kid);
            writer.WriteNumber("iat"u8, issuedAt.ToUnixTimeSeconds());
            writer.WriteNumber("exp"u8, expiresAt.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        return JwsCompact.Sign(ClaimsJson.WriteHeader(JwsCompact.Algorithm, rootKeyId, TokenTypes.KeyCertificate), payload.WrittenSpan, root);
    }

    /// <summary>
    /// Verifies <paramref name="certificate"/> against the root keys and checks that it certifies <paramref name="key"/>.
    /// Returns the certificate, or null with the reason in <paramref name="problem"/>.
    /// </summary>
    internal static KeyCertificate? Verify(string? certificate, JsonWebKey key, IReadOnlyDictionary<string, byte[]> roots, out string problem)
    {
        if (string.IsNullOrEmpty(certificate))
        {
            problem = "it carries no certificate ('lhc')";
            return null;
        }

        if (certificate.Length > MaxCertificateLength || JwsCompact.Split(certificate, out var parts) is not null)
        {
            problem = "its certificate is not a compact JWS";
            return null;
        }

        Span<byte> headerBytes = stackalloc byte[512];
        if (parts.Header(certificate).Length > 600 || !Base64Url.TryDecode(parts.Header(certificate), headerBytes, out var headerLength)
            || ClaimsJson.TryReadHeader(headerBytes[..headerLength], out var header) is not null)
        {
            problem = "its certificate has an unreadable header";
            return null;
        }

        if (header.Alg != JwsCompact.Algorithm || header.Typ != TokenTypes.KeyCertificate)
        {
            problem = $"its certificate is not an EdDSA '{TokenTypes.KeyCertificate}'";
            return null;
        }

        if (header.Kid is null || !roots.TryGetValue(header.Kid, out var rootKey))
        {
            problem = "its certificate is signed by a key that is not in the trust anchor";
            return null;
        }

        if (!JwsCompact.VerifySignature(certificate, rootKey))
        {
            problem = $"its certificate's signature does not match root key '{header.Kid}'";
            return null;
        }

        var payload = new byte[Base64Url.GetDecodedLength(parts.Payload(certificate).Length)];
        if (!Base64Url.TryDecode(parts.Payload(certificate), payload, out var payloadLength)
            || ReadPayload(payload.AsSpan(0, payloadLength), header.Kid) is not { } read)
        {
            problem = "its certificate's payload is not a key certificate";
            return null;
        }

        if (read.Thumbprint != key.ComputeThumbprint() || read.KeyId != key.Kid)
        {
            problem = "its certificate is for another key";
            return null;
        }

        problem = "";
        return read;
    }

    private static KeyCertificate? ReadPayload(ReadOnlySpan<byte> json, string rootKeyId)
    {
        string? jkt = null, kid = null;
        long? iat = null, exp = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "jkt" when jkt is null && reader.TokenType == JsonTokenType.String: jkt = reader.GetString(); break;
                    case "kid" when kid is null && reader.TokenType == JsonTokenType.String: kid = reader.GetString(); break;
                    case "iat" when iat is null && reader.TokenType == JsonTokenType.Number: iat = reader.GetInt64(); break;
                    case "exp" when exp is null && reader.TokenType == JsonTokenType.Number: exp = reader.GetInt64(); break;
                    case "jkt" or "kid" or "iat" or "exp": return null;
                    default: reader.Skip(); break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return null;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }

        const long maxSeconds = 253402300799;
        if (jkt is null || kid is null || iat is not (>= 0 and <= maxSeconds) || exp is not (>= 0 and <= maxSeconds))
        {
            return null;
        }

        return new KeyCertificate
        {
            RootKeyId = rootKeyId,
            Thumbprint = jkt,
            KeyId = kid,
            IssuedAt = DateTimeOffset.FromUnixTimeSeconds(iat.Value),
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(exp.Value),
        };
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"key '{KeyId}' certified by '{RootKeyId}' for tokens issued {IssuedAt:yyyy-MM-dd} to {ExpiresAt:yyyy-MM-dd}");
}
