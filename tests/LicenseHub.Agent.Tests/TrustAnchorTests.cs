using System.Text.Json.Nodes;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Tests;

/// <summary>
/// The agent trusts only signing keys its pinned anchor certifies: every way root could hand it keys of its own
/// (the state file, an import, a server of its own) is refused, and without an anchor it refuses to license at all.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TrustAnchorTests : IDisposable
{
    private static readonly Ed25519KeyPair OwnKey = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)77, 32).ToArray());
    private static readonly Ed25519KeyPair OwnRoot = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)78, 32).ToArray());

    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Check_WithoutAnAnchor_RefusesWithExitFourAndSaysWhereToGetOne()
    {
        _sandbox.WriteActivatedState();
        File.Delete(_sandbox.TrustPath);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(4, exit);
        Assert.Contains("no trust anchor", error);
        Assert.Contains("licensehub trust export", error);
        Assert.Contains("/etc/lh-agent/trust.json", error);
    }

    [Fact]
    public void Activate_WithoutAnAnchor_RefusesBeforeContactingTheServer()
    {
        File.Delete(_sandbox.TrustPath);

        // An address nothing listens on: reaching it would fail with exit 3, not 4.
        var (exit, _, error) = _sandbox.RunWithInput("LH-AAAAA-BBBBB\n", "activate", "-", "--server", "http://127.0.0.1:9");

        Assert.Equal(4, exit);
        Assert.Contains("no trust anchor", error);
    }

    [Fact]
    public void Check_AnchorThatIsNotAJwks_ExitsFour()
    {
        _sandbox.WriteActivatedState();
        File.WriteAllText(_sandbox.TrustPath, """{"keys":[]}""");

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(4, exit);
        Assert.Contains("not usable", error);
    }

    [Fact]
    public void Check_OwnKeyAndOwnJwksWrittenIntoTheState_IsNotLicensed()
    {
        // The forgery tried on the first version: sign a token with one's own key and put its JWKS in state.json.
        var state = _sandbox.WriteActivatedState(AgentSandbox.Token(AgentSandbox.Claims() with { ExpiresAt = AgentSandbox.Now.AddYears(10) }, key: OwnKey));
        state.Jwks = new JsonWebKeySet { Keys = [OwnKey.ToJsonWebKey(AgentSandbox.Kid)] };
        _sandbox.Store.Save(state);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("not certified by the trust anchor", error);
    }

    [Fact]
    public void Check_OwnKeyCertifiedByOwnRoot_IsNotLicensed()
    {
        var state = _sandbox.WriteActivatedState(AgentSandbox.Token(key: OwnKey));
        state.Jwks = new JsonWebKeySet { Keys = [AgentSandbox.CertifiedJwk(OwnKey, AgentSandbox.Kid, OwnRoot)] };
        _sandbox.Store.Save(state);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("does not match root key", error);
    }

    [Fact]
    public void Check_GenuineCertificateCopiedOntoOwnKey_IsNotLicensed()
    {
        var state = _sandbox.WriteActivatedState(AgentSandbox.Token(key: OwnKey));
        var forged = OwnKey.ToJsonWebKey(AgentSandbox.Kid);
        forged.Lhc = AgentSandbox.Jwks.Keys[0].Lhc;
        state.Jwks = new JsonWebKeySet { Keys = [forged] };
        _sandbox.Store.Save(state);

        var (exit, _, error) = _sandbox.Run("check");

        Assert.Equal(1, exit);
        Assert.Contains("for another key", error);
    }

    [Fact]
    public void Check_RevokedLicenseRevivedByAnOldTokenAndOwnKeys_IsNotLicensed()
    {
        // The server answered REVOKED and the token was dropped; root writes a token of its own back.
        var state = _sandbox.WriteActivatedState();
        state.Token = AgentSandbox.Token(key: OwnKey);
        state.Jwks = new JsonWebKeySet { Keys = [.. AgentSandbox.Jwks.Keys, OwnKey.ToJsonWebKey("k-mine")] };
        _sandbox.Store.Save(state);

        Assert.Equal(1, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public void Import_OfflineLicenseSignedWithOwnKeyAndOwnJwks_IsRefused()
    {
        var jwks = Path.Combine(_sandbox.Root, "mine.jwks");
        File.WriteAllText(jwks, new JsonWebKeySet { Keys = [OwnKey.ToJsonWebKey(AgentSandbox.Kid)] }.ToJson());
        var file = Path.Combine(_sandbox.Root, "forged.jws");
        File.WriteAllText(file, AgentSandbox.Token(AgentSandbox.Claims() with { ExpiresAt = AgentSandbox.Now.AddYears(10) }, TokenTypes.OfflineLicense, OwnKey));

        var (exit, _, error) = _sandbox.RunWithInput(AgentSandbox.LicenseKey + "\n", "import", file, "--jwks", jwks, "--key", "-");

        Assert.Equal(1, exit);
        Assert.Contains("not certified", error);
        Assert.False(File.Exists(_sandbox.StatePath) && _sandbox.Store.Load()?.Token is not null);
        Assert.NotEqual(0, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public void Import_GenuineOfflineLicenseWithCertifiedKeys_IsLicensed()
    {
        var jwks = Path.Combine(_sandbox.Root, "vendor.jwks");
        File.WriteAllText(jwks, AgentSandbox.Jwks.ToJson());
        var file = Path.Combine(_sandbox.Root, "genuine.jws");
        File.WriteAllText(file, AgentSandbox.Token(type: TokenTypes.OfflineLicense));

        var (exit, _, error) = _sandbox.RunWithInput(AgentSandbox.LicenseKey + "\n", "import", file, "--jwks", jwks, "--key", "-");

        Assert.True(exit == 0, error);
        Assert.Equal(0, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public void LicenseFile_FollowsTheState_GroupReadable_WithoutTheInstallationSecret()
    {
        _sandbox.WriteActivatedState();

        var text = File.ReadAllText(_sandbox.LicenseFilePath);
        var file = LicenseFile.Parse(text);
        Assert.Equal(AgentSandbox.Token(), file.Token);
        Assert.NotNull(file.Jwks!.Keys[0].Lhc);
        Assert.DoesNotContain("s3cr3t-installation-credential", text);
        Assert.DoesNotContain(AgentSandbox.MachineId, text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(_sandbox.LicenseFilePath));
        // What a product does with it: the anchor verifies it, bound to this machine.
        var verdict = TrustAnchor.Parse(AgentSandbox.AnchorJson).Verify(file, AgentSandbox.Now, AgentSandbox.Product, AgentSandbox.MachineId);
        Assert.True(verdict.IsValid, verdict.Reason);
    }

    [Fact]
    public void LicenseFile_AfterARefusal_HoldsNoTokenAndSaysWhy()
    {
        var state = _sandbox.WriteActivatedState();
        state.Token = null;
        state.LastResult = "REVOKED";
        _sandbox.Store.Save(state);

        var file = LicenseFile.Parse(File.ReadAllText(_sandbox.LicenseFilePath));

        Assert.Null(file.Token);
        Assert.Equal("REVOKED", file.Status);
        Assert.Equal(TokenStatus.NoToken, TrustAnchor.Parse(AgentSandbox.AnchorJson).Verify(file, AgentSandbox.Now, AgentSandbox.Product, null).Status);
    }

    [Fact]
    public void Token_PrintsTheLicenseFile()
    {
        _sandbox.WriteActivatedState();

        var (exit, output, _) = _sandbox.Run("token");

        Assert.Equal(0, exit);
        var printed = JsonNode.Parse(output)!;
        Assert.Equal("lh-license/1", (string?)printed["format"]);
        Assert.Equal(AgentSandbox.Token(), (string?)printed["token"]);
        Assert.DoesNotContain("s3cr3t", output);
    }

    [Fact]
    public void LicenseGroup_IsGivenToTheLicenseFile()
    {
        // A group the file would not get by itself when run as root (nogroup, 65534); otherwise this process's own group,
        // the only one every user may give its files to.
        var own = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Gid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        var gid = Environment.IsPrivilegedProcess ? "65534" : own;
        var (exit, _, error) = RunWithGroup(gid);

        Assert.True(exit == 0, error);
        var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%g", _sandbox.LicenseFilePath]) { RedirectStandardOutput = true })!;
        Assert.Equal(gid, stat.StandardOutput.ReadToEnd().Trim());
        var (missing, _, missingError) = RunWithGroup("no-such-group-here");
        Assert.Equal(4, missing);
        Assert.Contains("no-such-group-here", missingError);
    }

    private (int, string, string) RunWithGroup(string group)
    {
        _sandbox.WriteActivatedState();
        File.Delete(_sandbox.LicenseFilePath);
        return _sandbox.Run("telemetry", "set", "basic", "--license-group", group);
    }
}
