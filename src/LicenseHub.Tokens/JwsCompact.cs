using System.Buffers;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace LicenseHub.Tokens;

/// <summary>
/// Low-level JWS compact serialization (RFC 7515 §7.1) with EdDSA over Ed25519 (RFC 8037): signs
/// exactly the header and payload bytes it is given. Prefer <see cref="TokenSigner"/> for license tokens.
/// </summary>
public static class JwsCompact
{
    /// <summary>The only JWS algorithm LicenseHub issues and accepts.</summary>
    public const string Algorithm = "EdDSA";

    /// <summary>Length in bytes of an Ed25519 signature.</summary>
    public const int SignatureLength = 64;

    private static readonly SearchValues<char> s_base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>
    /// Produces <c>BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)</c>, where the signature
    /// is Ed25519 over the ASCII bytes of the first two parts.
    /// </summary>
    /// <param name="header">The UTF-8 JSON of the protected header, byte for byte as it will be encoded.</param>
    /// <param name="payload">The payload bytes.</param>
    /// <param name="key">The signing key.</param>
    public static string Sign(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, Ed25519KeyPair key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var headerLength = EncodedLength(header.Length);
        var payloadLength = EncodedLength(payload.Length);
        var signingInputLength = headerLength + 1 + payloadLength;
        var totalLength = signingInputLength + 1 + EncodedLength(SignatureLength);

        var rented = ArrayPool<byte>.Shared.Rent(totalLength);
        try
        {
            var token = rented.AsSpan(0, totalLength);
            System.Buffers.Text.Base64Url.EncodeToUtf8(header, token[..headerLength]);
            token[headerLength] = (byte)'.';
            System.Buffers.Text.Base64Url.EncodeToUtf8(payload, token.Slice(headerLength + 1, payloadLength));
            token[signingInputLength] = (byte)'.';

            Span<byte> signature = stackalloc byte[SignatureLength];
            // Parameter objects are immutable after construction (the derived public key is cached under a
            // lock), so concurrent calls on the same key are safe.
            key.PrivateKey.Sign(Ed25519.Algorithm.Ed25519, null, token[..signingInputLength], signature);
            System.Buffers.Text.Base64Url.EncodeToUtf8(signature, token[(signingInputLength + 1)..]);
            return Encoding.ASCII.GetString(token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Checks the Ed25519 signature of a compact JWS over its first two parts, without looking at the
    /// header or payload. Returns false for anything that is not three well-formed parts.
    /// </summary>
    public static bool VerifySignature(string token, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (publicKey.Length != Ed25519KeyPair.PublicKeyLength || !Ed25519.ValidatePublicKeyPartial(publicKey))
        {
            return false;
        }

        return Split(token, out var parts) == null
            && VerifySignature(token, parts, new Ed25519PublicKeyParameters(publicKey));
    }

    internal static bool VerifySignature(string token, in JwsParts parts, Ed25519PublicKeyParameters publicKey)
    {
        Span<byte> signature = stackalloc byte[SignatureLength];
        if (!Base64Url.TryDecode(parts.Signature(token), signature, out var written) || written != SignatureLength)
        {
            return false;
        }

        if (parts.Header(token).ContainsAnyExcept(s_base64UrlAlphabet) || parts.Payload(token).ContainsAnyExcept(s_base64UrlAlphabet))
        {
            return false;
        }

        return VerifyDecoded(token, parts, signature, publicKey);
    }

    /// <summary>
    /// Verifies the signature over the first two parts; the caller has already checked that they are
    /// base64url text and decoded the 64-byte signature.
    /// </summary>
    internal static bool VerifyDecoded(string token, in JwsParts parts, ReadOnlySpan<byte> signature, Ed25519PublicKeyParameters publicKey)
    {
        var signingInput = parts.SigningInput(token);
        var rented = ArrayPool<byte>.Shared.Rent(signingInput.Length);
        try
        {
            // Every character is in the base64url alphabet or a dot, so ASCII is exact.
            var bytes = rented.AsSpan(0, Encoding.ASCII.GetBytes(signingInput, rented));
            return publicKey.Verify(Ed25519.Algorithm.Ed25519, null, bytes, signature);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Finds the three parts. Returns an error text, or null on success.</summary>
    internal static string? Split(string token, out JwsParts parts)
    {
        parts = default;
        var first = token.IndexOf('.');
        if (first < 0)
        {
            return "token does not have three parts";
        }

        var second = token.IndexOf('.', first + 1);
        if (second < 0 || token.IndexOf('.', second + 1) >= 0)
        {
            return "token does not have three parts";
        }

        parts = new JwsParts(first, second);
        return null;
    }

    private static int EncodedLength(int byteLength) => System.Buffers.Text.Base64Url.GetEncodedLength(byteLength);
}

/// <summary>Positions of the two dots of a compact JWS.</summary>
internal readonly record struct JwsParts(int FirstDot, int SecondDot)
{
    public ReadOnlySpan<char> Header(string token) => token.AsSpan(0, FirstDot);

    public ReadOnlySpan<char> Payload(string token) => token.AsSpan(FirstDot + 1, SecondDot - FirstDot - 1);

    public ReadOnlySpan<char> Signature(string token) => token.AsSpan(SecondDot + 1);

    public ReadOnlySpan<char> SigningInput(string token) => token.AsSpan(0, SecondDot);
}
