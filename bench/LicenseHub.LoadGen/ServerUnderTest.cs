using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace LicenseHub.LoadGen;

/// <summary>
/// The server the load goes to: either the real server process started here ('dotnet licensehub.dll' on
/// free loopback ports with its own data directory, stopped at the end) or one already running.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    public const string VendorKeyFileName = "vendor-admin.key";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly Process? _process;
    private readonly string? _ownedDataDirectory;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();

    private ServerUnderTest(Uri grpcUrl, string vendorKeyFile, Process? process, string? dataDirectory, string? ownedDataDirectory)
    {
        GrpcUrl = grpcUrl;
        VendorKeyFile = vendorKeyFile;
        _process = process;
        DataDirectory = dataDirectory;
        _ownedDataDirectory = ownedDataDirectory;
    }

    public Uri GrpcUrl { get; }

    public string VendorKeyFile { get; }

    public string? DataDirectory { get; }

    /// <summary>Process id of a server started here; null for one that was already running.</summary>
    public int? ProcessId => _process?.Id;

    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    public static ServerUnderTest Existing(string url, string vendorKeyFile)
    {
        var uri = Loopback.Require(url);
        if (!File.Exists(vendorKeyFile))
        {
            throw new UsageException($"The vendor key file {vendorKeyFile} does not exist.");
        }
        return new ServerUnderTest(uri, vendorKeyFile, null, null, null);
    }

    /// <summary>Starts licensehub.dll; a null data directory means a fresh temporary one, deleted at the end.</summary>
    public static async Task<ServerUnderTest> StartAsync(string? serverDll, string? dataDirectory, IReadOnlyDictionary<string, string> environment,
        TextWriter log, CancellationToken cancellationToken)
    {
        var dll = serverDll ?? FindServerDll();
        if (!File.Exists(dll))
        {
            throw new UsageException($"The server {dll} does not exist; build it first (dotnet build -c Release).");
        }
        string? owned = null;
        if (dataDirectory is null)
        {
            owned = dataDirectory = Directory.CreateTempSubdirectory("lh-loadgen-").FullName;
        }
        Directory.CreateDirectory(dataDirectory);
        var grpcUrl = new Uri($"http://127.0.0.1:{FreePort()}");
        var webUrl = $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var name in info.Environment.Keys.ToList())
        {
            // A developer's shell may carry settings that would point the server somewhere else.
            if (name.StartsWith("LicenseHub__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(name);
            }
        }
        info.Environment["LicenseHub__DataDirectory"] = dataDirectory;
        info.Environment["Kestrel__Endpoints__Grpc__Url"] = grpcUrl.ToString().TrimEnd('/');
        info.Environment["Kestrel__Endpoints__Web__Url"] = webUrl;
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerUnderTest(grpcUrl, Path.Combine(dataDirectory, VendorKeyFileName), process, dataDirectory, owned);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        log.WriteLine($"Starting {dll} on {grpcUrl} (data: {dataDirectory})");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilServingAsync(cancellationToken);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!File.Exists(server.VendorKeyFile) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            if (!File.Exists(server.VendorKeyFile))
            {
                throw new InvalidOperationException($"The server did not write {server.VendorKeyFile} (a data directory seeded "
                    + "without it needs --vendor-key-file).\n--- server output ---\n" + server.Output);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public async Task<string> ReadVendorKeyAsync() => (await File.ReadAllTextAsync(VendorKeyFile)).Trim();

    /// <summary>Resident set size of a server started here, from /proc (Linux); null otherwise.</summary>
    public double? ResidentMegabytes()
    {
        if (_process is null || _process.HasExited)
        {
            return null;
        }
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status))
        {
            return null;
        }
        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await StopAsync(_process, TimeSpan.FromSeconds(20));
            _process.Dispose();
        }
        if (_ownedDataDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownedDataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp directory left behind is harmless.
            }
        }
    }

    private async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(GrpcUrl);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + StartTimeout;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it was serving.\n--- server output ---\n{Output}");
            }
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
                last = reply.Status.ToString();
            }
            catch (RpcException ex)
            {
                last = $"{ex.StatusCode}: {ex.Status.Detail}";
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"The server at {GrpcUrl} was not SERVING within {StartTimeout.TotalSeconds} s (last: {last}).\n--- server output ---\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputLock)
        {
            // Keep the tail only: a long run must not grow this without bound.
            if (_output.Length > 256 * 1024)
            {
                _output.Remove(0, _output.Length - 128 * 1024);
            }
            _output.Append(line).Append('\n');
        }
    }

    /// <summary>licensehub.dll of the configuration this tool was built with, else the other one.</summary>
    public static string FindServerDll()
    {
        var configuration = typeof(ServerUnderTest).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "LicenseHub.sln")))
            {
                continue;
            }
            foreach (var config in new[] { configuration, configuration == "Release" ? "Debug" : "Release" })
            {
                var candidate = Path.Combine(dir.FullName, "src", "LicenseHub.Server", "bin", config, "net10.0", "licensehub.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            break;
        }
        throw new UsageException("Cannot find licensehub.dll next to this repository's LicenseHub.sln; pass --server-dll.");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

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

    private static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }
        if (!OperatingSystem.IsWindows())
        {
            // SIGTERM, as systemd stops it: a graceful shutdown.
            _ = Kill(process.Id, 15);
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        await process.WaitForExitAsync();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
