using System.Runtime.InteropServices;

namespace LicenseHub.Server.Persistence;

/// <summary>
/// Whether the SQLite database file is still the one the server opened at start. A file deleted or replaced under a
/// running server (a restore done by hand, a cleanup script, a remount) leaves it reading and writing the old file through
/// the handles it holds, answering from data nobody will see again; from then on writes answer UNAVAILABLE and readiness
/// says why, until the file is back or the server restarts on the new one. Identity is the device and inode number.
/// </summary>
public sealed class DatabaseFileWatch
{
    private string? _path;
    private (uint Major, uint Minor, ulong Inode)? _atStart;

    /// <summary>Remembers <paramref name="path"/>'s identity now (after migrations, when the file exists).</summary>
    public void Remember(string path)
    {
        _path = Path.GetFullPath(path);
        _atStart = Identify(_path);
    }

    /// <summary>Why the database file is no longer the one opened at start, or null while it is (and on PostgreSQL).</summary>
    public string? Problem()
    {
        if (_path is null || _atStart is not { } atStart)
        {
            return null;
        }
        var now = Identify(_path);
        if (now is null)
        {
            return File.Exists(_path) ? null : "the database file was deleted while the server ran (restore it, then restart the server)";
        }
        return now == atStart ? null : "the database file was replaced by another file while the server ran (restart the server to use the new one)";
    }

    private static (uint Major, uint Minor, ulong Inode)? Identify(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) ? (0, 0, 0) : null;
        }
        // struct statx has the same layout on every Linux architecture (that is what it was made for).
        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return File.Exists(path) ? (0, 0, 0) : null; // A libc without statx: only deletion is seen.
        }
        return (BitConverter.ToUInt32(buffer, 136), BitConverter.ToUInt32(buffer, 140), BitConverter.ToUInt64(buffer, 32));
    }

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
