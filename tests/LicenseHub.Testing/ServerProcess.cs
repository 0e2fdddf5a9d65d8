using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace LicenseHub.Testing;

/// <summary>
/// The real LicenseHub server ('dotnet licensehub.dll', as users run it) on loopback ports of its own, with
/// its own data directory, its console output captured line by line. Disposing it stops it (SIGTERM, then a
/// kill) and deletes the data directory if it made it.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string VendorKeyFileName = "vendor-admin.key";

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan VendorKeyWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Process _process;
    private readonly TempDirectory? _ownedDataDirectory;
    private readonly int? _outputLimit;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();
    private readonly Lock _outputLock = new();
    private bool _started;
    private bool _disposed;

    private readonly string _serverDll;
    private readonly IReadOnlyDictionary<string, string> _environment;

    private ServerProcess(Process process, string serverDll, IReadOnlyDictionary<string, string> environment, string dataDirectory,
        TempDirectory? ownedDataDirectory, string grpcUrl, string webUrl, int? outputLimit)
    {
        _process = process;
        _serverDll = serverDll;
        _environment = environment;
        _ownedDataDirectory = ownedDataDirectory;
        _outputLimit = outputLimit;
        DataDirectory = dataDirectory;
        GrpcUrl = grpcUrl;
        WebUrl = webUrl;
    }

    public string DataDirectory { get; }

    public string GrpcUrl { get; }

    public string WebUrl { get; }

    public string VendorKeyFile => Path.Combine(DataDirectory, VendorKeyFileName);

    /// <summary>Everything the server wrote to stdout and stderr so far (its newest part, with an output limit).</summary>
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

    /// <summary>What the server wrote to stdout only (without an output limit): the log lines, for tests of the log format.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_outputLock)
            {
                return _standardOutput.ToString();
            }
        }
    }

    /// <param name="settings">Extra configuration as environment variables, e.g. <c>LicenseHub__TokenLifetime</c>.</param>
    public static Task<ServerProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null) =>
        StartAsync(new ServerOptions { DataDirectory = dataDirectory, Settings = settings ?? new Dictionary<string, string>() });

    /// <summary>Starts the server and returns once it answers as SERVING; a server that does not get there is stopped.</summary>
    public static async Task<ServerProcess> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        var serverDll = options.ServerDll ?? BuiltOutputs.ServerDll;
        var ports = FreePort.Next(2);
        var owned = options.DataDirectory is null ? new TempDirectory("server") : null;
        var dataDirectory = options.DataDirectory ?? owned!.Path;
        var grpcUrl = $"http://127.0.0.1:{ports[0]}";
        var webUrl = $"http://127.0.0.1:{ports[1]}";
        var environment = new Dictionary<string, string>
        {
            ["LicenseHub__DataDirectory"] = dataDirectory,
            ["Kestrel__Endpoints__Grpc__Url"] = grpcUrl,
            ["Kestrel__Endpoints__Web__Url"] = webUrl,
            ["DOTNET_NOLOGO"] = "1",
        };
        if (options.PostgresConnectionString is { } postgres)
        {
            environment["Database__Provider"] = "Postgres";
            environment["ConnectionStrings__LicenseHub"] = postgres;
        }
        foreach (var (name, value) in options.Settings)
        {
            environment[name] = value;
        }
        var info = ChildProcess.StartInfo(serverDll, Path.GetDirectoryName(serverDll)!, environment);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, serverDll, environment, dataDirectory, owned, grpcUrl, webUrl, options.OutputLimit);
        process.OutputDataReceived += (_, e) => server.Append(e.Data, standardOutput: true);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        options.Log?.WriteLine($"Starting {serverDll} on {grpcUrl} (data: {dataDirectory})");
        try
        {
            server.Launch();
            await server.WaitUntilServingAsync(options, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Runs an operator command (<c>licensehub trust export</c>, …) with this server's configuration.</summary>
    public async Task<ChildProcessResult> RunCommandAsync(params string[] arguments)
    {
        var info = ChildProcess.StartInfo(_serverDll, Path.GetDirectoryName(_serverDll)!, _environment, arguments);
        var result = await ChildProcess.RunAsync(info, TimeSpan.FromMinutes(2));
        return result.TimedOut ? throw new TimeoutException($"licensehub {string.Join(' ', arguments)} did not finish.") : result;
    }

    /// <summary>The trust anchor, as the vendor gets it: <c>licensehub trust export</c>.</summary>
    public async Task<string> ExportTrustAnchorAsync()
    {
        var result = await RunCommandAsync("trust", "export");
        return result.ExitCode == 0
            ? result.StdOut.Trim()
            : throw new InvalidOperationException($"licensehub trust export failed ({result.ExitCode}):\n{result.StdOut}{result.StdErr}");
    }

    /// <summary>Whether the vendor admin key file is there (the server writes it on its first start), waiting up to the timeout.</summary>
    public async Task<bool> WaitForVendorKeyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(VendorKeyFile) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }
        return File.Exists(VendorKeyFile);
    }

    /// <summary>The vendor admin key the server wrote on its first start.</summary>
    public async Task<string> ReadVendorKeyAsync()
    {
        if (!await WaitForVendorKeyAsync(VendorKeyWait))
        {
            throw new InvalidOperationException($"The server did not write {VendorKeyFile}.\n--- server output ---\n{Output}");
        }
        return (await File.ReadAllTextAsync(VendorKeyFile)).Trim();
    }

    /// <summary>The server's resident set size, from /proc (Linux); null where that is not known.</summary>
    public double? ResidentMegabytes()
    {
        if (_process.HasExited)
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
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }
        return null;
    }

    public Task StopAsync() => ChildProcess.StopAsync(_process, StopGrace);

    /// <summary>Kills the server at once (SIGKILL), as a crash or an out-of-memory kill would, with no shutdown at all.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_started)
        {
            await StopAsync();
        }
        _process.Dispose();
        _ownedDataDirectory?.Dispose();
    }

    private void Launch()
    {
        _process.Start();
        _started = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line, bool standardOutput = false)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputLock)
        {
            if (standardOutput && _outputLimit is null)
            {
                _standardOutput.Append(line).Append('\n');
            }
            if (_outputLimit is { } limit && _output.Length > limit)
            {
                // Half the limit at once, so a long run does not shift the buffer on every line.
                _output.Remove(0, _output.Length - limit / 2);
            }
            _output.Append(line).Append('\n');
        }
    }

    private async Task WaitUntilServingAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(GrpcUrl);
        var health = new Health.HealthClient(channel);
        using var web = options.WebReadyPath is null ? null : new HttpClient { BaseAddress = new Uri(WebUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + options.StartTimeout;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken);
                throw new InvalidOperationException(
                    $"The server exited with code {_process.ExitCode} before it was serving.\n--- server output ---\n{Output}");
            }
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
                if (reply.Status != HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    last = reply.Status.ToString();
                }
                else if (web is null)
                {
                    return;
                }
                else
                {
                    using var response = await web.GetAsync(options.WebReadyPath, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                    last = $"{options.WebReadyPath}: {response.StatusCode}";
                }
            }
            catch (RpcException ex)
            {
                last = $"{ex.StatusCode}: {ex.Status.Detail}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = $"{options.WebReadyPath}: {ex.Message}";
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
        throw new TimeoutException(
            $"The server at {GrpcUrl} was not SERVING within {options.StartTimeout.TotalSeconds} s (last: {last}).\n--- server output ---\n{Output}");
    }
}
