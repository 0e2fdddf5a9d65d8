using System.Text.Json;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Tests;

public sealed class CheckCommandTests : IDisposable
{
    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Check_ValidToken_ExitsZero()
    {
        _sandbox.WriteActivatedState();

        var (exit, output, _) = _sandbox.Run("check");

        Assert.Equal(0, exit);
        Assert.StartsWith("licensed: product panel", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NoStateFile_ExitsOneNotActivated()
    {
        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("not activated", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LastSeenInTheFuture_ReportsClockSetBack()
    {
        _sandbox.WriteActivatedState(lastSeen: AgentSandbox.Now.AddHours(2));

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("clock set back", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LastSeenSlightlyAhead_ToleratesSmallStep()
    {
        _sandbox.WriteActivatedState(lastSeen: AgentSandbox.Now.AddMinutes(3));

        Assert.Equal(0, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public void Check_AfterClockMovedForward_RecordsNewLastSeenSoRollbackShows()
    {
        _sandbox.WriteActivatedState();
        _sandbox.Clock.Now = AgentSandbox.Now.AddHours(5);
        Assert.Equal(0, _sandbox.Run("check").ExitCode);

        _sandbox.Clock.Now = AgentSandbox.Now;
        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(AgentSandbox.Now.AddHours(5), _sandbox.Store.Load()!.LastSeen);
        Assert.Equal(1, exit);
        Assert.Contains("clock set back", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CorruptStateFile_ExitsFourWithWayOut()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StatePath)!);
        File.WriteAllText(_sandbox.StatePath, "{\"version\":1,\"tok");

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(4, exit);
        Assert.Contains("corrupt", error, StringComparison.Ordinal);
        Assert.Contains("lh-agent activate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_StateCopiedToAnotherMachine_ReportsFingerprintMismatch()
    {
        _sandbox.WriteActivatedState();
        File.WriteAllText(_sandbox.MachineIdFile, "ffffffffffffffffffffffffffffffff\n");

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("fingerprint mismatch", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UnreadableMachineId_ExitsFour()
    {
        _sandbox.WriteActivatedState();
        File.Delete(_sandbox.MachineIdFile);

        Assert.Equal(4, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public void Check_TokenFromUntrustedKey_ExitsOne()
    {
        var forged = AgentSandbox.Token(key: Ed25519KeyPair.Generate());
        _sandbox.WriteActivatedState(token: forged);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TokenForAnotherProduct_ExitsOne()
    {
        _sandbox.WriteActivatedState(token: AgentSandbox.Token(AgentSandbox.Claims() with { Product = "mailer" }));

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("mailer", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExpiredWithinGrace_ExitsZeroInGrace()
    {
        _sandbox.WriteActivatedState();
        _sandbox.Clock.Now = AgentSandbox.Now.AddDays(1).AddHours(2);

        var (exit, output, _) = _sandbox.Run("check");

        Assert.Equal(0, exit);
        Assert.Contains("grace", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExpiredBeyondGrace_ExitsOne()
    {
        _sandbox.WriteActivatedState();
        _sandbox.Clock.Now = AgentSandbox.Now.AddDays(3);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("expired", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ServerRevokedLicense_ExitsOneWithServerAnswer()
    {
        var state = _sandbox.WriteActivatedState();
        state.Token = null;
        state.TokenType = null;
        state.LastResult = "REVOKED";
        _sandbox.Store.Save(state);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("REVOKED", error, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusJson_ValidToken_ReportsLicensedWithoutSecrets()
    {
        var state = _sandbox.WriteActivatedState();

        var (exit, output, _) = _sandbox.Run("status", "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("licensed").GetBoolean());
        Assert.Equal("ins_1", json.RootElement.GetProperty("installation_id").GetString());
        Assert.Equal("online", json.RootElement.GetProperty("mode").GetString());
        Assert.DoesNotContain(state.InstallationSecret!, output, StringComparison.Ordinal);
        Assert.DoesNotContain(state.Salt!, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_Root_DocumentsExitCodes()
    {
        var (exit, output, _) = _sandbox.Run("--help");

        Assert.Equal(0, exit);
        Assert.Contains("3  license server unreachable", output, StringComparison.Ordinal);
        Assert.Contains("4  state problem", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_MissingServerOption_IsUsageError()
    {
        Assert.Equal(2, _sandbox.Run("activate", AgentSandbox.LicenseKey).ExitCode);
    }

    [Fact]
    public void Activate_CorruptStateAndServerDown_StartsOverAndExitsThree()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StatePath)!);
        File.WriteAllText(_sandbox.StatePath, "\0\0garbage");

        // Port 1 on loopback refuses connections immediately.
        var (exit, _, error) = _sandbox.Run("activate", AgentSandbox.LicenseKey, "--server", "http://127.0.0.1:1");

        Assert.Equal(3, exit);
        Assert.Contains("starting over", error, StringComparison.Ordinal);
        Assert.Contains("unreachable", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_ServerUrlWithCredentials_IsUsageError()
    {
        var (exit, _, error) = _sandbox.Run("activate", AgentSandbox.LicenseKey, "--server", "https://user:pw@license.example.test");

        Assert.Equal(2, exit);
        Assert.Contains("credentials", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Forget_CorruptStateWithoutForce_ExitsFourAndKeepsFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StatePath)!);
        File.WriteAllText(_sandbox.StatePath, "{");

        Assert.Equal(4, _sandbox.Run("forget").ExitCode);
        Assert.True(File.Exists(_sandbox.StatePath));
    }

    [Fact]
    public void Forget_CorruptStateWithForce_DeletesFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StatePath)!);
        File.WriteAllText(_sandbox.StatePath, "{");

        Assert.Equal(0, _sandbox.Run("forget", "--force").ExitCode);
        Assert.False(File.Exists(_sandbox.StatePath));
    }

    [Fact]
    public void Forget_ServerDown_ExitsThreeAndKeepsState()
    {
        var state = _sandbox.WriteActivatedState();
        state.Server = "http://127.0.0.1:1/";
        _sandbox.Store.Save(state);

        Assert.Equal(3, _sandbox.Run("forget").ExitCode);
        Assert.True(File.Exists(_sandbox.StatePath));
    }
}
