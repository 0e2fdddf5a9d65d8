using LicenseHub.Testing;

namespace LicenseHub.LoadGen;

/// <summary>
/// The server the load goes to: either the real server process started here (the shared
/// <see cref="ServerProcess"/>, stopped at the end) or one already running.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan VendorKeyTimeout = TimeSpan.FromSeconds(20);

    // A long run must not keep every line the server printed.
    private const int OutputLimit = 256 * 1024;

    private readonly ServerProcess? _started;

    private ServerUnderTest(Uri grpcUrl, string vendorKeyFile, ServerProcess? started)
    {
        GrpcUrl = grpcUrl;
        VendorKeyFile = vendorKeyFile;
        _started = started;
    }

    public Uri GrpcUrl { get; }

    public string VendorKeyFile { get; }

    public static ServerUnderTest Existing(string url, string vendorKeyFile)
    {
        var uri = Loopback.Require(url);
        if (!File.Exists(vendorKeyFile))
        {
            throw new UsageException($"The vendor key file {vendorKeyFile} does not exist.");
        }
        return new ServerUnderTest(uri, vendorKeyFile, null);
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
        var server = await ServerProcess.StartAsync(new ServerOptions
        {
            ServerDll = dll,
            DataDirectory = dataDirectory,
            Settings = environment,
            StartTimeout = StartTimeout,
            OutputLimit = OutputLimit,
            Log = log,
        }, cancellationToken);
        try
        {
            if (!await server.WaitForVendorKeyAsync(VendorKeyTimeout, cancellationToken))
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
        return new ServerUnderTest(new Uri(server.GrpcUrl), server.VendorKeyFile, server);
    }

    public async Task<string> ReadVendorKeyAsync() => (await File.ReadAllTextAsync(VendorKeyFile)).Trim();

    /// <summary>Resident set size of a server started here, from /proc (Linux); null otherwise.</summary>
    public double? ResidentMegabytes() => _started?.ResidentMegabytes();

    public ValueTask DisposeAsync() => _started?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>licensehub.dll of the configuration this tool was built with, else the other one.</summary>
    public static string FindServerDll()
    {
        var project = Path.Combine("src", "LicenseHub.Server");
        var other = BuiltOutputs.Configuration == "Release" ? "Debug" : "Release";
        return BuiltOutputs.FindProjectOutput(project, "licensehub.dll")
            ?? BuiltOutputs.FindProjectOutput(project, "licensehub.dll", other)
            ?? throw new UsageException("Cannot find licensehub.dll next to this repository's LicenseHub.sln; pass --server-dll.");
    }
}
