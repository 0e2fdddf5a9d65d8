using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace LicenseHub.Server.Operations.Backup;

/// <summary>A backup or restore that cannot go ahead, with a reason an operator can act on.</summary>
public sealed class BackupException(string message) : Exception(message);

/// <summary>
/// Consistent online backups of the SQLite database (SQLite's backup API, safe while the server runs),
/// encrypted with AES-256-GCM under a key the operator supplies, in authenticated 1 MiB chunks (the last
/// one marked, so truncation is detected). Restore decrypts and verifies everything — every chunk, SQLite's
/// integrity check, the schema — before it replaces anything.
/// </summary>
public static class EncryptedBackup
{
    private static readonly byte[] Magic = "LHBACKUP1\n"u8.ToArray();
    private const int ChunkSize = 1 << 20;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] ParseKey(string text)
    {
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            if (key.Length == 32)
            {
                return key;
            }
        }
        catch (FormatException)
        {
        }
        throw new BackupException("The backup key must be base64 of exactly 32 bytes (create one with 'licensehub backup-key FILE').");
    }

    /// <summary>Backs up <paramref name="databasePath"/> into <paramref name="outputPath"/>; returns the bytes of the database copied.</summary>
    public static async Task<long> BackupAsync(string databasePath, string outputPath, byte[] key, IProgress<string>? progress, CancellationToken ct)
    {
        if (!File.Exists(databasePath))
        {
            throw new BackupException($"No database at {databasePath}.");
        }
        if (File.Exists(outputPath))
        {
            throw new BackupException($"{outputPath} already exists; choose a new file name.");
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        var snapshot = Path.Combine(directory, $".licensehub-backup-{Guid.NewGuid():N}.tmp");
        try
        {
            progress?.Report("Copying a consistent snapshot of the database (SQLite online backup)...");
            OwnerOnlyFile.CreateNew(snapshot).Dispose();
            await using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = snapshot, Pooling = false }.ToString()))
            {
                await source.OpenAsync(ct);
                await destination.OpenAsync(ct);
                source.BackupDatabase(destination);
            }
            var size = new FileInfo(snapshot).Length;
            progress?.Report($"Encrypting {size / 1024.0 / 1024.0:0.0} MiB...");
            var partial = outputPath + ".partial";
            OwnerOnlyFile.CreateNew(partial).Dispose();
            await using (var input = File.OpenRead(snapshot))
            await using (var output = new FileStream(partial, FileMode.Truncate, FileAccess.Write))
            {
                await EncryptAsync(input, output, key, ct);
            }
            File.Move(partial, outputPath);
            progress?.Report($"Backup written to {outputPath}.");
            return size;
        }
        finally
        {
            File.Delete(snapshot);
            File.Delete(outputPath + ".partial");
        }
    }

    /// <summary>
    /// Restores <paramref name="backupPath"/> to <paramref name="databasePath"/> after verifying it completely.
    /// The previous database is kept next to it as <c>.before-restore-*</c>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> RestoreAsync(string backupPath, string databasePath, byte[] key, bool force,
        IProgress<string>? progress, CancellationToken ct)
    {
        if (!File.Exists(backupPath))
        {
            throw new BackupException($"No backup at {backupPath}.");
        }
        // Not even with --force: a server keeps writing to the file it opened, and everything it answers after the
        // restore would be lost at its next start.
        await using var held = DatabaseFileLock.TryAcquire(databasePath)
            ?? throw new BackupException($"A LicenseHub server is running on {databasePath} (it holds {DatabaseFileLock.PathFor(databasePath)}): stop it first.");
        var wal = databasePath + "-wal";
        if (File.Exists(wal) && new FileInfo(wal).Length > 0 && !force)
        {
            throw new BackupException($"{databasePath} looks in use (its write-ahead log is not empty). Stop the server first, or pass --force.");
        }
        if (File.Exists(databasePath) && !force)
        {
            throw new BackupException($"{databasePath} exists; pass --force to replace it (it is kept as a .before-restore copy).");
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        Directory.CreateDirectory(directory);
        var candidate = Path.Combine(directory, $".licensehub-restore-{Guid.NewGuid():N}.tmp");
        try
        {
            progress?.Report("Decrypting and authenticating every chunk...");
            OwnerOnlyFile.CreateNew(candidate).Dispose();
            await using (var input = File.OpenRead(backupPath))
            await using (var output = new FileStream(candidate, FileMode.Truncate, FileAccess.Write))
            {
                await DecryptAsync(input, output, key, ct);
            }
            progress?.Report("Checking the database's integrity...");
            var counts = await VerifyDatabaseAsync(candidate, ct);
            if (File.Exists(databasePath))
            {
                var keep = $"{databasePath}.before-restore-{DateTime.UtcNow:yyyyMMddHHmmss}";
                File.Move(databasePath, keep);
                progress?.Report($"Previous database kept as {keep}.");
            }
            File.Delete(wal);
            File.Delete(databasePath + "-shm");
            File.Move(candidate, databasePath);
            progress?.Report($"Restored {databasePath}.");
            return counts;
        }
        finally
        {
            File.Delete(candidate);
        }
    }

    private static async Task<IReadOnlyDictionary<string, long>> VerifyDatabaseAsync(string path, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using (var check = connection.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            var result = (string?)await check.ExecuteScalarAsync(ct);
            if (result != "ok")
            {
                throw new BackupException($"The backup's database fails SQLite's integrity check ({result}); nothing was replaced.");
            }
        }
        var counts = new Dictionary<string, long>();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }
        if (!tables.Contains("__EFMigrationsHistory") || !tables.Contains("Licenses"))
        {
            throw new BackupException("The backup does not hold a LicenseHub database; nothing was replaced.");
        }
        foreach (var table in tables)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table.Replace("\"", "\"\"")}\"";
            counts[table] = Convert.ToInt64(await count.ExecuteScalarAsync(ct));
        }
        return counts;
    }

    private static async Task EncryptAsync(Stream input, Stream output, byte[] key, CancellationToken ct)
    {
        var baseNonce = RandomNumberGenerator.GetBytes(NonceSize);
        await output.WriteAsync(Magic, ct);
        await output.WriteAsync(baseNonce, ct);
        using var aes = new AesGcm(key, TagSize);
        var plain = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var cipher = new byte[ChunkSize];
        var tag = new byte[TagSize];
        var header = new byte[4];
        var length = await FillAsync(input, plain, ct);
        long index = 0;
        while (true)
        {
            var nextLength = length == ChunkSize ? await FillAsync(input, next, ct) : 0;
            var final = nextLength == 0;
            aes.Encrypt(Nonce(baseNonce, index), plain.AsSpan(0, length), cipher.AsSpan(0, length), tag, Aad(index, final));
            BinaryPrimitives.WriteInt32BigEndian(header, length);
            await output.WriteAsync(header, ct);
            await output.WriteAsync(cipher.AsMemory(0, length), ct);
            await output.WriteAsync(tag, ct);
            if (final)
            {
                break;
            }
            (plain, next) = (next, plain);
            length = nextLength;
            index++;
        }
    }

    private static async Task DecryptAsync(Stream input, Stream output, byte[] key, CancellationToken ct)
    {
        var magic = new byte[Magic.Length];
        if (await FillAsync(input, magic, ct) != Magic.Length || !magic.AsSpan().SequenceEqual(Magic))
        {
            throw new BackupException("This is not a LicenseHub backup file.");
        }
        var baseNonce = new byte[NonceSize];
        if (await FillAsync(input, baseNonce, ct) != NonceSize)
        {
            throw new BackupException("The backup file is truncated.");
        }
        using var aes = new AesGcm(key, TagSize);
        var header = new byte[4];
        var cipher = new byte[ChunkSize];
        var plain = new byte[ChunkSize];
        var tag = new byte[TagSize];
        long index = 0;
        while (true)
        {
            if (await FillAsync(input, header, ct) != 4)
            {
                throw new BackupException("The backup file is truncated (its last part is missing).");
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(header);
            if (length is < 0 or > ChunkSize || await FillAsync(input, cipher.AsMemory(0, length), ct) != length || await FillAsync(input, tag, ct) != TagSize)
            {
                throw new BackupException("The backup file is truncated or damaged.");
            }
            // The last chunk is the only one whose authenticated data says "final"; try that reading only
            // when nothing follows it.
            var final = input.Position == input.Length;
            try
            {
                aes.Decrypt(Nonce(baseNonce, index), cipher.AsSpan(0, length), tag, plain.AsSpan(0, length), Aad(index, final));
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new BackupException(final
                    ? "The backup cannot be decrypted: wrong key, or the file was altered or truncated."
                    : "The backup cannot be decrypted: wrong key, or the file was altered.");
            }
            await output.WriteAsync(plain.AsMemory(0, length), ct);
            if (final)
            {
                return;
            }
            index++;
        }
    }

    private static byte[] Nonce(byte[] baseNonce, long index)
    {
        var nonce = (byte[])baseNonce.Clone();
        var counter = BinaryPrimitives.ReadInt64BigEndian(nonce.AsSpan(4)) ^ index;
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), counter);
        return nonce;
    }

    private static byte[] Aad(long index, bool final) => Encoding.ASCII.GetBytes($"LHBACKUP1:{index}:{(final ? "final" : "more")}");

    private static async Task<int> FillAsync(Stream input, Memory<byte> buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await input.ReadAsync(buffer[total..], ct);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
