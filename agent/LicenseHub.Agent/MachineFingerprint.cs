using System.Security.Cryptography;
using System.Text;

namespace LicenseHub.Agent;

/// <summary>
/// The pseudonymous machine fingerprint sent to the server: HMAC-SHA256 over the machine id, keyed by a
/// per-license salt, so the same machine under two licenses gives two unrelated fingerprints and the
/// machine id itself never leaves the process.
/// </summary>
internal static class MachineFingerprint
{
    public const int SaltLength = LicenseHub.Tokens.Fingerprints.SaltLength;

    private const string SaltPrefix = "licensehub-fingerprint-v1:";

    /// <summary>Upper-case and trimmed: the form a key is typed, pasted or stored in.</summary>
    public static string NormalizeLicenseKey(string licenseKey) => licenseKey.Trim().ToUpperInvariant();

    /// <summary>SHA-256 of UTF-8("licensehub-fingerprint-v1:" + normalised key). Stored instead of the key.</summary>
    public static byte[] DeriveSalt(string licenseKey)
    {
        var normalized = NormalizeLicenseKey(licenseKey);
        if (normalized.Length == 0)
        {
            throw new ArgumentException("The license key is empty.", nameof(licenseKey));
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(SaltPrefix + normalized));
    }

    /// <summary>64 lower-case hex characters; the computation products repeat when they verify a license file.</summary>
    public static string Compute(ReadOnlySpan<byte> salt, string machineId) => LicenseHub.Tokens.Fingerprints.Compute(salt, machineId);
}

/// <summary>
/// Where the machine id comes from: <c>--machine-id-file</c>, else <c>LH_AGENT_MACHINE_ID_FILE</c>, else
/// <c>/etc/machine-id</c> (falling back to the D-Bus copy). The value is only ever hashed.
/// </summary>
internal sealed class MachineIdSource
{
    public const string EnvironmentVariable = "LH_AGENT_MACHINE_ID_FILE";

    private static readonly string[] s_defaultPaths = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

    private readonly string[] _paths;

    public MachineIdSource(string? overridePath)
    {
        _paths = string.IsNullOrEmpty(overridePath) ? s_defaultPaths : [overridePath];
    }

    public static MachineIdSource FromEnvironment(string? optionPath) =>
        new(optionPath ?? Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Computes the fingerprint for <paramref name="salt"/> without exposing the machine id.</summary>
    /// <exception cref="MachineIdException">No readable, non-empty machine id.</exception>
    public string Fingerprint(ReadOnlySpan<byte> salt) => MachineFingerprint.Compute(salt, Read());

    private string Read()
    {
        foreach (var path in _paths)
        {
            string text;
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    continue;
                }

                if (info.Length > 4096)
                {
                    throw new MachineIdException($"the machine id file {path} is larger than a machine id can be");
                }

                text = File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new MachineIdException($"cannot read the machine id from {path}: {e.Message}");
            }

            if (text.Length == 0)
            {
                throw new MachineIdException($"the machine id file {path} is empty (run systemd-machine-id-setup)");
            }

            return text;
        }

        throw new MachineIdException($"no machine id found (looked for {string.Join(", ", _paths)}); set {EnvironmentVariable} or --machine-id-file");
    }
}

/// <summary>The machine id cannot be read; exit code 4.</summary>
internal sealed class MachineIdException(string message) : Exception(message);
