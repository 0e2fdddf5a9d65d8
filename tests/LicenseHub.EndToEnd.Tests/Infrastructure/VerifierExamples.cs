using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>What one run of an example verifier printed and how it ended.</summary>
public sealed record VerifierRun(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}, stdout: {StdOut.Trim()}, stderr: {StdErr.Trim()}";
}

/// <summary>
/// One example of integrations/verify/ as a vendor would run it: a command that takes <c>--trust</c>, <c>--license</c>,
/// <c>--product</c> and <c>--machine-id-file</c>, and optionally <c>--feature</c> and <c>--released</c>. <see cref="Problem"/>
/// says why it could not be prepared.
/// </summary>
public sealed class VerifierExample
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _executable;
    private readonly string[] _arguments;

    private VerifierExample(string name, string executable, string[] arguments, string? problem)
    {
        Name = name;
        _executable = executable;
        _arguments = arguments;
        Problem = problem;
    }

    public string Name { get; }

    public string? Problem { get; }

    public static VerifierExample Ready(string name, string executable, params string[] arguments) => new(name, executable, arguments, null);

    public static VerifierExample Broken(string name, string problem) => new(name, "", [], problem);

    public async Task<VerifierRun> RunAsync(string trustFile, string licenseFile, string product, string machineIdFile, IReadOnlyList<string>? requirements = null)
    {
        var info = ChildProcess.ExecutableStartInfo(_executable, Path.GetDirectoryName(trustFile)!, new Dictionary<string, string>(),
            [.. _arguments, "--trust", trustFile, "--license", licenseFile, "--product", product, "--machine-id-file", machineIdFile, .. requirements ?? []]);
        var run = await ChildProcess.RunAsync(info, Timeout);
        return run.TimedOut
            ? throw new TimeoutException($"The {Name} verifier did not finish within {Timeout.TotalSeconds} s.")
            : new VerifierRun(run.ExitCode, run.StdOut, run.StdErr);
    }

    public override string ToString() => Name;
}

/// <summary>
/// Prepares the examples of integrations/verify/ once per test run, each with the tools a vendor would use: Node with
/// the locked jose (<c>npm ci</c>), Debian's python3-jwt, PHP's built-in sodium, a Go build with the standard library
/// only, and the C# example published Native AOT against the LicenseHub.Tokens package from a local feed.
///
/// tests/setup/40-verifiers.sh installs the tools, runs <c>npm ci</c> and packs LicenseHub.Tokens into a feed it names in
/// <c>LICENSEHUB_TEST_TOKENS_FEED</c>; without that variable the feed is packed here. Build caches (Go's, the C#
/// example's artifacts) live under the temp directory, so nothing is written into the repository.
/// </summary>
public static class VerifierExamples
{
    public const string FeedVariable = "LICENSEHUB_TEST_TOKENS_FEED";
    public const string TokensPackage = "LicenseHub.Tokens";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    // Settings the test host inherits from 'dotnet test' that would steer the nested builds.
    private static readonly string[] BuildVariablePrefixes = ["MSBUILD", "VSTEST", "TESTINGPLATFORM", "NUGET_"];

    public static string Directory => Path.Combine(BuiltOutputs.RepositoryRoot, "integrations", "verify");

    /// <summary>The five examples, built into <paramref name="output"/>; and what the C# example's Native AOT publish printed.</summary>
    public static async Task<(IReadOnlyList<VerifierExample> Examples, string CSharpPublishLog)> PrepareAsync(string output)
    {
        var go = BuildGoAsync(output);
        var csharp = PublishCSharpAsync(output);
        var (csharpExample, publishLog) = await csharp;
        return ([Node(), await Python(), Php(), await go, csharpExample], publishLog);
    }

    private static VerifierExample Node()
    {
        var directory = Path.Combine(Directory, "node");
        return File.Exists(Path.Combine(directory, "node_modules", "jose", "package.json"))
            ? VerifierExample.Ready("node", "node", Path.Combine(directory, "verify.mjs"))
            : VerifierExample.Broken("node", $"jose is not installed: run 'npm ci' in {directory} (tests/setup/40-verifiers.sh does).");
    }

    private static async Task<VerifierExample> Python()
    {
        // Debian's interpreter, where python3-jwt is installed, not whatever python3 comes first on the PATH.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var probe = await RunAsync(ChildProcess.ExecutableStartInfo(python, Directory, new Dictionary<string, string>(), ["-c", "import jwt, cryptography"]));
        return probe.ExitCode == 0
            ? VerifierExample.Ready("python", python, Path.Combine(Directory, "python", "verify.py"))
            : VerifierExample.Broken("python", $"{python} cannot import PyJWT with cryptography (apt-get install python3-jwt python3-cryptography):\n{probe.StdErr}");
    }

    private static VerifierExample Php() => OnPath("php")
        ? VerifierExample.Ready("php", "php", Path.Combine(Directory, "php", "verify.php"))
        : VerifierExample.Broken("php", "php is not installed (apt-get install php-cli).");

    private static async Task<VerifierExample> BuildGoAsync(string output)
    {
        if (!OnPath("go"))
        {
            return VerifierExample.Broken("go", "go is not installed (apt-get install golang-go).");
        }

        var executable = Path.Combine(output, "licensehub-verify-go");
        var cache = Path.Combine(Path.GetTempPath(), "lh-verify-go-cache");
        var environment = new Dictionary<string, string>
        {
            // HOME may not be writable; the example has no dependencies, so nothing is ever downloaded.
            ["GOCACHE"] = Path.Combine(cache, "build"),
            ["GOPATH"] = Path.Combine(cache, "path"),
            ["GOPROXY"] = "off",
            ["GOTOOLCHAIN"] = "local",
            ["GOFLAGS"] = "-buildvcs=false",
        };
        var run = await RunAsync(ChildProcess.ExecutableStartInfo("go", Path.Combine(Directory, "go"), environment, ["build", "-o", executable, "."]));
        return run.ExitCode == 0 && File.Exists(executable)
            ? VerifierExample.Ready("go", executable)
            : VerifierExample.Broken("go", $"go build failed (exit {run.ExitCode}):\n{run.StdOut}{run.StdErr}");
    }

    private static async Task<(VerifierExample Example, string PublishLog)> PublishCSharpAsync(string output)
    {
        var project = Path.Combine(Directory, "csharp");
        var cache = Path.Combine(Path.GetTempPath(), "lh-verify-csharp-" + Hash(BuiltOutputs.RepositoryRoot));
        System.IO.Directory.CreateDirectory(cache);
        var (feed, version, packLog) = await TokensFeedAsync(cache);
        if (version is null)
        {
            return (VerifierExample.Broken("csharp", $"No {TokensPackage} package in {feed}:\n{packLog}"), packLog);
        }

        // The example's own nuget.config, with its local feed pointed at the packed LicenseHub.Tokens.
        var config = Path.Combine(cache, "nuget.config");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(Path.Combine(project, "nuget.config")))
            .Replace("value=\"feed\"", $"value=\"{feed}\"", StringComparison.Ordinal));
        var binary = Path.Combine(output, "csharp");
        List<string> arguments = ["publish", project, "-c", "Release", "-r", "linux-x64", "-o", binary, "--artifacts-path", Path.Combine(cache, "artifacts"),
            $"-p:RestoreConfigFile={config}", $"-p:LicenseHubTokensVersion={version}", "-nologo"];
        if (AgentBinaryFixture.NativeCompiler() is { } compiler)
        {
            arguments.Add($"-p:CppCompilerAndLinker={compiler}");
        }
        var clock = Stopwatch.StartNew();
        var run = await DotnetAsync([.. arguments]);
        var publishLog = $"dotnet publish {project} ({TokensPackage} {version}), {clock.Elapsed.TotalSeconds:F0} s\n{run.StdOut}{run.StdErr}";
        var executable = Path.Combine(binary, "licensehub-verify");
        return run.ExitCode == 0 && File.Exists(executable)
            ? (VerifierExample.Ready("csharp", executable), publishLog)
            : (VerifierExample.Broken("csharp", $"Publishing the C# example Native AOT failed (exit {run.ExitCode}); it needs clang and zlib1g-dev.\n{packLog}{publishLog}"), publishLog);
    }

    /// <summary>
    /// The feed of <c>LICENSEHUB_TEST_TOKENS_FEED</c>, or one packed now. Each pack of different sources has a version
    /// of its own, so NuGet's package cache never serves an older build of the package under the same version.
    /// </summary>
    private static async Task<(string Feed, string? Version, string Log)> TokensFeedAsync(string cache)
    {
        var feed = Environment.GetEnvironmentVariable(FeedVariable) is { Length: > 0 } given ? given : null;
        var packLog = "";
        if (feed is null)
        {
            var version = "1.0.0-test." + SourcesHash();
            feed = Path.Combine(cache, "feed");
            if (!File.Exists(Path.Combine(feed, $"{TokensPackage}.{version}.nupkg")))
            {
                var pack = await DotnetAsync("pack", Path.Combine(BuiltOutputs.RepositoryRoot, "src", TokensPackage), "-c", "Release", "-o", feed,
                    "--artifacts-path", Path.Combine(cache, "tokens-artifacts"), $"-p:PackageVersion={version}", "-nologo");
                packLog = $"dotnet pack {TokensPackage} {version} (exit {pack.ExitCode})\n{pack.StdOut}{pack.StdErr}";
            }
        }

        var newest = System.IO.Directory.Exists(feed)
            ? new DirectoryInfo(feed).GetFiles($"{TokensPackage}.*.nupkg").OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()
            : null;
        return (feed, newest?.Name[(TokensPackage.Length + 1)..^".nupkg".Length], packLog);
    }

    private static string SourcesHash()
    {
        var root = BuiltOutputs.RepositoryRoot;
        var sources = System.IO.Directory.EnumerateFiles(Path.Combine(root, "src", TokensPackage), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Append(Path.Combine(root, "Directory.Build.props"))
            .Append(Path.Combine(root, "Directory.Packages.props"))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in sources)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private static Task<ChildProcessResult> DotnetAsync(params string[] arguments)
    {
        var info = ChildProcess.ExecutableStartInfo(BuiltOutputs.DotnetHost, BuiltOutputs.RepositoryRoot,
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }, arguments);
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (BuildVariablePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                info.Environment.Remove(name);
            }
        }
        return RunAsync(info);
    }

    private static async Task<ChildProcessResult> RunAsync(ProcessStartInfo info)
    {
        try
        {
            var run = await ChildProcess.RunAsync(info, BuildTimeout);
            return run.TimedOut ? throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} took too long.") : run;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ChildProcessResult(-1, "", $"{info.FileName}: {e.Message}", TimedOut: false);
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, program)));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
