namespace LicenseHub.Server.Operations;

/// <summary>
/// The SQLite database belongs to one server process at a time: the server holds an exclusive lock on
/// <c>licensehub.db.lock</c> for as long as it runs, and <c>licensehub restore</c> takes the same lock before it replaces
/// anything, so a restore cannot swap the file under a running server (which would keep writing to the old one).
/// </summary>
public static class DatabaseFileLock
{
    public static string PathFor(string databasePath) => Path.GetFullPath(databasePath) + ".lock";

    /// <summary>The lock, or null when another process holds it.</summary>
    /// <exception cref="IOException">The lock file cannot be written (a read-only file system or directory).</exception>
    public static FileStream? TryAcquire(string databasePath)
    {
        var path = PathFor(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix that other processes' opens respect.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Held by another process, or not writable here (a read-only file system): a read-only handle takes the same
            // lock, so the two are told apart, and a read-only database is reported as such, not as "in use".
            try
            {
                new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.None).Dispose();
            }
            catch (IOException) when (File.Exists(path))
            {
                return null;
            }
            catch (Exception)
            {
                // Not even readable: reported below as not writable.
            }
            throw new IOException($"{path} cannot be opened for writing: {e.Message}", e);
        }
    }
}

/// <summary>Held by the running server (a singleton disposed at shutdown).</summary>
public sealed class HeldDatabaseLock(FileStream handle) : IDisposable
{
    public void Dispose() => handle.Dispose();
}
