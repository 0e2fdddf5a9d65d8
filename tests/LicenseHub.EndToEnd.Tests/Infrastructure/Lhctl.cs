using System.Diagnostics;

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

    /// <summary>Every run so far, to check later what lhctl printed.</summary>
    public IReadOnlyList<LhctlResult> History => _history;

    public async Task<LhctlResult> RunAsync(string? apiKey, params string[] arguments)
    {
        var environment = new Dictionary<string, string> { ["LH_SERVER"] = serverUrl, ["DOTNET_NOLOGO"] = "1" };
        if (apiKey is not null)
        {
            environment["LH_API_KEY"] = apiKey;
        }
        var info = ChildProcess.StartInfo(BuiltOutputs.LhctlDll, workingDirectory, environment, arguments);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("lhctl did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"lhctl {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
            }
        }
        var result = new LhctlResult(arguments, process.ExitCode, await stdout, await stderr);
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
