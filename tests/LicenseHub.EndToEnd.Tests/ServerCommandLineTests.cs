using System.Net;
using System.Net.Sockets;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>The licensehub binary's command line, as an operator types it.</summary>
public sealed class ServerCommandLineTests : IDisposable
{
    private readonly TempDirectory _work = new("server-cli");

    public void Dispose() => _work.Dispose();

    private string Data => _work.Combine("data");

    private Task<ChildProcessResult> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync(ChildProcess.StartInfo(BuiltOutputs.ServerDll, _work.Path,
            new Dictionary<string, string> { ["LicenseHub__DataDirectory"] = Data, ["DOTNET_NOLOGO"] = "1" }, arguments), TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Help_ListsTheCommandsAndTheConfigurationThatMatters_AndStartsNothing()
    {
        var help = await RunAsync("--help");

        Assert.False(help.TimedOut, "licensehub --help started the server.");
        Assert.True(help.ExitCode == 0, help.ToString());
        foreach (var expected in new[] { "serve", "backup", "restore", "backup-key", "trust", "retention",
            "--data-directory", "--database", "--connection-string", "--grpc-url", "--web-url", "--key-encryption-key-file", "--log-format",
            "LicenseHub:Metrics:Prometheus", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            Assert.Contains(expected, help.StdOut);
        }
        Assert.False(Directory.Exists(Data), "--help must not create the data directory.");
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("backup")]
    [InlineData("restore")]
    [InlineData("backup-key")]
    [InlineData("trust")]
    [InlineData("trust", "export")]
    [InlineData("trust", "rotate-root")]
    [InlineData("trust", "offline-root", "init")]
    [InlineData("retention")]
    [InlineData("retention", "run")]
    public async Task EveryCommand_HasHelp(params string[] command)
    {
        var help = await RunAsync([.. command, "--help"]);

        Assert.True(help.ExitCode == 0 && !help.TimedOut, help.ToString());
        Assert.Contains("Usage:", help.StdOut);
        Assert.Contains($"licensehub {string.Join(' ', command)}", help.StdOut);
        Assert.False(File.Exists(Path.Combine(Data, "licensehub.db")));
    }

    [Fact]
    public async Task UnknownCommand_IsRefused_InsteadOfStartingTheServer()
    {
        var result = await RunAsync("trsut", "export");

        Assert.False(result.TimedOut);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown command 'trsut'", result.StdErr);
    }

    [Fact]
    public async Task DataDirectoryOption_IsTheServersConfiguration_ForOperatorCommandsToo()
    {
        var elsewhere = _work.Combine("elsewhere");
        string anchor;
        await using (var server = await ServerProcess.StartAsync(elsewhere))
        {
            anchor = await server.ExportTrustAnchorAsync();
        }

        // The environment names another directory; the option wins, as a command-line argument wins over the environment.
        var export = await RunAsync("trust", "export", "--data-directory", elsewhere);

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(anchor, export.StdOut.Trim());
        Assert.False(File.Exists(Path.Combine(Data, "licensehub.db")), "The command used the directory of the environment, not the option.");
    }

    [Fact]
    public async Task Start_OnAPortInUse_EndsWithAClearMessage_BeforeCreatingADatabaseOrAnAdminKey()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = $"http://127.0.0.1:{((IPEndPoint)occupant.LocalEndpoint).Port}";

        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new ServerOptions
        {
            DataDirectory = Data,
            Settings = new Dictionary<string, string> { ["Kestrel__Endpoints__Grpc__Url"] = taken },
            StartTimeout = TimeSpan.FromSeconds(60),
        }));

        Assert.Contains("exited with code 1", refused.Message);
        Assert.Contains($"licensehub: cannot start: {taken} (Kestrel:Endpoints:Grpc:Url) is already in use by another process", refused.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Data));
    }
}
