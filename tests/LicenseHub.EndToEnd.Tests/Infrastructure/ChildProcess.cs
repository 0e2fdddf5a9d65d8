using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>Starting the server and lhctl the way a user does: 'dotnet x.dll', in a clean environment.</summary>
public static class ChildProcess
{
    // Settings a developer's shell may carry that would make a test talk to, or configure, something else.
    private static readonly string[] InheritedPrefixes =
        ["LH_", "LicenseHub__", "Kestrel__", "ConnectionStrings__", "Database__", "ASPNETCORE_URLS", "ASPNETCORE_HTTP", "DOTNET_URLS", "OTEL_"];

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
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited in the meantime.
        }
        await process.WaitForExitAsync();
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
