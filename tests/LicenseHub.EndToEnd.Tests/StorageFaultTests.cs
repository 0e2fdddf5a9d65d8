using System.Diagnostics;
using System.Net;
using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>Runs only where a small tmpfs can be mounted (root), which is how the test command runs on its machine.</summary>
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Skip = "needs root on Linux to mount a small tmpfs that can fill up";
        }
    }
}

/// <summary>
/// A data directory on a disk that fills up: calls that write answer UNAVAILABLE naming the cause, readiness says
/// not ready while writes fail, the condition is logged once, and the server recovers by itself when space returns.
/// </summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    private readonly TempDirectory _work = new("disk-full");
    private string Mount => _work.Combine("mnt");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", Mount);
    }

    public async Task DisposeAsync()
    {
        await RunAsync("umount", "-l", Mount);
        _work.Dispose();
    }

    [MountFact]
    public async Task DiskFull_WritesAnswerUnavailable_NotReady_ThenRecoverWhenSpaceReturns()
    {
        await using var server = await ServerProcess.StartAsync(Path.Combine(Mount, "data"));
        var lhctl = new Lhctl(server.GrpcUrl, _work.Path);
        string[] asVendor = ["--api-key-file", server.VendorKeyFile];
        await lhctl.SucceedAsync(null, [.. asVendor, "product", "create", "--code", "before", "--name", "Before"]);
        using var http = new HttpClient { BaseAddress = new Uri(server.WebUrl) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);

        var filler = Path.Combine(Mount, "filler");
        Fill(filler);
        var failures = new List<LhctlResult>();
        for (var i = 0; i < 3; i++)
        {
            failures.Add(await lhctl.RunAsync(null, [.. asVendor, "product", "create", "--code", $"full-{i}", "--name", "Full"]));
        }

        // lhctl: 3, the server cannot serve now (retry later), as for an unreachable server.
        Assert.All(failures, f => Assert.Equal(3, f.ExitCode));
        Assert.True(failures[0].StdErr.Contains("disk that holds the database is full"), failures[0].ToString());
        Assert.All(failures, f => Assert.Contains("UNAVAILABLE", f.StdErr));
        Assert.All(failures, f => Assert.Contains("disk that holds the database is full", f.StdErr));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(1, Count(server.Output, "The database cannot be written"));
        Assert.DoesNotContain("Unhandled error", server.Output);

        File.Delete(filler);
        var deadline = Stopwatch.StartNew();
        while ((await http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        await lhctl.SucceedAsync(null, [.. asVendor, "product", "create", "--code", "after", "--name", "After"]);
        Assert.Contains("takes writes again", server.Output);
    }

    [MountFact]
    public async Task StartOnAFullDisk_SaysWhatIsWrong()
    {
        Fill(Path.Combine(Mount, "filler"));
        var data = Path.Combine(Mount, "data");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ServerProcess.StartAsync(new ServerOptions
        {
            DataDirectory = data,
            StartTimeout = TimeSpan.FromSeconds(60),
        }));

        Assert.Contains("disk that holds the database is full", error.Message);
    }

    private static void Fill(string path)
    {
        var chunk = new byte[256 * 1024];
        Random.Shared.NextBytes(chunk);
        using var file = File.Create(path);
        try
        {
            while (true)
            {
                file.Write(chunk);
                file.Flush();
            }
        }
        catch (IOException)
        {
            // No space left: the disk is full.
        }
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {await process.StandardError.ReadToEndAsync()}");
    }
}

/// <summary>A data directory on a read-only file system: the start is refused with the cause, not a crash or "in use".</summary>
public sealed class ReadOnlyDatabaseTests : IAsyncLifetime
{
    private readonly TempDirectory _work = new("read-only");
    private string Writable => _work.Combine("data");
    private string ReadOnly => _work.Combine("read-only");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (Environment.IsPrivilegedProcess)
        {
            await Run("umount", "-l", ReadOnly);
        }
        _work.Dispose();
    }

    [MountFact]
    public async Task Start_OnAReadOnlyFileSystem_IsRefusedNamingTheCause_WithoutACrash()
    {
        await (await ServerProcess.StartAsync(Writable)).DisposeAsync();
        Directory.CreateDirectory(ReadOnly);
        await Run("mount", "--bind", Writable, ReadOnly);
        await Run("mount", "-o", "remount,bind,ro", ReadOnly);

        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new ServerOptions
        {
            DataDirectory = ReadOnly,
            StartTimeout = TimeSpan.FromSeconds(60),
        }));

        Assert.Contains("exited with code 1", refused.Message);
        Assert.Contains("licensehub: cannot start: the database file or its directory is read-only", refused.Message);
        Assert.DoesNotContain("Another process uses the database", refused.Message);
        Assert.DoesNotContain("Unhandled exception", refused.Message);
    }

    private static async Task Run(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {await process.StandardError.ReadToEndAsync()}");
    }
}

/// <summary>A database gone from a data directory that was set up before is not silently replaced.</summary>
public sealed class LostDatabaseTests
{
    [Fact]
    public async Task Start_WithTheDatabaseGone_IsRefusedUntilAnEmptyStartIsAskedFor()
    {
        using var work = new TempDirectory("lost-db");
        var data = work.Combine("data");
        await (await ServerProcess.StartAsync(data)).DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(data, "licensehub.db*"))
        {
            File.Delete(file);
        }

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ServerProcess.StartAsync(data));

        Assert.Contains("is missing", refused.Message);
        Assert.Contains("LicenseHub:InitializeNewDatabase", refused.Message);
        Assert.False(File.Exists(Path.Combine(data, "licensehub.db")), "A refused start must not create a database.");
        await using var fresh = await ServerProcess.StartAsync(data, new Dictionary<string, string> { ["LicenseHub__InitializeNewDatabase"] = "true" });
        Assert.True(File.Exists(Path.Combine(data, "licensehub.db")));
    }
}

/// <summary>A restore cannot swap the database under a running server, not even with --force.</summary>
public sealed class RestoreWhileRunningTests
{
    [Fact]
    public async Task Restore_OntoARunningServer_IsRefused_AndLeavesNoTemporaryFiles()
    {
        using var work = new TempDirectory("restore-running");
        var data = work.Combine("data");
        var keyFile = work.Combine("backup.key");
        var backup = work.Combine("lh.lhbackup");
        await using var server = await ServerProcess.StartAsync(data);
        Assert.Equal(0, (await server.RunCommandAsync("backup-key", keyFile)).ExitCode);
        Assert.Equal(0, (await server.RunCommandAsync("backup", "--output", backup, "--key-file", keyFile)).ExitCode);

        var restore = await server.RunCommandAsync("restore", "--input", backup, "--key-file", keyFile, "--force");

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("server is running", restore.StdErr);
        Assert.Empty(Directory.EnumerateFiles(data, "*.tmp").Concat(Directory.EnumerateFiles(data, "*.before-restore-*")));
        await server.StopAsync();
        var after = await server.RunCommandAsync("restore", "--input", backup, "--key-file", keyFile, "--force");
        Assert.True(after.ExitCode == 0, after.StdErr);

        // And a second server on the same database is refused.
        await using var first = await ServerProcess.StartAsync(data);
        var second = await Assert.ThrowsAnyAsync<Exception>(() => ServerProcess.StartAsync(data));
        Assert.Contains("Another process uses the database", second.Message);
    }
}
