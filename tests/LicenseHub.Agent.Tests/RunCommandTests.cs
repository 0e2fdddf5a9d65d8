using System.Net;
using System.Net.Sockets;
using LicenseHub.Agent.Commands;

namespace LicenseHub.Agent.Tests;

/// <summary>'run --once' without a server; the answers of a real server are covered end to end.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void RunOnce_ServerDown_ExitsThreeAndKeepsToken()
    {
        var state = _sandbox.WriteActivatedState();
        state.Server = "http://127.0.0.1:1/";
        _sandbox.Store.Save(state);

        var (exit, _, error) = _sandbox.Run("run", "--once");

        Assert.Equal(3, exit);
        Assert.Contains("check-in failed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("started", error, StringComparison.Ordinal);
        Assert.Equal(state.Token, _sandbox.Store.Load()!.Token);
        Assert.Equal(0, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public async Task Run_StoppedWhileCheckInWaitsForServer_StopsCleanly()
    {
        var (exit, error) = await RunUntilStoppedDuringCheckIn(once: false);

        Assert.Equal(0, exit);
        Assert.EndsWith("lh-agent: stopped" + Environment.NewLine, error, StringComparison.Ordinal);
        Assert.DoesNotContain("cancelled", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_StoppedWhileCheckInWaitsForServer_SaysInterrupted()
    {
        var (exit, error) = await RunUntilStoppedDuringCheckIn(once: true);

        Assert.Equal(3, exit);
        Assert.Contains("interrupted before the server answered", error, StringComparison.Ordinal);
        Assert.DoesNotContain("cancelled", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RunOnce_NotActivated_ExitsOne()
    {
        var (exit, _, error) = _sandbox.Run("run", "--once");

        Assert.Equal(1, exit);
        Assert.Contains("not activated", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RunOnce_WithInterval_IsUsageError()
    {
        _sandbox.WriteActivatedState();

        var (exit, _, error) = _sandbox.Run("run", "--once", "--interval", "60");

        Assert.Equal(2, exit);
        Assert.Contains("--interval has no effect with --once", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RunHelp_DocumentsOnce()
    {
        var (exit, output, _) = _sandbox.Run("run", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("--once", output, StringComparison.Ordinal);
    }

    /// <summary>Checks in with a server that takes the connection but never answers, and stops the daemon meanwhile (as SIGTERM does).</summary>
    private async Task<(int ExitCode, string Error)> RunUntilStoppedDuringCheckIn(bool once)
    {
        // The kernel completes connections to a listening socket nobody accepts from: the call just waits.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var state = _sandbox.WriteActivatedState();
        state.Server = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        _sandbox.Store.Save(state);
        var error = new StringWriter();
        var ctx = _sandbox.Context(error: error);
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var exit = await ctx.GuardAsync(() => new CheckInDaemon(ctx, null, once).RunAsync(stopping.Token)).WaitAsync(TimeSpan.FromSeconds(20));

        return (exit, error.ToString());
    }
}
