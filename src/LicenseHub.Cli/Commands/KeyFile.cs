using System.Text;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>
/// A new CSV file for freshly assigned license keys, readable only by the current user. It is never
/// an existing file: overwriting one could destroy the only copy of earlier keys.
/// </summary>
public sealed class KeyFile : IDisposable
{
    private readonly FileStream _stream;
    private bool _written;

    private KeyFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    public static KeyFile CreateNew(string path) =>
        new(path, PrivateFile.OpenNew(path,
            $"{path} already exists; choose a new file name (lhctl never overwrites a file that may hold license keys)."));

    public void Write(IEnumerable<AssignedLicense> licenses)
    {
        using (var writer = new StreamWriter(_stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" })
        {
            writer.WriteLine("license_id,license_key,reseller_reference");
            foreach (var assigned in licenses)
            {
                writer.WriteLine(string.Join(',', Field(assigned.License.Id), Field(assigned.LicenseKey), Field(assigned.License.ResellerReference)));
            }
        }
        _stream.Flush(flushToDisk: true);
        _written = true;
    }

    /// <summary>Removes the still empty file after the server refused the assignment.</summary>
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

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
