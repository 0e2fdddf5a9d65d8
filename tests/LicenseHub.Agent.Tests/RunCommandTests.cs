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
}
