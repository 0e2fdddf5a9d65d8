using System.Text;

namespace LicenseHub.Cli.Commands;

/// <summary>
/// A new file readable only by the current user (0600) for something the server hands out once or that
/// holds personal data (offline license files, data exports). It is never an existing file: overwriting
/// one could destroy the only copy of what it held. Created before the call, so a name that is taken
/// fails before the server does anything.
/// </summary>
public sealed class PrivateFile : IDisposable
{
    private readonly FileStream _stream;
    private bool _written;

    private PrivateFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    /// <param name="path">Where to create the file.</param>
    /// <param name="holds">What the file will hold, for the refusal message, e.g. "an offline license".</param>
    public static PrivateFile CreateNew(string path, string holds) =>
        new(path, OpenNew(path, $"{path} already exists; choose a new file name (lhctl never overwrites a file that may hold {holds})."));

    /// <summary>Opens a new file with permissions 0600; refuses (as a usage error) when it exists or cannot be created.</summary>
    public static FileStream OpenNew(string path, string existsMessage)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            return new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new UsageException(existsMessage);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot create {path}: {ex.Message}");
        }
    }

    /// <summary>Writes the content, ending in a newline; false (with the reason on stderr) when the disk refuses.</summary>
    public bool TryWrite(string content, TextWriter error)
    {
        try
        {
            var bytes = new UTF8Encoding(false).GetBytes(content.EndsWith('\n') ? content : content + "\n");
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: true);
            _written = true;
            return true;
        }
        catch (IOException ex)
        {
            error.WriteLine($"lhctl: could not write {Path} ({ex.Message}); printing it instead.");
            return false;
        }
    }

    /// <summary>Removes the still empty file after the server refused the request.</summary>
    public void Abandon()
    {
        if (_written)
        {
            return;
        }
        _stream.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => _stream.Dispose();
}
