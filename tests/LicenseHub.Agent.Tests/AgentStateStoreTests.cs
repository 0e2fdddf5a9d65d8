using System.Text.Json;
using LicenseHub.Agent.State;

namespace LicenseHub.Agent.Tests;

public sealed class AgentStateStoreTests : IDisposable
{
    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Load_NoFile_ReturnsNull()
    {
        Assert.Null(_sandbox.Store.Load());
    }

    [Fact]
    public void Save_ThenLoad_RoundTripsEveryField()
    {
        var saved = _sandbox.WriteActivatedState();

        var loaded = _sandbox.Store.Load()!;

        Assert.Equal(saved.InstallationSecret, loaded.InstallationSecret);
        Assert.Equal(saved.Salt, loaded.Salt);
        Assert.Equal(saved.Token, loaded.Token);
        Assert.Equal(saved.LastSeen, loaded.LastSeen);
        Assert.Equal(AgentSandbox.Kid, Assert.Single(loaded.Jwks!.Keys).Kid);
        Assert.Equal(TelemetrySetting.Required, loaded.TelemetryLevel);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Save_NewFile_IsReadableByOwnerOnly()
    {
        _sandbox.WriteActivatedState();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_sandbox.StatePath));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Save_AsRootIntoDirectoryOfServiceUser_HandsStateAndLockToThatUser()
    {
        // Only root can give files away; elsewhere there is nothing to hand over.
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        var directory = Path.GetDirectoryName(_sandbox.StatePath)!;
        Directory.CreateDirectory(directory);
        Assert.Equal(0, RunTool("chown", "65534:65534", directory));

        _sandbox.Store.Update(_ => new AgentState());

        Assert.Equal("65534:65534", Owner(_sandbox.StatePath));
        Assert.Equal("65534:65534", Owner(_sandbox.StatePath + ".lock"));
    }

    private static string Owner(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u:%g", path]) { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }

    private static int RunTool(string tool, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(tool, args);
        process.WaitForExit();
        return process.ExitCode;
    }

    [Fact]
    public void Save_Twice_LeavesNoTemporaryFiles()
    {
        _sandbox.WriteActivatedState();
        _sandbox.WriteActivatedState();

        Assert.Equal(["license.json", "state.json", "state.json.identity"], Directory.GetFiles(Path.GetDirectoryName(_sandbox.StatePath)!).Select(Path.GetFileName).Where(n => !n!.EndsWith(".lock", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void Save_State_UsesSnakeCaseAndHoldsNeitherKeyNorMachineId()
    {
        _sandbox.WriteActivatedState();

        var json = File.ReadAllText(_sandbox.StatePath);
        using var doc = JsonDocument.Parse(json);

        Assert.True(doc.RootElement.TryGetProperty("installation_secret", out _));
        Assert.True(doc.RootElement.TryGetProperty("last_seen", out _));
        Assert.Equal("required", doc.RootElement.GetProperty("telemetry_level").GetString());
        Assert.DoesNotContain(AgentSandbox.LicenseKey, json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AgentSandbox.MachineId, json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Load_StateFileOfBeforeCheckInTickets_HasNoTicket_AndATicketRoundTrips()
    {
        var state = _sandbox.WriteActivatedState();
        Assert.DoesNotContain("check_in_ticket", File.ReadAllText(_sandbox.StatePath), StringComparison.Ordinal);
        Assert.Null(_sandbox.Store.Load()!.CheckInTicket);

        var ticket = new string('T', 40) + "-_x";
        state.CheckInTicket = ticket;
        _sandbox.Store.Save(state);

        using (var doc = JsonDocument.Parse(File.ReadAllText(_sandbox.StatePath)))
        {
            Assert.Equal(ticket, doc.RootElement.GetProperty("check_in_ticket").GetString());
        }
        Assert.Equal(ticket, _sandbox.Store.Load()!.CheckInTicket);
    }

    [Fact]
    public void TryAcquireCheckInLock_WhileAnotherCheckInHoldsIt_IsNull_AndTheWriterLockIsSeparate()
    {
        _sandbox.WriteActivatedState();
        using (var held = _sandbox.Store.TryAcquireCheckInLock(TimeSpan.FromSeconds(1)))
        {
            Assert.NotNull(held);
            Assert.Null(_sandbox.Store.TryAcquireCheckInLock(TimeSpan.FromMilliseconds(200)));
            // The check-in saves its answer while it holds the check-in lock.
            Assert.NotNull(_sandbox.Store.Update(s => s, TimeSpan.FromMilliseconds(200)));
        }
        using var again = _sandbox.Store.TryAcquireCheckInLock(TimeSpan.FromMilliseconds(200));
        Assert.NotNull(again);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"version\":1,\"server\":\"https://lic", "invalid JSON")]
    [InlineData("null", "no state")]
    [InlineData("[]", "invalid JSON")]
    [InlineData("{\"version\":7}", "version")]
    [InlineData("{\"version\":1,\"salt\":\"AAAA\"}", "salt")]
    [InlineData("{\"version\":1,\"telemetry_level\":\"everything\"}", "invalid JSON")]
    [InlineData("{\"version\":1,\"installation_id\":\"ins_1\"}", "secret")]
    [InlineData("{\"version\":1,\"server\":\"ftp://x\"}", "server")]
    [InlineData("{\"version\":1,\"check_in_ticket\":\"short\"}", "check-in ticket")]
    public void Load_CorruptFile_ThrowsCorruptWithReasonAndWayOut(string content, string reason)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StatePath)!);
        File.WriteAllText(_sandbox.StatePath, content);

        var e = Assert.Throws<AgentStateException>(() => _sandbox.Store.Load());

        Assert.True(e.IsCorrupt);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("lh-agent activate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TruncatedRealState_ThrowsCorrupt()
    {
        _sandbox.WriteActivatedState();
        var bytes = File.ReadAllBytes(_sandbox.StatePath);
        File.WriteAllBytes(_sandbox.StatePath, bytes[..(bytes.Length / 2)]);

        Assert.True(Assert.Throws<AgentStateException>(() => _sandbox.Store.Load()).IsCorrupt);
    }

    [Fact]
    public void LoadOrNull_CorruptFile_WarnsAndReturnsNull()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StatePath)!);
        File.WriteAllText(_sandbox.StatePath, "{\"ver");
        var warnings = new StringWriter();

        Assert.Null(_sandbox.Store.LoadOrNull(warnings));
        Assert.Contains("corrupt", warnings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Update_WhileAnotherWriterHoldsTheLock_TimesOut()
    {
        _sandbox.WriteActivatedState();
        using var held = _sandbox.Store.AcquireLock(TimeSpan.FromSeconds(1));

        var e = Assert.Throws<AgentStateException>(() => _sandbox.Store.Update(s => s, TimeSpan.FromMilliseconds(200)));
        Assert.Contains("locked", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Update_AfterLockReleased_AppliesChange()
    {
        _sandbox.WriteActivatedState();
        using (_sandbox.Store.AcquireLock(TimeSpan.FromSeconds(1)))
        {
        }

        _sandbox.Store.Update(s =>
        {
            s!.TelemetryLevel = TelemetrySetting.Basic;
            return s;
        });

        Assert.Equal(TelemetrySetting.Basic, _sandbox.Store.Load()!.TelemetryLevel);
    }
}
