namespace LicenseHub.Agent.Tests;

/// <summary>One tolerance (5 minutes) for nbf, iat and the set-back check; beyond it, a plain "your clock is wrong by …".</summary>
public sealed class ClockToleranceTests : IDisposable
{
    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    /// <param name="lastSeen">The latest time this machine saw (by its own clock); default ten minutes before the token.</param>
    private void TokenIssuedNowByTheServer(DateTimeOffset? lastSeen = null) => _sandbox.WriteActivatedState(
        AgentSandbox.Token(AgentSandbox.Claims() with { IssuedAt = AgentSandbox.Now, NotBefore = AgentSandbox.Now }),
        lastSeen: lastSeen ?? AgentSandbox.Now.AddMinutes(-10));

    [Fact]
    public void Check_ClockFourMinutesBehindTheServer_IsLicensed()
    {
        TokenIssuedNowByTheServer();
        _sandbox.Clock.Now = AgentSandbox.Now.AddMinutes(-4);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.True(exit == 0, error);
    }

    [Fact]
    public void Check_ClockFourMinutesAheadThenPutRight_IsLicensed()
    {
        TokenIssuedNowByTheServer();
        _sandbox.Clock.Now = AgentSandbox.Now.AddMinutes(4);
        Assert.Equal(0, _sandbox.Run("check").ExitCode);

        _sandbox.Clock.Now = AgentSandbox.Now;
        var (exit, _, error) = _sandbox.Run("check");

        Assert.True(exit == 0, error);
    }

    [Fact]
    public void Check_ClockADayBehind_SaysTheClockIsWrongByADay()
    {
        // The machine's clock has been a day behind all along.
        TokenIssuedNowByTheServer(lastSeen: AgentSandbox.Now.AddDays(-1).AddMinutes(-10));
        _sandbox.Clock.Now = AgentSandbox.Now.AddDays(-1);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("this machine's clock is about 1 day(s) behind the license server's", error);
    }
}
