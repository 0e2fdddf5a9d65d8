namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>What one lhctl run printed and how it ended.</summary>
public sealed record LhctlResult(IReadOnlyList<string> Arguments, int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() =>
        $"lhctl {string.Join(' ', Arguments)} -> exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>Runs the real lhctl ('dotnet lhctl.dll'), configured through the environment as the quick start says.</summary>
public sealed class Lhctl(string serverUrl, string workingDirectory)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly List<LhctlResult> _history = [];

    private static string Dll => BuiltOutputs.ProjectOutput(Path.Combine("src", "LicenseHub.Cli"), "lhctl.dll");

    /// <summary>Every run so far, to check later what lhctl printed.</summary>
    public IReadOnlyList<LhctlResult> History => _history;

    public Task<LhctlResult> RunAsync(string? apiKey, params string[] arguments) => RunWithInputAsync(apiKey, null, arguments);

    /// <summary>Runs with <paramref name="input"/> on standard input, as a person answering a confirmation would type it.</summary>
    public async Task<LhctlResult> RunWithInputAsync(string? apiKey, string? input, params string[] arguments)
    {
        var environment = new Dictionary<string, string> { ["LH_SERVER"] = serverUrl, ["DOTNET_NOLOGO"] = "1" };
        if (apiKey is not null)
        {
            environment["LH_API_KEY"] = apiKey;
        }
        var info = ChildProcess.StartInfo(Dll, workingDirectory, environment, arguments);
        var run = await ChildProcess.RunAsync(info, Timeout, input);
        if (run.TimedOut)
        {
            throw new TimeoutException($"lhctl {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
        }
        var result = new LhctlResult(arguments, run.ExitCode, run.StdOut, run.StdErr);
        _history.Add(result);
        return result;
    }

    /// <summary>Runs and requires success, showing everything lhctl printed when it did not succeed.</summary>
    public async Task<LhctlResult> SucceedAsync(string? apiKey, params string[] arguments)
    {
        var result = await RunAsync(apiKey, arguments);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
