using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace LicenseHub.Portal.Tests.Infrastructure;

/// <summary>
/// The real server ('dotnet licensehub.dll', as users run it) on free loopback ports, with its own data
/// directory. The portal is on its web endpoint (HTTP/1.1); the tests set up data over gRPC.
/// </summary>
public sealed class PortalServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private PortalServer(Process process, string dataDirectory, string grpcUrl, string webUrl)
    {
        _process = process;
        DataDirectory = dataDirectory;
        GrpcUrl = grpcUrl;
        WebUrl = webUrl;
    }

    public string DataDirectory { get; }
    public string GrpcUrl { get; }
    public string WebUrl { get; }

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<PortalServer> StartAsync(string dataDirectory)
    {
        var grpcUrl = $"http://127.0.0.1:{FreePort()}";
        var webUrl = $"http://127.0.0.1:{FreePort()}";
        var dll = ServerDll();
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LicenseHub__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["LicenseHub__DataDirectory"] = dataDirectory;
        info.Environment["Kestrel__Endpoints__Grpc__Url"] = grpcUrl;
        info.Environment["Kestrel__Endpoints__Web__Url"] = webUrl;
        info.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = info };
        var server = new PortalServer(process, dataDirectory, grpcUrl, webUrl);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilServingAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public async Task<string> ReadVendorKeyAsync()
    {
        var path = Path.Combine(DataDirectory, "vendor-admin.key");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(path) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        return (await File.ReadAllTextAsync(path)).Trim();
    }

    private async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}.\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync(WebUrl + "/sign-in");
                if (response.StatusCode == HttpStatusCode.OK && File.Exists(Path.Combine(DataDirectory, "vendor-admin.key")))
                {
                    return;
                }
                last = response.StatusCode.ToString();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The portal at {WebUrl} did not answer within {StartTimeout.TotalSeconds} s (last: {last}).\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_lock)
            {
                _output.Append(line).Append('\n');
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The server built with the same configuration as these tests (the project reference builds it first).</summary>
    private static string ServerDll()
    {
        var configuration = typeof(PortalServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LicenseHub.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", "LicenseHub.Server", "bin", configuration, "net10.0", "licensehub.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing; build the solution first.", dll);
            }
        }
        throw new InvalidOperationException("No LicenseHub.sln above the test directory.");
    }
}
