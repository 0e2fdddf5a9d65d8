using LicenseHub.Server.Operations.Backup;
using System.CommandLine;
using System.Security.Cryptography;
using LicenseHub.Server.Operations;
using Microsoft.Data.Sqlite;

namespace LicenseHub.Server.Hosting;

/// <summary>
/// <c>licensehub backup</c>, <c>licensehub restore</c> and <c>licensehub backup-key</c>: operator commands run by the
/// server binary with the server's own configuration, instead of starting the server (see <see cref="ServerCommandLine"/>).
/// </summary>
public static class BackupCommands
{
    public const string KeyEnvironmentVariable = "LICENSEHUB_BACKUP_KEY";

    /// <summary>The three commands, for <see cref="ServerCommandLine"/>.</summary>
    public static IEnumerable<Command> Create()
    {
        var keyFile = new Option<FileInfo?>("--key-file")
        {
            Description = $"File with the backup key (base64 of 32 bytes). Default: the environment variable {KeyEnvironmentVariable}.",
        };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The encrypted backup file to create (must not exist).", Required = true };
        var input = new Option<FileInfo>("--input", "-i") { Description = "The encrypted backup file to restore.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace an existing database (kept as .before-restore-*). Stop the server first." };
        var keyOut = new Argument<FileInfo>("FILE") { Description = "Where to write the new key (created with 0600 permissions)." };

        var backup = new Command("backup", "Make a consistent, encrypted online backup of the SQLite database while the server runs.") { output, keyFile };
        backup.SetAction(async (result, ct) => await Guard(async () =>
        {
            var database = DatabasePath();
            var size = await EncryptedBackup.BackupAsync(database, result.GetValue(output)!.FullName, Key(result.GetValue(keyFile)),
                new Progress<string>(Console.Error.WriteLine), ct);
            Console.WriteLine($"Backed up {database} ({size} bytes) to {result.GetValue(output)!.FullName}.");
        }));

        var restore = new Command("restore", "Verify an encrypted backup completely, then replace the SQLite database with it. Stop the server first.")
        {
            input, keyFile, force,
        };
        restore.SetAction(async (result, ct) => await Guard(async () =>
        {
            var database = DatabasePath();
            var counts = await EncryptedBackup.RestoreAsync(result.GetValue(input)!.FullName, database, Key(result.GetValue(keyFile)),
                result.GetValue(force), new Progress<string>(Console.Error.WriteLine), ct);
            Console.WriteLine($"Restored {database}: " + string.Join(", ", counts.Where(c => !c.Key.StartsWith("__", StringComparison.Ordinal))
                .Select(c => $"{c.Key} {c.Value}")));
        }));

        var keygen = new Command("backup-key", "Create a new random backup key file. Keep it apart from the backups.") { keyOut };
        keygen.SetAction(async (result, ct) => await Guard(async () =>
        {
            var path = result.GetValue(keyOut)!.FullName;
            if (File.Exists(path))
            {
                throw new BackupException($"{path} already exists.");
            }
            await OwnerOnlyFile.WriteAsync(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n", ct);
            Console.WriteLine($"Wrote a new backup key to {path} (0600).");
        }));

        return [backup, restore, keygen];
    }

    private static async Task<int> Guard(Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (BackupException ex)
        {
            Console.Error.WriteLine($"licensehub: {ex.Message}");
            return 1;
        }
    }

    private static byte[] Key(FileInfo? file)
    {
        if (file is not null)
        {
            return EncryptedBackup.ParseKey(File.ReadAllText(file.FullName));
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(KeyEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(fromEnvironment))
        {
            throw new BackupException($"No backup key: pass --key-file or set {KeyEnvironmentVariable} (create one with 'licensehub backup-key FILE').");
        }
        return EncryptedBackup.ParseKey(fromEnvironment);
    }

    /// <summary>The database the server would use, from the same configuration sources.</summary>
    private static string DatabasePath()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        if (string.Equals(configuration["Database:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            throw new BackupException("The database is PostgreSQL: back it up with pg_dump (see the README, 'Running on PostgreSQL').");
        }
        var connectionString = configuration.GetConnectionString("LicenseHub");
        if (!string.IsNullOrEmpty(connectionString))
        {
            return Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);
        }
        var options = configuration.GetSection(LicenseHubOptions.Section).Get<LicenseHubOptions>() ?? new LicenseHubOptions();
        return Path.Combine(options.ResolveDataDirectory(), "licensehub.db");
    }
}
