using System.Security.Cryptography;
using System.Text;
using LicenseHub.Agent.State;

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
/// <c>/etc/machine-id</c> (falling back to the D-Bus copy), else, on a system that has none (a container), the one
/// lh-agent created in its state directory (<c>machine-id</c>, 128 random bits, created at activation). The value is
/// only ever hashed.
/// </summary>
internal sealed class MachineIdSource
{
    public const string EnvironmentVariable = "LH_AGENT_MACHINE_ID_FILE";

    /// <summary>The machine id lh-agent creates in its state directory when the system has none.</summary>
    public const string GeneratedFileName = "machine-id";

    private static readonly string[] s_systemPaths = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

    private readonly string[] _paths;
    private readonly string? _generatedPath;

    public MachineIdSource(string? overridePath, string? stateDirectory = null)
        : this(string.IsNullOrEmpty(overridePath) ? s_systemPaths : [overridePath],
            string.IsNullOrEmpty(overridePath) && stateDirectory is not null ? System.IO.Path.Combine(stateDirectory, GeneratedFileName) : null)
    {
    }

    /// <summary>Looks for <paramref name="paths"/>, then for the machine id lh-agent made at <paramref name="generatedPath"/>.</summary>
    public MachineIdSource(string[] paths, string? generatedPath)
    {
        _paths = paths;
        _generatedPath = generatedPath;
    }

    public static MachineIdSource FromEnvironment(string? optionPath, string? stateDirectory = null) =>
        new(optionPath ?? Environment.GetEnvironmentVariable(EnvironmentVariable), stateDirectory);

    /// <summary>
    /// Computes the fingerprint for <paramref name="salt"/> without exposing the machine id. With
    /// <paramref name="createIfMissing"/> (activation, offline request), a system without a machine id gets one in the
    /// state directory.
    /// </summary>
    /// <exception cref="MachineIdException">No readable, non-empty machine id.</exception>
    /// <exception cref="AgentStateException">The machine id lh-agent keeps cannot be created.</exception>
    public string Fingerprint(ReadOnlySpan<byte> salt, bool createIfMissing = false) => MachineFingerprint.Compute(salt, Read(createIfMissing));

    /// <summary>Where this machine's id is read from (for 'status'; the value itself is never shown).</summary>
    public string Describe()
    {
        var found = _paths.FirstOrDefault(File.Exists) ?? (_generatedPath is not null && File.Exists(_generatedPath) ? _generatedPath : null);
        return found is null ? "none yet" : found == _generatedPath ? $"{found} (created by lh-agent: the system has none)" : found;
    }

    private string Read(bool createIfMissing)
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

        if (_generatedPath is not null && (createIfMissing || File.Exists(_generatedPath)))
        {
            // Like systemd-machine-id-setup: 128 random bits as 32 hex characters. Readable by all (as /etc/machine-id
            // is): the vendor's product passes it as --machine-id-file when it verifies the license itself.
            var generated = CreateOnceFile.ReadOrCreate(_generatedPath,
                () => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) + "\n",
                CreateOnceFile.WorldReadable, "the machine id");
            if (generated.Length == 0)
            {
                throw new MachineIdException($"the machine id file {_generatedPath} is empty; delete it and activate again");
            }

            return generated;
        }

        var looked = string.Join(", ", _paths);
        throw new MachineIdException(_generatedPath is null
            ? $"no machine id found (looked for {looked}); set {EnvironmentVariable} or --machine-id-file"
            : $"no machine id found (looked for {looked} and {_generatedPath}); 'lh-agent activate' creates one in the state directory " +
              $"when the system has none, or set {EnvironmentVariable} or --machine-id-file");
    }
}

/// <summary>The machine id cannot be read; exit code 4.</summary>
internal sealed class MachineIdException(string message) : Exception(message);
