using System.Globalization;
using System.Runtime.InteropServices;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Trust;

/// <summary>
/// Keeps the license file the vendor's product verifies in-process (<see cref="LicenseFile"/>): the current token, the
/// signing keys with their certificates and the fingerprint salt, never the installation secret. Mode 0640, so that the
/// product can read it as a member of the file's group: <c>--license-group</c> / <c>$LH_AGENT_LICENSE_GROUP</c>
/// (e.g. www-data), else the agent's own group (under systemd: <c>Group=</c>). Rewritten only when what it says changes.
/// </summary>
internal sealed partial class LicenseFilePublisher(string path, string? group)
{
    public const string PathVariable = "LH_AGENT_LICENSE_FILE";
    public const string GroupVariable = "LH_AGENT_LICENSE_GROUP";
    public const string DefaultFileName = "license.json";

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public static LicenseFilePublisher FromEnvironment(string statePath, string? optionPath, string? optionGroup) => new(
        optionPath ?? NonEmpty(Environment.GetEnvironmentVariable(PathVariable))
            ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(statePath))!, DefaultFileName),
        optionGroup ?? NonEmpty(Environment.GetEnvironmentVariable(GroupVariable)));

    /// <summary>What the license file says for <paramref name="state"/>.</summary>
    public static LicenseFile Describe(AgentState state, DateTimeOffset now) => new()
    {
        Product = state.Product,
        Token = state.Token,
        TokenType = state.Token is null ? null : state.TokenType,
        Jwks = state.Jwks,
        // The key of the fingerprint the token is bound to: what the product recomputes it with.
        FingerprintSalt = state.InstallationSalt ?? state.Salt,
        Status = state.LastResult,
        WrittenAt = now,
    };

    /// <summary>Writes the file when its content would change.</summary>
    /// <exception cref="AgentStateException">It cannot be written, or the group does not exist.</exception>
    public void Publish(AgentState state, DateTimeOffset now)
    {
        var file = Describe(state, now);
        if (Unchanged(file))
        {
            return;
        }

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode;
            }

            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(file.ToJson());
                writer.Write('\n');
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The umask may have narrowed the create mode.
                File.SetUnixFileMode(temp, FileMode);
                ApplyGroup(temp, directory);
            }

            File.Move(temp, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new AgentStateException($"cannot write the license file {Path}: {e.Message}");
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Removes the file (after 'forget').</summary>
    public void Remove() => TryDelete(Path);

    private bool Unchanged(LicenseFile next)
    {
        try
        {
            if (!File.Exists(Path))
            {
                return false;
            }

            var current = LicenseFile.Parse(File.ReadAllText(Path));
            current.WrittenAt = next.WrittenAt;
            return current.ToJson() == next.ToJson();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return false;
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void ApplyGroup(string file, string directory)
    {
        if (group is null)
        {
            return;
        }

        var gid = ResolveGroup(group) ?? throw new AgentStateException($"the license file group '{group}' does not exist (see {GroupVariable} / --license-group)");
        if (Chown(file, uint.MaxValue, gid) != 0)
        {
            throw new AgentStateException(
                $"cannot give the license file to group '{group}' (errno {Marshal.GetLastPInvokeError()}): run lh-agent as root or as a member of that group");
        }

        // The product must be able to reach the file: let the group traverse the directory (not list it; state.json stays 0600).
        if (Chown(directory, uint.MaxValue, gid) == 0)
        {
            var mode = File.GetUnixFileMode(directory);
            File.SetUnixFileMode(directory, mode | UnixFileMode.GroupExecute);
        }
    }

    /// <summary>A group name from /etc/group, or a numeric gid.</summary>
    internal static uint? ResolveGroup(string name)
    {
        if (uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric))
        {
            return numeric;
        }

        try
        {
            foreach (var line in File.ReadLines("/etc/group"))
            {
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[0] == name && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                {
                    return gid;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint owner, uint group);
}
