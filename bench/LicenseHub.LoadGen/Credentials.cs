using System.Globalization;

namespace LicenseHub.LoadGen;

/// <summary>What an agent keeps after activation: enough to check in.</summary>
public sealed record InstallationCredential(string InstallationId, string Secret, string Fingerprint);

/// <summary>
/// The credentials file written by LicenseHub.Seed (and by this tool with --save-credentials): a header
/// line, then 'installation_id,secret,fingerprint' per line. Secrets of benchmark data only.
/// </summary>
public static class CredentialsFile
{
    public const string Header = "installation_id,secret,fingerprint";

    public static IReadOnlyList<InstallationCredential> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"The credentials file {path} does not exist.");
        }
        var list = new List<InstallationCredential>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#') || line == Header)
            {
                continue;
            }
            var parts = line.Split(',');
            if (parts.Length != 3)
            {
                throw new UsageException($"{path}: '{line}' is not 'installation_id,secret,fingerprint'.");
            }
            list.Add(new InstallationCredential(parts[0], parts[1], parts[2]));
        }
        if (list.Count == 0)
        {
            throw new UsageException($"{path} holds no installations.");
        }
        return list;
    }

    public static void Write(string path, IEnumerable<InstallationCredential> credentials)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(Header);
        foreach (var c in credentials)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.InstallationId},{c.Secret},{c.Fingerprint}"));
        }
    }
}
