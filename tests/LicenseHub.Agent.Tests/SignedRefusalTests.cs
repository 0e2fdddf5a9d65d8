using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Tests;

/// <summary>Which refusals may make lh-agent drop its token: only those whose signed status verifies and concerns this request.</summary>
public sealed class SignedRefusalTests : IDisposable
{
    private const string Nonce = "bm9uY2Utb2YtdGhpcy1jaGVjay1pbi1yZXF1ZXN0LTEy";

    private readonly AgentSandbox _sandbox = new();
    private readonly AgentState _state;

    public SignedRefusalTests() => _state = _sandbox.WriteActivatedState();

    public void Dispose() => _sandbox.Dispose();

    private static TrustAnchor Anchor => TrustAnchor.Parse(AgentSandbox.AnchorJson);

    private static SignedStatus Status(string code = "REVOKED", string installation = "ins_1", string? fingerprint = null, string nonce = Nonce,
        DateTimeOffset? issuedAt = null) => new()
    {
        Issuer = "https://license.example.test",
        InstallationId = installation,
        LicenseId = "lic_1",
        Code = code,
        Fingerprint = fingerprint ?? AgentSandbox.Fingerprint,
        Nonce = nonce,
        IssuedAt = issuedAt ?? AgentSandbox.Now,
        ExpiresAt = (issuedAt ?? AgentSandbox.Now) + SignedStatus.Lifetime,
    };

    private static string Signed(SignedStatus status, Ed25519KeyPair? key = null, string kid = AgentSandbox.Kid) =>
        status.Sign(new TokenSigner(kid, key ?? AgentSandbox.ServerKey));

    private StatusVerificationResult Verify(string? status, string code = "REVOKED", JsonWebKeySet? jwks = null, DateTimeOffset? now = null) =>
        SignedRefusal.Verify(status, code, _state, AgentSandbox.Fingerprint, Nonce, Anchor, jwks ?? _state.Jwks, now ?? AgentSandbox.Now);

    [Fact]
    public void Verify_SignedByCertifiedKeyForThisRequest_IsValid()
    {
        var result = Verify(Signed(Status()));

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal("REVOKED", result.Status!.Code);
    }

    [Fact]
    public void Verify_Missing_IsRefusedAsUnsigned()
    {
        Assert.Equal("it carries no signed status", Verify(null).Reason);
        Assert.Equal("it carries no signed status", Verify("").Reason);
        Assert.Contains("without a signed status; treating as offline", SignedRefusal.SetAside("REVOKED", Verify(null), "licensed"));
    }

    [Fact]
    public void Verify_ForgedKeyUnderTheServersKid_IsRefused()
    {
        var forged = Signed(Status(), Ed25519KeyPair.Generate());

        var result = Verify(forged);

        Assert.False(result.IsValid);
        Assert.Contains("signature does not match", result.Reason);
    }

    [Fact]
    public void Verify_OwnKeyAddedToTheCachedKeys_IsRefusedAsNotCertified()
    {
        // Root on this machine, or a server of the end user's own, signs with a key it made and puts next to the vendor's.
        var own = Ed25519KeyPair.Generate();
        var jwks = new JsonWebKeySet { Keys = [.. _state.Jwks!.Keys, own.ToJsonWebKey("own")] };
        var alsoCertifiedByOwnRoot = new JsonWebKeySet { Keys = [AgentSandbox.CertifiedJwk(own, "own2", root: Ed25519KeyPair.Generate())] };

        Assert.Contains("does not certify", Verify(Signed(Status(), own, "own"), jwks: jwks).Reason);
        Assert.False(Verify(Signed(Status(), own, "own2"), jwks: alsoCertifiedByOwnRoot).IsValid);
    }

    [Fact]
    public void Verify_ForAnotherInstallation_IsRefused()
    {
        var result = Verify(Signed(Status(installation: "ins_2")));

        Assert.False(result.IsValid);
        Assert.Contains("another installation", result.Reason);
    }

    [Fact]
    public void Verify_ForAnotherMachine_IsRefused()
    {
        var result = Verify(Signed(Status(fingerprint: new string('0', 64))));

        Assert.False(result.IsValid);
        Assert.Contains("another machine", result.Reason);
    }

    [Fact]
    public void Verify_AnswerToAnotherRequest_IsRefusedAsReplay()
    {
        var result = Verify(Signed(Status(nonce: "b3RoZXItcmVxdWVzdC1ub25jZS1vZi15ZXN0ZXJkYXktMDE")));

        Assert.False(result.IsValid);
        Assert.Contains("replay", result.Reason);
    }

    [Fact]
    public void Verify_Expired_IsRefused()
    {
        var result = Verify(Signed(Status()), now: AgentSandbox.Now.AddMinutes(30));

        Assert.False(result.IsValid);
        Assert.Contains("expired", result.Reason);
    }

    [Fact]
    public void Verify_IssuedInTheFuture_IsRefused()
    {
        Assert.Contains("future", Verify(Signed(Status(issuedAt: AgentSandbox.Now.AddHours(1)))).Reason);
    }

    [Fact]
    public void Verify_ValidityLongerThanAStatusMayHave_IsRefused()
    {
        var lasting = Status() with { ExpiresAt = AgentSandbox.Now.AddYears(1) };

        Assert.Contains("longer than a status may have", Verify(Signed(lasting)).Reason);
    }

    [Fact]
    public void Verify_StatusOfAnotherCode_IsRefused()
    {
        // A signed SUSPENDED cannot stand in for INSTALLATION_RELEASED, which would stop the daemon.
        var result = Verify(Signed(Status(code: "SUSPENDED")), code: "INSTALLATION_RELEASED");

        Assert.False(result.IsValid);
        Assert.Contains("not 'INSTALLATION_RELEASED'", result.Reason);
    }

    [Fact]
    public void Verify_LicenseTokenInsteadOfStatus_IsRefused()
    {
        var result = Verify(AgentSandbox.Token());

        Assert.False(result.IsValid);
        Assert.Contains("lh-status+jwt", result.Reason);
    }
}
