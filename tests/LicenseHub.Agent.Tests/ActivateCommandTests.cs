using Google.Protobuf.WellKnownTypes;
using LicenseHub.Agent.Commands;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;
using LicenseHub.V1;

namespace LicenseHub.Agent.Tests;

/// <summary>What a VALID activation answer leaves in the state file.</summary>
public sealed class ActivateCommandTests : IDisposable
{
    private const string OldSecret = "s3cr3t-installation-credential";
    private const string NewSecret = "n3w-installation-credential";

    private readonly AgentSandbox _sandbox = new();
    private readonly StringWriter _error = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void StateFrom_ReactivationOfSameInstallation_StoresNewSecret()
    {
        var previous = _sandbox.WriteActivatedState();
        Assert.Equal(OldSecret, previous.InstallationSecret);

        var state = StateFrom(previous, Response("ins_1", NewSecret));

        Assert.Equal("ins_1", state.InstallationId);
        Assert.Equal(NewSecret, state.InstallationSecret);
        Assert.True(state.IsOnlineActivation);
    }

    [Fact]
    public void StateFrom_ReactivationWithATicket_StoresTheNewTicketAndNeverKeepsTheOldOne()
    {
        var previous = _sandbox.WriteActivatedState();
        previous.CheckInTicket = new string('o', 43);
        var response = Response("ins_1", NewSecret);
        response.CheckInTicket = new string('n', 43);

        Assert.Equal(response.CheckInTicket, StateFrom(previous, response).CheckInTicket);
        // A server that issues none: the old ticket belongs to the replaced credential.
        Assert.Null(StateFrom(previous, Response("ins_1", NewSecret)).CheckInTicket);
    }

    [Fact]
    public void StateFrom_NewInstallation_StoresItsIdAndSecret()
    {
        var previous = _sandbox.WriteActivatedState();

        var state = StateFrom(previous, Response("ins_2", NewSecret));

        Assert.Equal(("ins_2", NewSecret), (state.InstallationId, state.InstallationSecret));
    }

    [Fact]
    public void StateFrom_SameInstallationWithoutSecret_DoesNotKeepRevokedSecret()
    {
        // The server replaced the credential on this activation: the stored one no longer works.
        var previous = _sandbox.WriteActivatedState();

        var state = StateFrom(previous, Response("ins_1", ""));

        Assert.Null(state.InstallationId);
        Assert.Null(state.InstallationSecret);
        Assert.False(state.IsOnlineActivation);
        Assert.Equal(AgentSandbox.Token(), state.Token);
    }

    [Fact]
    public void Save_AfterReactivation_WritesNewSecretToStateFile()
    {
        var previous = _sandbox.WriteActivatedState();

        _sandbox.Store.Save(StateFrom(previous, Response("ins_1", NewSecret)));

        var text = File.ReadAllText(_sandbox.StatePath);
        Assert.Contains(NewSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(OldSecret, text, StringComparison.Ordinal);
    }

    [Fact]
    public void StateFrom_ServerTimeAgreesWithClock_ResetsLastSeenThatRanAhead()
    {
        // The clock once ran two hours ahead; the token's iat is an hour old, so only server_time can confirm it.
        var previous = _sandbox.WriteActivatedState(lastSeen: AgentSandbox.Now.AddHours(2));
        var response = Response("ins_1", NewSecret);
        response.ServerTime = Timestamp.FromDateTimeOffset(AgentSandbox.Now.AddSeconds(-3));

        var state = StateFrom(previous, response);

        Assert.Equal(AgentSandbox.Now, state.LastSeen);
        Assert.Equal("", _error.ToString());
    }

    [Fact]
    public void StateFrom_ServerTimeDisagrees_OnlyMovesLastSeenForward()
    {
        var previous = _sandbox.WriteActivatedState(lastSeen: AgentSandbox.Now.AddHours(2));
        var response = Response("ins_1", NewSecret);
        response.ServerTime = Timestamp.FromDateTimeOffset(AgentSandbox.Now.AddHours(-3));

        // An iat that agrees with the clock must not win over the server's own clock.
        var state = StateFrom(previous, response, AgentSandbox.Claims() with { IssuedAt = AgentSandbox.Now });

        Assert.Equal(AgentSandbox.Now.AddHours(2), state.LastSeen);
        Assert.Contains("differs from the license server's by 180 minutes", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StateFrom_NoServerTime_FallsBackToTokenIssuedAt()
    {
        var previous = _sandbox.WriteActivatedState(lastSeen: AgentSandbox.Now.AddHours(2));

        var state = StateFrom(previous, Response("ins_1", NewSecret), AgentSandbox.Claims() with { IssuedAt = AgentSandbox.Now.AddMinutes(-1) });

        Assert.Equal(AgentSandbox.Now, state.LastSeen);
    }

    [Fact]
    public void StateFrom_NoServerTimeAndOldIssuedAt_KeepsLastSeen()
    {
        var previous = _sandbox.WriteActivatedState(lastSeen: AgentSandbox.Now.AddHours(2));

        var state = StateFrom(previous, Response("ins_1", NewSecret));

        Assert.Equal(AgentSandbox.Now.AddHours(2), state.LastSeen);
    }

    private static ActivateResponse Response(string installationId, string secret) => new()
    {
        Code = ValidationCode.Valid,
        InstallationId = installationId,
        InstallationSecret = secret,
        Token = AgentSandbox.Token(),
        LicenseId = "lic_1",
    };

    private AgentState StateFrom(AgentState? previous, ActivateResponse response, LicenseClaims? claims = null)
    {
        var ctx = _sandbox.Context(error: _error);
        return ActivateCommand.StateFrom(ctx, previous, response, claims ?? AgentSandbox.Claims(), new Uri("https://license.example.test/"),
            AgentSandbox.Product, "1.4.2", AgentSandbox.Salt, TelemetrySetting.Required, AgentSandbox.Jwks);
    }
}
