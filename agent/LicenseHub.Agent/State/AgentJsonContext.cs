using System.Text.Json.Serialization;

namespace LicenseHub.Agent.State;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(AgentState))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(OfflineActivationRequest))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
