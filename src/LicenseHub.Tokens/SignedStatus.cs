using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LicenseHub.Tokens;

/// <summary>
/// The license server's signed word that it refuses one installation: a compact JWS, header
/// <c>{"alg":"EdDSA","kid":…,"typ":"lh-status+jwt"}</c>, signed by the same certified keys as license tokens, payload
/// <c>{"iss","iid","lid"?,"sts","fpr","non","crd"?,"iat","exp"}</c>: the installation (and license) it concerns, the refusal
/// code (<c>REVOKED</c>, <c>INSTALLATION_RELEASED</c>, <c>UNAUTHENTICATED</c>, …), the fingerprint and the nonce of the
/// request it answers, and a short validity. A refusal without one is indistinguishable from a misconfigured server or
/// someone on the network, so lh-agent treats it like being offline. No personal data.
/// </summary>
public sealed record SignedStatus
{
    /// <summary>How long a status is valid after it is issued: long enough for one answer to arrive, no longer.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>The longest validity (<c>exp</c> − <c>iat</c>) a verifier accepts.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    /// <summary>Statuses longer than this many characters are refused before any parsing.</summary>
    public const int MaxLength = 2048;

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Issuer (<c>iss</c>): the license server.</summary>
    public required string Issuer { get; init; }

    /// <summary>The installation the refusal concerns (<c>iid</c>).</summary>
    public required string InstallationId { get; init; }

    /// <summary>Its license (<c>lid</c>), when the server still knows it.</summary>
    public string? LicenseId { get; init; }

    /// <summary>The refusal (<c>sts</c>): a validation code's name or a gRPC status name, upper case.</summary>
    public required string Code { get; init; }

    /// <summary>The fingerprint of the request answered (<c>fpr</c>), so the status cannot serve another machine.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The nonce of the request answered (<c>non</c>), so the status cannot be replayed onto a later request.</summary>
    public required string Nonce { get; init; }

    /// <summary>
    /// For <c>UNAUTHENTICATED</c>: SHA-256 of the credential the request presented, base64url (<c>crd</c>), so that
    /// someone on the network who garbles an agent's credential cannot make the server sign that agent's refusal.
    /// </summary>
    public string? Credential { get; init; }

    /// <summary>The <see cref="Credential"/> claim of a credential.</summary>
    public static string CredentialOf(string credential) =>
        Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(credential)));

    /// <summary>Issued at (<c>iat</c>).</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>Expiry (<c>exp</c>).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Signs the status with <paramref name="signer"/> (times truncated to whole seconds).</summary>
    public string Sign(TokenSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var payload = new ArrayBufferWriter<byte>(320);
        using (var writer = new Utf8JsonWriter(payload, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss"u8, Issuer);
            writer.WriteString("iid"u8, InstallationId);
            if (LicenseId is not null)
            {
                writer.WriteString("lid"u8, LicenseId);
            }

            writer.WriteString("sts"u8, Code);
            writer.WriteString("fpr"u8, Fingerprint);
            writer.WriteString("non"u8, Nonce);
            if (Credential is not null)
            {
                writer.WriteString("crd"u8, Credential);
            }

            writer.WriteNumber("iat"u8, IssuedAt.ToUnixTimeSeconds());
            writer.WriteNumber("exp"u8, ExpiresAt.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        return signer.SignPayload(payload.WrittenSpan, TokenTypes.Status);
    }

    /// <summary>Reads the payload of a verified status; null when it is not one.</summary>
    internal static SignedStatus? Read(ReadOnlySpan<byte> json)
    {
        string? iss = null, iid = null, lid = null, sts = null, fpr = null, non = null, crd = null;
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
                var isString = reader.TokenType == JsonTokenType.String;
                var isNumber = reader.TokenType == JsonTokenType.Number;
                switch (name)
                {
                    case "iss" when iss is null && isString: iss = reader.GetString(); break;
                    case "iid" when iid is null && isString: iid = reader.GetString(); break;
                    case "lid" when lid is null && isString: lid = reader.GetString(); break;
                    case "sts" when sts is null && isString: sts = reader.GetString(); break;
                    case "fpr" when fpr is null && isString: fpr = reader.GetString(); break;
                    case "non" when non is null && isString: non = reader.GetString(); break;
                    case "crd" when crd is null && isString: crd = reader.GetString(); break;
                    case "iat" when iat is null && isNumber: iat = reader.GetInt64(); break;
                    case "exp" when exp is null && isNumber: exp = reader.GetInt64(); break;
                    case "iss" or "iid" or "lid" or "sts" or "fpr" or "non" or "crd" or "iat" or "exp": return null;
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
        if (iss is null || iid is null || sts is null || fpr is null || non is null
            || iat is not (>= 0 and <= maxSeconds) || exp is not (>= 0 and <= maxSeconds))
        {
            return null;
        }

        return new SignedStatus
        {
            Issuer = iss,
            InstallationId = iid,
            LicenseId = lid,
            Code = sts,
            Fingerprint = fpr,
            Nonce = non,
            Credential = crd,
            IssuedAt = DateTimeOffset.FromUnixTimeSeconds(iat.Value),
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(exp.Value),
        };
    }
}

/// <summary>What a refusal's status must concern to be acted on: the request it answers.</summary>
/// <param name="Code">The refusal as the answer states it (e.g. <c>REVOKED</c>, <c>UNAUTHENTICATED</c>).</param>
/// <param name="InstallationId">This machine's installation.</param>
/// <param name="LicenseId">Its license; null skips the check.</param>
/// <param name="Fingerprint">The fingerprint the request carried.</param>
/// <param name="Nonce">The nonce the request carried.</param>
/// <param name="Credential">The credential the request presented; an <c>UNAUTHENTICATED</c> status must name its hash.</param>
public sealed record ExpectedStatus(string Code, string InstallationId, string? LicenseId, string Fingerprint, string Nonce, string? Credential = null);

/// <summary>The outcome of <see cref="TokenVerifier.VerifyStatus"/>.</summary>
/// <param name="Status">The verified status, or null when it does not verify.</param>
/// <param name="Reason">Why it does not verify, or what it says.</param>
public sealed record StatusVerificationResult(SignedStatus? Status, string Reason)
{
    /// <summary>True when the status verifies and concerns the expected request.</summary>
    public bool IsValid => Status is not null;
}
