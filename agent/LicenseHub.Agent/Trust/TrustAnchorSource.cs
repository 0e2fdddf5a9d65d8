using System.Reflection;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Trust;

/// <summary>
/// Where the vendor's trust anchor comes from: one embedded at publish time (MSBuild property
/// <c>LhAgentTrustAnchor</c>, for vendors who ship their own build; it then is the only one), else
/// <c>--trust PATH</c>, else <c>$LH_AGENT_TRUST</c>, else <c>/etc/lh-agent/trust.json</c>. Without an anchor
/// the agent cannot tell a genuine license from a forged one, so it refuses to license.
/// </summary>
internal sealed class TrustAnchorSource(string? optionPath)
{
    public const string EnvironmentVariable = "LH_AGENT_TRUST";
    public const string DefaultPath = "/etc/lh-agent/trust.json";
    public const string EmbeddedResourceName = "LicenseHub.Agent.trust.json";
    private const long MaxLength = 64 * 1024;

    private TrustAnchor? _anchor;

    public static TrustAnchorSource FromEnvironment(string? optionPath) =>
        new(optionPath ?? NonEmpty(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>Where the anchor is read from, for messages.</summary>
    public string Describe() => Embedded() is not null ? "the anchor built into lh-agent" : optionPath ?? DefaultPath;

    /// <summary>The anchor.</summary>
    /// <exception cref="TrustAnchorException">There is none, or it cannot be read.</exception>
    public TrustAnchor Load() => _anchor ??= LoadCore();

    /// <summary>The anchor, or null with the reason when there is none.</summary>
    public TrustAnchor? TryLoad(out string? problem)
    {
        try
        {
            problem = null;
            return Load();
        }
        catch (TrustAnchorException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private TrustAnchor LoadCore()
    {
        if (Embedded() is { } embedded)
        {
            return Parse(embedded, "the anchor built into lh-agent");
        }

        var path = optionPath ?? DefaultPath;
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new TrustAnchorException(
                    $"no trust anchor at {path}: lh-agent trusts only licenses signed by keys the vendor's root certified. " +
                    $"Get trust.json from your vendor or reseller (the vendor prints it with 'licensehub trust export') and put it at {DefaultPath}, " +
                    $"or pass --trust PATH or set {EnvironmentVariable}");
            }

            if (info.Length > MaxLength)
            {
                throw new TrustAnchorException($"the trust anchor {path} is larger than an anchor can be");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrustAnchorException($"cannot read the trust anchor {path}: {e.Message}");
        }

        return Parse(text, path);
    }

    private static TrustAnchor Parse(string text, string source)
    {
        try
        {
            return TrustAnchor.Parse(text);
        }
        catch (FormatException e)
        {
            throw new TrustAnchorException($"the trust anchor {source} is not usable: {e.Message}");
        }
    }

    private static string? Embedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(EmbeddedResourceName);
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>No usable trust anchor; exit code 4.</summary>
internal sealed class TrustAnchorException(string message) : Exception(message);
