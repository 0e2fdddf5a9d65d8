namespace LicenseHub.Tokens;

/// <summary>
/// Unpadded base64url (RFC 4648 §5) as used by JWS (RFC 7515 §2). Decoding is strict: no padding,
/// no whitespace, no characters outside the URL-safe alphabet and no non-zero trailing bits, so every
/// byte sequence has exactly one accepted encoding.
/// </summary>
public static class Base64Url
{
    /// <summary>Encodes <paramref name="data"/> as unpadded base64url.</summary>
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes unpadded base64url text.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="FormatException">The text is not canonical unpadded base64url.</exception>
    public static byte[] Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = new byte[GetDecodedLength(value.Length)];
        if (!TryDecode(value, bytes, out var written) || written != bytes.Length)
        {
            throw new FormatException("The value is not valid unpadded base64url.");
        }

        return bytes;
    }

    /// <summary>
    /// Decodes unpadded base64url text into <paramref name="destination"/>; returns false when the text is
    /// not canonical base64url or the destination is too small.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> value, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!IsCanonical(value) || destination.Length < GetDecodedLength(value.Length))
        {
            return false;
        }

        return System.Buffers.Text.Base64Url.TryDecodeFromChars(value, destination, out bytesWritten);
    }

    /// <summary>The exact number of bytes that <paramref name="encodedLength"/> base64url characters decode to.</summary>
    public static int GetDecodedLength(int encodedLength) => encodedLength / 4 * 3 + (encodedLength % 4) switch
    {
        2 => 1,
        3 => 2,
        _ => 0,
    };

    private static bool IsCanonical(ReadOnlySpan<char> value)
    {
        if (value.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (Sextet(c) < 0)
            {
                return false;
            }
        }

        // The unused low bits of the last character must be zero; otherwise several encodings would
        // decode to the same bytes (signature malleability at the text level).
        if (value.Length == 0)
        {
            return true;
        }

        var last = Sextet(value[^1]);
        return (value.Length % 4) switch
        {
            2 => (last & 0x0F) == 0,
            3 => (last & 0x03) == 0,
            _ => true,
        };
    }

    private static int Sextet(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        '_' => 63,
        _ => -1,
    };
}
