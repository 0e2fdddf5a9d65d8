using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace LicenseHub.Bench.Tests;

/// <summary>The benchmark tools as built next to these tests, run as processes the way a person runs them.</summary>
public static class BenchTools
{
    public static string Configuration =>
        typeof(BenchTools).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string LoadGenDll => Built("LicenseHub.LoadGen", "lh-loadgen.dll");

    public static string SeedDll => Built("LicenseHub.Seed", "lh-seed.dll");

    public static async Task<(int ExitCode, string Output)> RunAsync(string dll, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        // A developer's shell must not point the started server elsewhere.
        foreach (var name in info.Environment.Keys.Where(n => n.StartsWith("LicenseHub__", StringComparison.OrdinalIgnoreCase)
            || n.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) || n.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append($"[killed after {timeout.TotalSeconds} s]");
            return (-1, Text());
        }
        await process.WaitForExitAsync();
        return (process.ExitCode, Text());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Append(line).Append('\n');
                }
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    private static string Built(string project, string dll)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LicenseHub.sln")))
            {
                var path = Path.Combine(dir.FullName, "bench", project, "bin", Configuration, "net10.0", dll);
                return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; build the solution first.", path);
            }
        }
        throw new InvalidOperationException($"No LicenseHub.sln above {AppContext.BaseDirectory}.");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
