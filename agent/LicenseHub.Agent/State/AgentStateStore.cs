using System.Text.Json;

namespace LicenseHub.Agent.State;

/// <summary>
/// Reads and writes the state file: atomically (temporary file, fsync, rename) and readable by its owner
/// only (0600). Writers serialise on an advisory lock file next to it, so the daemon and a concurrent
/// <c>check</c> or <c>telemetry set</c> never lose each other's changes.
/// </summary>
internal sealed class AgentStateStore
{
    public const string EnvironmentVariable = "LH_AGENT_STATE";
    public const string DefaultPath = "/var/lib/lh-agent/state.json";

    private const long MaxStateBytes = 1024 * 1024;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // Indented for people reading the file; relaxed escaping keeps "lh-license+jwt" readable.
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public AgentStateStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>The license file for the product, kept in step with every save; none when null.</summary>
    public Trust.LicenseFilePublisher? LicenseFile { get; init; }

    private string LockPath => Path + ".lock";

    private string CheckInLockPath => Path + ".checkin.lock";

    public static AgentStateStore FromEnvironment(string? optionPath) =>
        new(optionPath ?? NonEmpty(Environment.GetEnvironmentVariable(EnvironmentVariable)) ?? DefaultPath);

    /// <summary>The state, or null when there is no state file.</summary>
    /// <exception cref="AgentStateException">The file is unreadable or corrupt.</exception>
    public AgentState? Load()
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(Path);
            if (!info.Exists)
            {
                return null;
            }

            if (info.Length > MaxStateBytes)
            {
                throw Corrupt("it is larger than 1 MiB");
            }

            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentStateException($"cannot read the state file {Path}: {e.Message}");
        }

        if (bytes.Length == 0)
        {
            throw Corrupt("it is empty");
        }

        AgentState? state;
        try
        {
            state = JsonSerializer.Deserialize(bytes, AgentJsonContext.Default.AgentState);
        }
        catch (JsonException e)
        {
            throw Corrupt(e.LineNumber is { } line ? $"invalid JSON near line {line + 1}" : "invalid JSON");
        }

        if (state is null)
        {
            throw Corrupt("it holds no state");
        }

        if (state.FindProblem() is { } problem)
        {
            throw Corrupt(problem);
        }

        return state;
    }

    /// <summary>Like <see cref="Load"/>, but a corrupt file counts as no state (for commands that start over).</summary>
    public AgentState? LoadOrNull(TextWriter warnings)
    {
        try
        {
            return Load();
        }
        catch (AgentStateException e)
        {
            warnings.WriteLine($"lh-agent: warning: {e.Message}; starting over");
            return null;
        }
    }

    /// <summary>Writes the whole state atomically.</summary>
    /// <exception cref="AgentStateException">The file cannot be written.</exception>
    public void Save(AgentState state)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            CreateDirectory(directory);
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temp, options))
            {
                using (var writer = new Utf8JsonWriter(stream, s_writerOptions))
                {
                    JsonSerializer.Serialize(writer, state, AgentJsonContext.Default.AgentState);
                }

                stream.Flush(flushToDisk: true);
            }

            StateFileOwnership.MatchDirectoryOwner(temp, directory);

            // rename(2) replaces the old file in one step: readers see the old or the new state, never half.
            File.Move(temp, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new AgentStateException($"cannot write the state file {Path}: {e.Message}");
        }

        LicenseFile?.Publish(state, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Re-reads the state under the writer lock, applies <paramref name="change"/> and saves it. Returns
    /// the saved state, or null when <paramref name="change"/> returned null (nothing saved).
    /// </summary>
    public AgentState? Update(Func<AgentState?, AgentState?> change, TimeSpan? lockTimeout = null)
    {
        using var writerLock = AcquireLock(lockTimeout ?? TimeSpan.FromSeconds(10));
        var updated = change(Load());
        if (updated is not null)
        {
            Save(updated);
        }

        return updated;
    }

    /// <summary>Deletes the state file (and its lock file).</summary>
    public void Delete()
    {
        try
        {
            File.Delete(Path);
            // A fresh identity for whatever is activated here next: the server deleted this installation (or will).
            File.Delete(InstallationIdentity.PathFor(Path));
            TryDelete(LockPath);
            TryDelete(CheckInLockPath);
            LicenseFile?.Remove();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentStateException($"cannot delete the state file {Path}: {e.Message}");
        }
    }

    /// <summary>Takes the advisory writer lock, waiting up to <paramref name="timeout"/>.</summary>
    public IDisposable AcquireLock(TimeSpan timeout) => AcquireLock(LockPath, timeout, nullWhenBusy: false)!;

    /// <summary>
    /// Takes the check-in lock, held from sending a check-in until its answer is saved; null when another lh-agent
    /// (the daemon, or a 'run --once') still holds it after <paramref name="timeout"/>. Two check-ins from one state
    /// at once would each be answered with a new check-in ticket and could keep the one the server replaced, which
    /// the server takes for a copy of this installation on another machine.
    /// </summary>
    public IDisposable? TryAcquireCheckInLock(TimeSpan timeout) => AcquireLock(CheckInLockPath, timeout, nullWhenBusy: true);

    private FileStream? AcquireLock(string lockPath, TimeSpan timeout, bool nullWhenBusy)
    {
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentStateException($"cannot create the state directory for {Path}: {e.Message}. " +
                CreateOnceFile.WritableDirectoryHint(System.IO.Path.GetDirectoryName(Path)!));
        }

        while (true)
        {
            try
            {
                var options = new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    // On Unix .NET maps FileShare.None to an exclusive flock(2) on the file.
                    Share = FileShare.None,
                };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = OwnerOnly;
                }

                var lockFile = new FileStream(lockPath, options);
                StateFileOwnership.MatchDirectoryOwner(lockPath, System.IO.Path.GetDirectoryName(Path)!);
                return lockFile;
            }
            catch (UnauthorizedAccessException e)
            {
                throw new AgentStateException($"cannot lock the state file {Path}: {e.Message}");
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            catch (IOException) when (nullWhenBusy)
            {
                return null;
            }
            catch (IOException e)
            {
                throw new AgentStateException($"the state file {Path} is locked by another lh-agent: {e.Message}");
            }
        }
    }

    private AgentStateException Corrupt(string why) => new(
        $"the state file {Path} is corrupt ({why}); run 'lh-agent activate KEY --server URL' to activate again, " +
        "or 'lh-agent forget --force' to remove it",
        isCorrupt: true);

    private static void CreateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temporary or lock file is harmless.
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>The state file cannot be used; exit code 4.</summary>
internal sealed class AgentStateException(string message, bool isCorrupt = false) : Exception(message)
{
    /// <summary>True when the file exists but its content is unusable (as opposed to an I/O error).</summary>
    public bool IsCorrupt { get; } = isCorrupt;
}
