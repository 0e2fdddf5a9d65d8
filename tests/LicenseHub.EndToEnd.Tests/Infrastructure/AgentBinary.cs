using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>The tests that drive the real lh-agent binary share one Native AOT publish of it.</summary>
[CollectionDefinition(Name)]
public sealed class AgentCollection : ICollectionFixture<AgentBinaryFixture>
{
    public const string Name = "lh-agent";
}

/// <summary>The tests that drive lh-agent cross-compiled for linux-arm64, under qemu-user, share one publish of it.</summary>
[CollectionDefinition(Name)]
public sealed class Arm64AgentCollection : ICollectionFixture<Arm64AgentBinaryFixture>
{
    public const string Name = "lh-agent linux-arm64";
}

/// <summary>
/// lh-agent cross-compiled from this x86-64 machine for linux-arm64 (clang's --target with Debian's
/// gcc-aarch64-linux-gnu and libc6-dev-arm64-cross, as agent/README.md says), run under qemu-user.
/// </summary>
public sealed class Arm64AgentBinaryFixture() : AgentBinaryFixture("linux-arm64");

/// <summary>
/// Publishes lh-agent Native AOT once per test run, as its README says
/// (<c>dotnet publish agent/LicenseHub.Agent -c Release -r linux-x64</c>), into a temporary directory.
/// Intermediate files go to a build cache of their own under the temp directory (not the repository's
/// bin/obj), so a publish neither races a developer's build nor starts from scratch on every run.
/// </summary>
public class AgentBinaryFixture : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);

    // Settings the test host inherits from 'dotnet test' that would steer the nested build.
    private static readonly string[] BuildVariablePrefixes = ["MSBUILD", "VSTEST", "TESTINGPLATFORM", "NUGET_"];

    private readonly TempDirectory _output;

    public AgentBinaryFixture() : this("linux-x64")
    {
    }

    protected AgentBinaryFixture(string runtimeIdentifier)
    {
        RuntimeIdentifier = runtimeIdentifier;
        _output = new TempDirectory("agent-bin-" + runtimeIdentifier);
    }

    /// <summary>The .NET runtime identifier it is published for: linux-x64 or linux-arm64.</summary>
    public string RuntimeIdentifier { get; }

    /// <summary>The native lh-agent executable.</summary>
    public string Executable => Path.Combine(_output.Path, "lh-agent");

    /// <summary>
    /// What runs the executable on this machine, before its path: nothing for a binary of this machine's
    /// architecture, <c>qemu-aarch64</c> for an AArch64 binary on x86-64. It runs with Debian's multiarch arm64
    /// C library and libssl3 (/lib/aarch64-linux-gnu, which tests/setup/10-native-aot.sh installs), not with
    /// <c>-L /usr/aarch64-linux-gnu</c>: with both C libraries installed, that prefix loads the cross package's dynamic
    /// loader beside multiarch's libc.so.6, two builds that must not be mixed, and the agent spins at its first thread.
    /// </summary>
    public IReadOnlyList<string> Launcher =>
        RuntimeIdentifier == "linux-arm64" && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.Arm64
            ? ["qemu-aarch64"]
            : [];

    public long SizeBytes { get; private set; }

    public TimeSpan PublishDuration { get; private set; }

    /// <summary>What 'dotnet publish' printed, for the zero-warnings check and for failures.</summary>
    public string PublishLog { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var cache = Path.Combine(Path.GetTempPath(), "lh-e2e-agent-build-" + RepositoryHash());
        Directory.CreateDirectory(cache);
        // Two test runs of the same checkout must not build into the same cache at once.
        using var cacheLock = await LockAsync(Path.Combine(cache, ".lock"));

        List<string> arguments =
        [
            "publish", Path.Combine(BuiltOutputs.RepositoryRoot, "agent", "LicenseHub.Agent"),
            "-c", "Release", "-r", RuntimeIdentifier,
            "-o", _output.Path,
            "--artifacts-path", Path.Combine(cache, "artifacts"),
            "-nologo",
        ];
        if (NativeCompiler() is { } compiler)
        {
            arguments.Add($"-p:CppCompilerAndLinker={compiler}");
        }

        var info = ChildProcess.ExecutableStartInfo(BuiltOutputs.DotnetHost, BuiltOutputs.RepositoryRoot,
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }, arguments);
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (BuildVariablePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                info.Environment.Remove(name);
            }
        }

        var clock = Stopwatch.StartNew();
        var run = await ChildProcess.RunAsync(info, PublishTimeout);
        if (run.TimedOut)
        {
            throw new TimeoutException($"Publishing lh-agent took longer than {PublishTimeout.TotalMinutes} minutes.");
        }
        PublishDuration = clock.Elapsed;
        PublishLog = $"dotnet {string.Join(' ', arguments)}\n{run.StdOut}{run.StdErr}";

        if (run.ExitCode != 0 || !File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"Publishing lh-agent for {RuntimeIdentifier} failed (exit {run.ExitCode}). Native AOT needs clang (or gcc) and zlib1g-dev, and for linux-arm64 "
                + $"gcc-aarch64-linux-gnu and libc6-dev-arm64-cross; tests/run.sh installs them.\n{PublishLog}");
        }
        SizeBytes = new FileInfo(Executable).Length;
    }

    /// <summary>An lh-agent machine running this binary (through its <see cref="Launcher"/>).</summary>
    public AgentMachine Machine(string name) => new(Executable, name, Launcher);

    public Task DisposeAsync()
    {
        _output.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Null when 'clang' is on the PATH (the SDK's default) or there is no clang at all (the SDK falls back
    /// to gcc); otherwise the newest versioned clang, e.g. clang-14 where only that is installed.
    /// </summary>
    internal static string? NativeCompiler()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        if (directories.Any(d => File.Exists(Path.Combine(d, "clang"))))
        {
            return null;
        }
        return directories
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "clang-*"))
            .Select(Path.GetFileName)
            .Where(n => n is not null && int.TryParse(n["clang-".Length..], out _))
            .OrderByDescending(n => int.Parse(n!["clang-".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
    }

    private static string RepositoryHash() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(BuiltOutputs.RepositoryRoot)))[..12];

    private static async Task<FileStream> LockAsync(string path)
    {
        var deadline = DateTime.UtcNow + PublishTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }
}
