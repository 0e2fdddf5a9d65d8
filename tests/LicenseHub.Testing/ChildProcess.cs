using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LicenseHub.Testing;

/// <summary>What a finished child process printed and how it ended.</summary>
/// <param name="TimedOut">It was still running at the time limit and was killed; its exit code is then -1.</param>
public sealed record ChildProcessResult(int ExitCode, string StdOut, string StdErr, bool TimedOut);

/// <summary>Starting the server and the command-line tools the way a user does: 'dotnet x.dll', in a clean environment.</summary>
public static class ChildProcess
{
    // Settings a developer's shell may carry that would make a test talk to, or configure, something else.
    private static readonly string[] InheritedPrefixes =
        ["LH_", "LicenseHub__", "Kestrel__", "ConnectionStrings__", "Database__", "ASPNETCORE_", "DOTNET_URLS", "OTEL_"];

    // A killed process's output pipes close with it, unless something it started outlived it.
    private static readonly TimeSpan OutputAfterKill = TimeSpan.FromSeconds(10);

    public static ProcessStartInfo StartInfo(string dll, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        IEnumerable<string>? arguments = null) =>
        ExecutableStartInfo(BuiltOutputs.DotnetHost, workingDirectory, environment, [dll, .. arguments ?? []]);

    /// <summary>A native executable (lh-agent, the dotnet host itself), in the same clean environment.</summary>
    public static ProcessStartInfo ExecutableStartInfo(string executable, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        IEnumerable<string>? arguments = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments ?? [])
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (InheritedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                info.Environment.Remove(name);
            }
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        return info;
    }

    /// <summary>
    /// Runs to the end with <paramref name="input"/> (if any) on standard input, which is then closed, and
    /// everything it printed captured; a run that outlasts the time limit is killed with all it started.
    /// </summary>
    public static async Task<ChildProcessResult> RunAsync(ProcessStartInfo info, TimeSpan timeout, string? input = null)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start.");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var limit = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(limit.Token);
                return new ChildProcessResult(process.ExitCode, await stdout, await stderr, TimedOut: false);
            }
            catch (OperationCanceledException)
            {
                KillTree(process);
            }
        }
        await process.WaitForExitAsync();
        await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(OutputAfterKill));
        return new ChildProcessResult(-1, Completed(stdout), Completed(stderr), TimedOut: true);
    }

    /// <summary>Asks for a graceful stop (SIGTERM, like systemd does), then kills the whole tree if that takes too long.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }
        if (!OperatingSystem.IsWindows())
        {
            _ = Kill(process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                // Fall through to a hard kill.
            }
        }
        KillTree(process);
        await process.WaitForExitAsync();
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited in the meantime.
        }
    }

    private static string Completed(Task<string> read) => read.IsCompletedSuccessfully ? read.Result : "";

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
