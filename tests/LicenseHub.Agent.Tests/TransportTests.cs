using LicenseHub.Agent.Commands;
using LicenseHub.Agent.State;
using LicenseHub.V1;

namespace LicenseHub.Agent.Tests;

/// <summary>
/// Plain http:// only to this machine: elsewhere the license key and the installation secret would cross a
/// network that may be hostile in clear. Refused before any connection, at activation and for the server
/// a state file records, unless --allow-insecure-transport was given at activation.
/// </summary>
public sealed class TransportTests : IDisposable
{
    // Off this machine, and .invalid never resolves (RFC 6761): "unreachable" shows the agent went ahead and tried.
    private const string RemotePlainHttp = "http://license.invalid:1";

    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.8.9.10:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://[::ffff:127.0.0.1]:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://LocalHost.:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://128.0.0.1:5080", false)]
    [InlineData("http://[::2]:5080", false)]
    [InlineData("http://localhost.example.test:5080", false)]
    [InlineData("http://127.0.0.1.example.test:5080", false)]
    [InlineData("http://license.example.test", false)]
    public void IsLoopback_OnlyThisMachine(string url, bool loopback)
    {
        Assert.Equal(loopback, AgentClient.IsLoopback(new Uri(url)));
    }

    [Theory]
    [InlineData("https://license.example.test", false)]
    [InlineData("http://127.0.0.1:5080", false)]
    [InlineData("http://license.example.test", true)]
    [InlineData("http://10.0.0.5:5080", true)]
    public void TransportProblem_OnlyPlainHttpOffThisMachine(string url, bool refused)
    {
        Assert.Equal(refused, AgentClient.TransportProblem(new Uri(url), allowInsecure: false, ServerSource.CommandLine) is not null);
        Assert.Null(AgentClient.TransportProblem(new Uri(url), allowInsecure: true, ServerSource.CommandLine));
    }

    [Fact]
    public void Activate_PlainHttpOffThisMachine_RefusedSayingWhyAndWhatToDo()
    {
        var (exit, _, error) = _sandbox.Run("activate", AgentSandbox.LicenseKey, "--server", "http://license.example.test:5080");

        // 3 would mean it tried to connect.
        Assert.Equal(2, exit);
        Assert.Contains("refusing plain http:// to the license server at http://license.example.test:5080", error, StringComparison.Ordinal);
        Assert.Contains("the license key and the installation secret would cross the network in clear", error, StringComparison.Ordinal);
        Assert.Contains("use https:// (e.g. --server https://license.example.test:5080)", error, StringComparison.Ordinal);
        Assert.Contains("--allow-insecure-transport", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_sandbox.StatePath));
    }

    [Fact]
    public void Activate_PlainHttpOffThisMachineWithFlag_ConnectsAndWarns()
    {
        var (exit, _, error) = _sandbox.Run("activate", AgentSandbox.LicenseKey, "--server", RemotePlainHttp, "--allow-insecure-transport");

        Assert.Equal(3, exit);
        Assert.Contains("warning: --allow-insecure-transport: the license key and the installation secret cross the network to http://license.invalid:1 in clear",
            error, StringComparison.Ordinal);
        Assert.Contains("the license server at http://license.invalid:1 is unreachable (", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("http://127.1.2.3:1")]
    [InlineData("http://localhost:1")]
    [InlineData("http://[::1]:1")]
    public void Activate_PlainHttpToLoopback_ConnectsWithoutFlag(string url)
    {
        var (exit, _, error) = _sandbox.Run("activate", AgentSandbox.LicenseKey, "--server", url);

        Assert.Equal(3, exit);
        Assert.DoesNotContain("refusing", error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning: --allow-insecure-transport", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RunOnce_StateRecordsPlainHttpOffThisMachine_RefusesWithoutConnecting()
    {
        WriteState(RemotePlainHttp + "/", allowInsecure: false);

        var (exit, _, error) = _sandbox.Run("run", "--once");

        Assert.Equal(2, exit);
        Assert.Contains("refusing plain http:// to the license server at http://license.invalid:1", error, StringComparison.Ordinal);
        Assert.Contains("activate again with an https:// URL", error, StringComparison.Ordinal);
        Assert.DoesNotContain("check-in failed", error, StringComparison.Ordinal);
        Assert.Equal("VALID", _sandbox.Store.Load()!.LastResult);
    }

    [Fact]
    public async Task Run_StateRecordsPlainHttpOffThisMachine_DaemonDoesNotStart()
    {
        WriteState(RemotePlainHttp + "/", allowInsecure: false);

        // A daemon that went ahead would retry for ever: the timeout fails the test instead.
        var (exit, _, error) = await Task.Run(() => _sandbox.Run("run"), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("refusing plain http://", error, StringComparison.Ordinal);
        Assert.DoesNotContain("started", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RunOnce_StateRecordsPlainHttpWithFlag_ChecksIn()
    {
        WriteState(RemotePlainHttp + "/", allowInsecure: true);

        var (exit, _, error) = _sandbox.Run("run", "--once");

        Assert.Equal(3, exit);
        Assert.Contains("check-in failed: the license server at http://license.invalid:1 is unreachable (", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_StateRecordsPlainHttpOffThisMachine_StillLicensedOffline()
    {
        WriteState(RemotePlainHttp + "/", allowInsecure: false);

        Assert.Equal(0, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public void Forget_StateRecordsPlainHttpOffThisMachine_RefusesAndKeepsState()
    {
        WriteState(RemotePlainHttp + "/", allowInsecure: false);

        var (exit, _, error) = _sandbox.Run("forget");

        Assert.Equal(2, exit);
        Assert.Contains("refusing plain http://", error, StringComparison.Ordinal);
        Assert.True(File.Exists(_sandbox.StatePath));
    }

    [Fact]
    public void Forget_StateRecordsPlainHttpOffThisMachineWithForce_DeletesWithoutContactingServer()
    {
        WriteState(RemotePlainHttp + "/", allowInsecure: false);

        var (exit, output, error) = _sandbox.Run("forget", "--force");

        Assert.Equal(0, exit);
        Assert.Contains("The server was not contacted (--force)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("unreachable", error, StringComparison.Ordinal);
        Assert.Contains("local state deleted", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_sandbox.StatePath));
    }

    [Fact]
    public void StateFrom_AllowInsecureTransport_IsStoredAndReadBack()
    {
        var ctx = _sandbox.Context();
        var response = new ActivateResponse { Code = ValidationCode.Valid, InstallationId = "ins_1", InstallationSecret = "s", Token = AgentSandbox.Token(), LicenseId = "lic_1" };

        var allowed = ActivateCommand.StateFrom(ctx, null, response, AgentSandbox.Claims(), new Uri(RemotePlainHttp), AgentSandbox.Product, "1.4.2",
            AgentSandbox.Salt, TelemetrySetting.Required, AgentSandbox.Jwks, allowInsecureTransport: true);
        _sandbox.Store.Save(allowed);

        Assert.Contains("\"allow_insecure_transport\": true", File.ReadAllText(_sandbox.StatePath), StringComparison.Ordinal);
        Assert.True(_sandbox.Store.Load()!.AllowInsecureTransport);

        var secure = ActivateCommand.StateFrom(ctx, allowed, response, AgentSandbox.Claims(), new Uri("https://license.example.test/"), AgentSandbox.Product, "1.4.2",
            AgentSandbox.Salt, TelemetrySetting.Required, AgentSandbox.Jwks);
        _sandbox.Store.Save(secure);

        // Activating again without the flag withdraws it; state files without it look as they always did.
        Assert.DoesNotContain("allow_insecure_transport", File.ReadAllText(_sandbox.StatePath), StringComparison.Ordinal);
        Assert.False(_sandbox.Store.Load()!.AllowInsecureTransport);
    }

    private void WriteState(string server, bool allowInsecure)
    {
        var state = _sandbox.WriteActivatedState();
        state.Server = server;
        state.AllowInsecureTransport = allowInsecure;
        _sandbox.Store.Save(state);
    }
}
