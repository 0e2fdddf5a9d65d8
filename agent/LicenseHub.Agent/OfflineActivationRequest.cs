using System.Text.Json;
using System.Text.Json.Serialization;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent;

/// <summary>
/// What an air-gapped machine hands to its reseller to obtain an offline license file. Carries no
/// secret: neither the license key nor the machine id.
/// </summary>
internal sealed record OfflineActivationRequest(
    [property: JsonPropertyName("product")] string Product,
    [property: JsonPropertyName("fingerprint")] string Fingerprint,
    [property: JsonPropertyName("product_version")] string ProductVersion,
    [property: JsonPropertyName("agent_version")] string AgentVersion)
{
    /// <summary>base64url of the compact JSON, one line that survives copy and paste.</summary>
    public string Encode()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            JsonSerializer.Serialize(writer, this, AgentJsonContext.Default.OfflineActivationRequest);
        }

        return Base64Url.Encode(buffer.WrittenSpan);
    }

    /// <exception cref="FormatException">Not an encoded request.</exception>
    public static OfflineActivationRequest Decode(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(Base64Url.Decode(text.Trim()), AgentJsonContext.Default.OfflineActivationRequest)
                ?? throw new FormatException("empty request");
        }
        catch (JsonException e)
        {
            throw new FormatException("not an offline activation request", e);
        }
    }
}

/// <summary>The output of <c>lh-agent status --json</c>.</summary>
internal sealed record StatusReport
{
    public required string StateFile { get; init; }
    public required bool Activated { get; init; }
    public required bool Licensed { get; init; }
    public required string Reason { get; init; }
    public bool InGrace { get; init; }
    public bool ClockSetBack { get; init; }
    public string? Mode { get; init; }
    public string? Server { get; init; }
    public string? Product { get; init; }
    public string? ProductVersion { get; init; }
    public string? LicenseId { get; init; }
    public string? InstallationId { get; init; }
    public string? Plan { get; init; }
    public string? Edition { get; init; }
    public string? TelemetryLevel { get; init; }
    public DateTimeOffset? TokenExpiresAt { get; init; }
    public DateTimeOffset? GraceEndsAt { get; init; }
    public DateTimeOffset? LicenseExpiresAt { get; init; }

    /// <summary>True when the license never expires (its token has no <c>lex</c>); null without a token.</summary>
    public bool? Perpetual { get; init; }

    /// <summary>End of maintenance (<c>mnt</c>) of a perpetual license: versions released after it may not run.</summary>
    public DateTimeOffset? MaintenanceUntil { get; init; }

    /// <summary>The feature codes of the license (<c>ent</c>); empty when it has none, null without a token.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    public DateTimeOffset? LastCheckIn { get; init; }
    public string? LastResult { get; init; }
    public DateTimeOffset? LastSeen { get; init; }
    public IReadOnlyList<string>? TrustedKeyIds { get; init; }

    public string? TrustAnchor { get; init; }

    public IReadOnlyList<string>? TrustAnchorRoots { get; init; }

    public string? LicenseFile { get; init; }
}
