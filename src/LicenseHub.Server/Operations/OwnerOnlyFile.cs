namespace LicenseHub.Server.Operations;

/// <summary>
/// Files only the server's own user may read (permissions 0600): the vendor admin key of the first start,
/// the key-encryption key, backup keys and backups. The mode is set at creation, so there is no moment in
/// which another user could open the file.
/// </summary>
public static class OwnerOnlyFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, replacing what was there, readable by the owner only.</summary>
    public static async Task WriteAsync(string path, string content, CancellationToken ct)
    {
        await using (var stream = new FileStream(path, Options(FileMode.Create)))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(content.AsMemory(), ct);
        }
        if (!OperatingSystem.IsWindows())
        {
            // An existing file keeps its mode on FileMode.Create: narrow it too.
            File.SetUnixFileMode(path, Mode);
        }
    }

    /// <summary>Creates a new, empty file readable by the owner only; fails when the path exists.</summary>
    public static FileStream CreateNew(string path) => new(path, Options(FileMode.CreateNew));

    private static FileStreamOptions Options(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode;
        }
        return options;
    }
}
