using System.Diagnostics;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real LicenseHub server ('dotnet licensehub.dll') on loopback ports of its own, with its own data
/// directory, its console output captured line by line.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string VendorKeyFileName = "vendor-admin.key";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();

    private ServerProcess(Process process, string dataDirectory, string grpcUrl, string webUrl)
    {
        _process = process;
        DataDirectory = dataDirectory;
        GrpcUrl = grpcUrl;
        WebUrl = webUrl;
    }

    public string DataDirectory { get; }

    public string GrpcUrl { get; }

    public string WebUrl { get; }

    public string VendorKeyFile => Path.Combine(DataDirectory, VendorKeyFileName);

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
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

    /// <param name="settings">Extra configuration as environment variables, e.g. <c>LicenseHub__TokenLifetime</c>.</param>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var grpcUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var webUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var serverDll = BuiltOutputs.ServerDll;
        var environment = new Dictionary<string, string>
        {
            ["LicenseHub__DataDirectory"] = dataDirectory,
            ["Kestrel__Endpoints__Grpc__Url"] = grpcUrl,
            ["Kestrel__Endpoints__Web__Url"] = webUrl,
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        var info = ChildProcess.StartInfo(serverDll, Path.GetDirectoryName(serverDll)!, environment);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, dataDirectory, grpcUrl, webUrl);
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

    /// <summary>The vendor admin key the server wrote on its first start.</summary>
    public async Task<string> ReadVendorKeyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!File.Exists(VendorKeyFile) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.True(File.Exists(VendorKeyFile), $"The server did not write {VendorKeyFile}.\n--- server output ---\n{Output}");
        return (await File.ReadAllTextAsync(VendorKeyFile)).Trim();
    }

    public Task StopAsync() => ChildProcess.StopAsync(_process, TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputLock)
        {
            _output.Append(line).Append('\n');
        }
    }

    private async Task WaitUntilServingAsync()
    {
        using var channel = GrpcChannel.ForAddress(GrpcUrl);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + StartTimeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new InvalidOperationException(
                    $"The server exited with code {_process.ExitCode} before it was serving.\n--- server output ---\n{Output}");
            }
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
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
            await Task.Delay(250);
        }
        throw new TimeoutException(
            $"The server at {GrpcUrl} was not SERVING within {StartTimeout.TotalSeconds} s (last: {last}).\n--- server output ---\n{Output}");
    }
}
