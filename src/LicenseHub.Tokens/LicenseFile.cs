using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LicenseHub.Tokens;

/// <summary>
/// The license file lh-agent keeps for the product it licenses (<c>/var/lib/lh-agent/license.json</c>, printed by
/// <c>lh-agent token</c>): the current token, the signing keys with their certificates, and the salt of the machine
/// fingerprint. Never the installation secret or the license key. Verify it with <see cref="TrustAnchor.Verify"/>.
/// </summary>
public sealed class LicenseFile
{
    /// <summary>The value of <see cref="Format"/> this library writes and reads.</summary>
    public const string CurrentFormat = "lh-license/1";

    /// <summary>Largest license file read, in bytes.</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>Format marker (<c>format</c>).</summary>
    [JsonPropertyName("format")]
    public string Format { get; set; } = CurrentFormat;

    /// <summary>The product code the agent was activated for (<c>product</c>); informative, the token says it signed.</summary>
    [JsonPropertyName("product")]
    public string? Product { get; set; }

    /// <summary>The compact JWS (<c>token</c>); null when the agent holds no valid token.</summary>
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    /// <summary>The token's <c>typ</c> (<c>token_type</c>): <see cref="TokenTypes.License"/> or <see cref="TokenTypes.OfflineLicense"/>.</summary>
    [JsonPropertyName("token_type")]
    public string? TokenType { get; set; }

    /// <summary>The signing keys, each with its certificate in <c>lhc</c> (<c>jwks</c>).</summary>
    [JsonPropertyName("jwks")]
    public JsonWebKeySet? Jwks { get; set; }

    /// <summary>Base64url of the 32-byte fingerprint salt (<c>fingerprint_salt</c>).</summary>
    [JsonPropertyName("fingerprint_salt")]
    public string? FingerprintSalt { get; set; }

    /// <summary>The last answer of the license server (<c>status</c>), e.g. <c>VALID</c> or <c>REVOKED</c>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    /// <summary>When the agent wrote the file (<c>written_at</c>).</summary>
    [JsonPropertyName("written_at")]
    public DateTimeOffset? WrittenAt { get; set; }

    /// <summary>Reads a license file.</summary>
    /// <exception cref="FormatException">Not a license file of <see cref="CurrentFormat"/>.</exception>
    public static LicenseFile Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Encoding.UTF8.GetByteCount(json) > MaxLength)
        {
            throw new FormatException($"A license file is at most {MaxLength} bytes.");
        }

        LicenseFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, TokensJsonContext.Default.LicenseFile);
        }
        catch (JsonException e)
        {
            throw new FormatException("Not a license file: " + e.Message, e);
        }

        if (file is null || file.Format != CurrentFormat)
        {
            throw new FormatException($"Not a license file of format '{CurrentFormat}'.");
        }

        return file;
    }

    /// <summary>The salt bytes, or null when absent or not 32 bytes of base64url.</summary>
    public byte[]? GetFingerprintSalt()
    {
        if (FingerprintSalt is null)
        {
            return null;
        }

        try
        {
            var salt = Base64Url.Decode(FingerprintSalt);
            return salt.Length == Fingerprints.SaltLength ? salt : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // The '+' of "lh-license+jwt" as itself, not \u002B: the file is read by people too.
    private static readonly JsonSerializerOptions s_writeOptions = new()
    {
        TypeInfoResolver = TokensIndentedJsonContext.Default,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Indented JSON with the member names above.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<LicenseFile>)s_writeOptions.GetTypeInfo(typeof(LicenseFile)));
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(LicenseFile))]
internal sealed partial class TokensIndentedJsonContext : JsonSerializerContext;
