using System.Text.RegularExpressions;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Server.Audit;

/// <summary>What the audit trail is narrowed to, as the caller typed it (checked by <see cref="AuditTrail.ListAsync(Security.Caller, int, string?, AuditFilter, CancellationToken)"/>).</summary>
public sealed record AuditFilter(string? ObjectId = null, string? Action = null, string? Actor = null, string? From = null, string? To = null);

/// <summary>The actor ids the trail records: <c>staff:&lt;id&gt;</c>, <c>apikey:&lt;id&gt;</c>, <c>agent</c> and <c>system:&lt;task&gt;</c>.</summary>
public static partial class AuditActors
{
    /// <summary>
    /// The actor ids a filter matches: one written as the trail writes it, or a bare id (a staff member's or an API
    /// key's, both tried); null for no filter.
    /// </summary>
    public static IReadOnlyList<string>? Parse(Validator v, string? actor)
    {
        if (string.IsNullOrWhiteSpace(actor))
        {
            return null;
        }
        var text = actor.Trim();
        if (Guid.TryParse(text, out var bare))
        {
            return [$"staff:{bare}", $"apikey:{bare}"];
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && text[..colon] is "staff" or "apikey" && Guid.TryParse(text[(colon + 1)..], out var id))
        {
            return [$"{text[..colon]}:{id}"];
        }
        if (text == "agent" || SystemActor().IsMatch(text))
        {
            return [text];
        }
        v.Fail("actor", "must be an actor as the trail shows it: staff:<id>, apikey:<id>, agent or system:<task>");
        return null;
    }

    /// <summary>The id behind a staff or API key actor, with which kind it is; null for the agent and the system.</summary>
    public static (string Kind, Guid Id)? Split(string actorId)
    {
        var colon = actorId.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && actorId[..colon] is "staff" or "apikey" && Guid.TryParse(actorId[(colon + 1)..], out var id)
            ? (actorId[..colon], id)
            : null;
    }

    [GeneratedRegex("^system:[a-z-]{1,40}$")]
    private static partial Regex SystemActor();
}
