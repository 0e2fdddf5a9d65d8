using System.Security.Cryptography;
using System.Text;

namespace LicenseHub.Agent.State;

/// <summary>
/// What tells apart machines that share a machine id (containers of one image, VMs cloned from one template): a
/// random 256-bit key that lh-agent creates once per state file, in <c>state.json.identity</c> next to it (0600). It
/// never leaves the machine; with the per-license salt it gives the installation salt the fingerprint is keyed by:
/// <c>HMAC-SHA256(key = identity key, message = "licensehub-installation-salt-v2:" + license salt)</c>. A copied state
/// directory copies the key too, and is then one installation on two machines: what the check-in ticket catches.
/// </summary>
internal static class InstallationIdentity
{
    public const string FileSuffix = ".identity";

    public const int KeyLength = 32;

    private static readonly byte[] s_saltLabel = Encoding.ASCII.GetBytes("licensehub-installation-salt-v2:");

    /// <summary>The identity file of the state file <paramref name="statePath"/>.</summary>
    public static string PathFor(string statePath) => statePath + FileSuffix;

    /// <summary>The installation salt for the license salt <paramref name="licenseSalt"/>.</summary>
    public static byte[] DeriveInstallationSalt(ReadOnlySpan<byte> identityKey, ReadOnlySpan<byte> licenseSalt)
    {
        if (identityKey.Length != KeyLength || licenseSalt.Length != MachineFingerprint.SaltLength)
        {
            throw new ArgumentException("The identity key and the license salt are 32 bytes each.");
        }

        var message = new byte[s_saltLabel.Length + licenseSalt.Length];
        s_saltLabel.CopyTo(message, 0);
        licenseSalt.CopyTo(message.AsSpan(s_saltLabel.Length));
        return HMACSHA256.HashData(identityKey, message);
    }

    /// <summary>
    /// The installation salt an activation (or offline request) under <paramref name="licenseSalt"/> uses: the previous
    /// state's when it is for the same license, so activating again stays the same installation; null, meaning the
    /// license salt alone, for a state of lh-agent 0.1 under the same license (the upgrade keeps its fingerprint); else
    /// derived from the identity key of <paramref name="statePath"/>, which is created if need be.
    /// </summary>
    /// <exception cref="AgentStateException">The identity key cannot be read or created.</exception>
    public static byte[]? ForActivation(string statePath, AgentState? previous, byte[] licenseSalt)
    {
        if (previous?.Salt is { } previousSalt && previousSalt == LicenseHub.Tokens.Base64Url.Encode(licenseSalt))
        {
            return previous.InstallationSalt is { } kept ? LicenseHub.Tokens.Base64Url.Decode(kept) : null;
        }

        return DeriveInstallationSalt(ReadOrCreate(statePath), licenseSalt);
    }

    /// <summary>The identity key of <paramref name="statePath"/>, created (once, atomically) when there is none yet.</summary>
    /// <exception cref="AgentStateException">It cannot be read or created, or it is not an identity key.</exception>
    public static byte[] ReadOrCreate(string statePath)
    {
        var path = PathFor(statePath);
        var text = CreateOnceFile.ReadOrCreate(path, () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyLength)) + "\n",
            CreateOnceFile.OwnerOnly, "the installation identity");
        if (text.Length != KeyLength * 2 || !text.All(char.IsAsciiHexDigitLower))
        {
            throw new AgentStateException(
                $"the installation identity {path} is corrupt (not 64 lower-case hex characters); delete it together with the state file " +
                "('lh-agent forget --force') and activate again: this machine then becomes a new installation");
        }

        return Convert.FromHexString(text);
    }
}

/// <summary>
/// A small file written once and never changed: created as a temporary file (fsync) that is then linked into place,
/// so two lh-agent processes racing to create it end up with one content, the first one's, and a reader never sees half.
/// </summary>
internal static class CreateOnceFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const int MaxBytes = 4096;

    /// <summary>The trimmed content of <paramref name="path"/>, which is created with <paramref name="create"/> when absent.</summary>
    /// <exception cref="AgentStateException">The file cannot be read or its directory is not writable.</exception>
    public static string ReadOrCreate(string path, Func<string> create, UnixFileMode mode, string what)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        for (var attempt = 0; ; attempt++)
        {
            if (TryRead(path, what) is { } existing)
            {
                return existing;
            }

            var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            try
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(directory);
                }
                else
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }

                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = mode;
                }

                using (var stream = new FileStream(temp, options))
                {
                    stream.Write(Encoding.ASCII.GetBytes(create()));
                    stream.Flush(flushToDisk: true);
                }

                StateFileOwnership.MatchDirectoryOwner(temp, directory);
                // Without overwrite, .NET links the file into place (link(2)): it fails when another process was first.
                File.Move(temp, path, overwrite: false);
                return TryRead(path, what) ?? throw new AgentStateException($"{what} {path} vanished as it was created");
            }
            catch (IOException) when (File.Exists(path) && attempt < 3)
            {
                TryDelete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(temp);
                throw new AgentStateException($"cannot create {what} {path}: {e.Message}. {WritableDirectoryHint(directory)}");
            }
        }
    }

    /// <summary>What to do when the state directory cannot be written: the same advice wherever that shows.</summary>
    public static string WritableDirectoryHint(string directory) =>
        $"lh-agent keeps its identity and state in {directory}, which must be writable by the user lh-agent runs as and survive " +
        "restarts: under systemd StateDirectory=lh-agent does that; in a container, mount a volume there " +
        "(docker run -v lh-agent-state:/var/lib/lh-agent ...), or choose another place with --state or LH_AGENT_STATE";

    private static string? TryRead(string path, string what)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            if (info.Length > MaxBytes)
            {
                throw new AgentStateException($"{what} {path} is larger than it can be");
            }

            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentStateException($"cannot read {what} {path}: {e.Message}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temporary file is harmless.
        }
    }
}
