using System.Runtime.InteropServices;

namespace LicenseHub.Agent.State;

/// <summary>
/// When an administrator runs lh-agent as root against the state directory of the service (which runs
/// as its own, unprivileged user), files it creates are handed to the directory's owner. Otherwise the
/// first 'sudo lh-agent activate' would leave a root-owned 0600 file the daemon cannot read.
/// </summary>
internal static partial class StateFileOwnership
{
    private const int AtFdCwd = -100;
    private const uint StatxUid = 0x8;
    private const uint StatxGid = 0x10;
    private const int StatxSize = 256;
    // struct statx is the same on every Linux architecture: stx_uid at 20, stx_gid at 24.
    private const int UidOffset = 20;
    private const int GidOffset = 24;

    /// <summary>Gives <paramref name="file"/> the owner of <paramref name="directory"/> when running as root on Linux.</summary>
    public static void MatchDirectoryOwner(string file, string directory)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return;
        }

        Span<byte> buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, directory, 0, StatxUid | StatxGid, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return;
        }

        var uid = BitConverter.ToUInt32(buffer[UidOffset..]);
        var gid = BitConverter.ToUInt32(buffer[GidOffset..]);
        if (uid != 0 || gid != 0)
        {
            // Best effort: if this fails, systemd re-owns the state directory when the service starts.
            _ = Chown(file, uid, gid);
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint owner, uint group);
}
