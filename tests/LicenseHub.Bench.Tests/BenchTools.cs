namespace LicenseHub.Bench.Tests;

/// <summary>The benchmark tools as built next to these tests, run as processes the way a person runs them.</summary>
public static class BenchTools
{
    public static string LoadGenDll => BuiltOutputs.ProjectOutput(Path.Combine("bench", "LicenseHub.LoadGen"), "lh-loadgen.dll");

    public static string SeedDll => BuiltOutputs.ProjectOutput(Path.Combine("bench", "LicenseHub.Seed"), "lh-seed.dll");

    /// <summary>Exit code -1 and a note at the end of the output where the run was killed at the time limit.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string dll, IEnumerable<string> arguments, TimeSpan timeout)
    {
        // A clean environment: a developer's shell must not point the started server elsewhere.
        var info = ChildProcess.StartInfo(dll, Path.GetDirectoryName(dll)!, new Dictionary<string, string>(), arguments);
        var run = await ChildProcess.RunAsync(info, timeout);
        var output = run.StdOut + run.StdErr;
        return run.TimedOut ? (-1, output + $"[killed after {timeout.TotalSeconds} s]\n") : (run.ExitCode, output);
    }
}
