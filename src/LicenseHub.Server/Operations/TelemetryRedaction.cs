using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace LicenseHub.Server.Operations;

/// <summary>
/// Runs on every span before any exporter: removes the attributes that would carry a client's address
/// (ASP.NET Core and OpenTelemetry add them by default) and scrubs anything shaped like a license key, API
/// key, installation secret or e-mail address from the rest.
/// </summary>
public sealed partial class TelemetryRedaction : BaseProcessor<Activity>
{
    public const string Redacted = "[redacted]";

    private static readonly HashSet<string> DroppedTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "client.address", "client.port", "client.socket.address", "client.socket.port",
        "network.peer.address", "network.peer.port", "net.peer.ip", "net.peer.name", "net.peer.port", "net.sock.peer.addr",
        "net.sock.peer.port", "http.client_ip", "enduser.id", "user.id", "user_agent.original", "http.user_agent",
        "http.request.header.authorization", "db.query.parameter", "db.statement.parameters",
    };

    public override void OnEnd(Activity activity)
    {
        List<string>? drop = null;
        List<(string Key, string Value)>? scrub = null;
        foreach (var tag in activity.TagObjects)
        {
            if (DroppedTags.Contains(tag.Key) || tag.Key.StartsWith("db.query.parameter.", StringComparison.Ordinal)
                || tag.Key.StartsWith("http.request.header.", StringComparison.Ordinal))
            {
                (drop ??= []).Add(tag.Key);
            }
            else if (tag.Value is string text && Scrub(text) is var cleaned && !ReferenceEquals(cleaned, text))
            {
                (scrub ??= []).Add((tag.Key, cleaned));
            }
        }
        foreach (var key in drop ?? [])
        {
            activity.SetTag(key, null);
        }
        foreach (var (key, value) in scrub ?? [])
        {
            activity.SetTag(key, value);
        }
        foreach (var ev in activity.Events)
        {
            foreach (var tag in ev.Tags)
            {
                if (tag.Value is string text && !ReferenceEquals(Scrub(text), text))
                {
                    // Event tags are immutable; an exception message with a secret is dropped as a whole.
                    activity.SetTag("licensehub.redacted_event", ev.Name);
                }
            }
        }
    }

    /// <summary>Returns <paramref name="text"/> itself when nothing needed scrubbing.</summary>
    public static string Scrub(string text)
    {
        if (text.Length < 6)
        {
            return text;
        }
        var cleaned = Secrets().Replace(text, Redacted);
        return cleaned == text ? text : cleaned;
    }

    // License keys (6 groups of 5, with or without dashes), API keys (lh_…_…), e-mail addresses.
    [GeneratedRegex(@"(?i)\b[0-9A-Z]{5}(-?[0-9A-Z]{5}){5}\b|\blh_[a-z0-9]{10}_[a-z0-9]{32}\b|[^@\s""]+@[^@\s""]+\.[a-z]{2,}")]
    private static partial Regex Secrets();
}
