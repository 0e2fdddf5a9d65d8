using System.Text.Json.Nodes;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.Tokens;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>The root of trust with the real binary: what only the vendor's server can make, and a root rotation.</summary>
public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task Activate_AgainstALicenseServerOfOnesOwn_IsRefusedAndGivesItsSeatBack()
    {
        // Anyone can run a LicenseHub server and sell themselves any product: its keys are not the vendor's.
        var work = WorkDirectory("own-server");
        await using var own = await ServerProcess.StartAsync(work.Combine("data"));
        var lhctl = new Lhctl(own.GrpcUrl, work.Path);
        var flow = await NewcomerFlow.RunAsync(lhctl, own, work.Path, Product);
        var machine = Machine("own-server");

        var refused = await machine.ExpectAsync(1, "activate", flow.LicenseKeys[0], "--server", own.GrpcUrl, "--product", Product);

        Assert.Contains("does not certify", refused.StdErr);
        Assert.Contains("trust anchor", refused.StdErr);
        await machine.ExpectAsync(1, "check");
        Assert.False(File.Exists(machine.StatePath) && machine.ReadState().ContainsKey("token"));
        var licenseId = File.ReadAllLines(flow.CsvPath)[1].Split(',')[0];
        Assert.Empty((await GetLicenseAsync(lhctl, flow.ResellerKey, licenseId)).Installations);
    }

    [Fact]
    public async Task Activate_WithoutAnAnchor_RefusesWithExitFourAndNamesTheCommand()
    {
        var (_, key) = await fixture.NewLicenseAsync();
        var machine = Machine("no-anchor");
        File.Delete(machine.TrustFile);

        var refused = await machine.ExpectAsync(4, "activate", key, "--server", fixture.Server.GrpcUrl, "--product", Product);

        Assert.Contains("no trust anchor", refused.StdErr);
        Assert.Contains("licensehub trust export", refused.StdErr);
    }

    [Fact]
    public async Task StateEditedWithOwnKeys_AfterRevoke_StaysUnlicensed()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("revive");
        await Activate(machine, key, fixture.Server);
        await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "revoke", licenseId, "--yes");
        await machine.ExpectAsync(1, "run", "--once");

        // Root signs a token of its own for ten years and puts its key set next to the vendor's.
        var own = Ed25519KeyPair.Generate();
        var claims = new LicenseClaims
        {
            Issuer = "licensehub", LicenseId = licenseId, Product = Product, Plan = "pro-1y", Edition = "enterprise",
            Fingerprint = machine.FingerprintFor(key), IssuedAt = DateTimeOffset.UtcNow, NotBefore = DateTimeOffset.UtcNow,
            ExpiresAt = DateTimeOffset.UtcNow.AddYears(10), OfflineGraceSeconds = 0,
        };
        var state = machine.ReadState();
        state["token"] = new TokenSigner("lh-mine", own).Sign(claims);
        var keys = state["jwks"]!["keys"]!.AsArray();
        keys.Add(JsonNode.Parse(own.ToJsonWebKey("lh-mine").ToString()));
        machine.WriteState(state);

        var check = await machine.ExpectAsync(1, "check");

        Assert.Contains("not certified by the trust anchor", check.StdErr);
    }

    [Fact]
    public async Task RootRotation_AgentsWithTheTwoRootAnchorStayLicensed_TheOldAnchorNoLonger()
    {
        var work = WorkDirectory("root-rotation");
        await using var server = await ServerProcess.StartAsync(work.Combine("data"),
            new Dictionary<string, string> { ["LicenseHub__SigningKeyRefresh"] = "00:00:01" });
        var lhctl = new Lhctl(server.GrpcUrl, work.Path);
        var flow = await NewcomerFlow.RunAsync(lhctl, server, work.Path, Product);
        var oldAnchor = await server.ExportTrustAnchorAsync();
        var current = Machine("rotation-current").Trust(oldAnchor);
        var stale = Machine("rotation-stale").Trust(oldAnchor);
        await Activate(current, flow.LicenseKeys[0], server);
        await Activate(stale, flow.LicenseKeys[1], server);

        var begin = await server.RunCommandAsync("trust", "rotate-root", "--begin");
        Assert.True(begin.ExitCode == 0, begin.StdErr);
        var bothRoots = await server.ExportTrustAnchorAsync();
        Assert.Equal(2, JsonWebKeySet.Parse(bothRoots).Keys.Count);
        current.Trust(bothRoots);
        await current.SucceedAsync("run", "--once");
        await current.SucceedAsync("check");

        var finish = await server.RunCommandAsync("trust", "rotate-root", "--finish");
        Assert.True(finish.ExitCode == 0, finish.StdErr);
        var newRoot = Assert.Single(JsonWebKeySet.Parse(await server.ExportTrustAnchorAsync()).Keys);
        Assert.Contains(newRoot.Kid, bothRoots);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        // The anchor with both roots: the keys now certified by the new root verify, and the state caches them.
        Assert.Contains("checked in: licensed until ", (await current.SucceedAsync("run", "--once")).StdErr);
        await current.SucceedAsync("check");
        var certificate = (string?)current.ReadState()["jwks"]!["keys"]![0]!["lhc"];
        Assert.Contains(newRoot.Kid, System.Text.Encoding.UTF8.GetString(Base64Url.Decode(certificate!.Split('.')[0])));

        // Only the old root: what the server signs now is no longer certified for this machine.
        var refused = await stale.ExpectAsync(3, "run", "--once");
        Assert.Contains("does not verify", refused.StdErr);
    }

    [Fact]
    public async Task Token_PrintsTheLicenseFileTheProductVerifies()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("token");
        await Activate(machine, key, fixture.Server);

        var printed = await machine.SucceedAsync("token");

        var file = LicenseFile.Parse(printed.StdOut);
        Assert.Equal(LicenseFile.Parse(await File.ReadAllTextAsync(machine.LicenseFile)).Token, file.Token);
        Assert.DoesNotContain((string)machine.ReadState()["installation_secret"]!, printed.StdOut);
        var verdict = TrustAnchor.Parse(fixture.Anchor).Verify(file, DateTimeOffset.UtcNow, Product, machine.MachineId);
        Assert.True(verdict.IsValid, verdict.Reason);
        Assert.Equal(licenseId, verdict.Claims!.LicenseId);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(machine.LicenseFile));
        }
    }
}

/// <summary>A root the vendor keeps off the server: adopted, then the only thing that can certify a signing key.</summary>
public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task OfflineRoot_AdoptedWithAnOfflineCertifiedKey_LicensesAgents_AndTheServerCannotMakeKeysItself()
    {
        var work = WorkDirectory("offline-root");
        await using var server = await ServerProcess.StartAsync(work.Combine("data"),
            new Dictionary<string, string> { ["LicenseHub__SigningKeyRefresh"] = "00:00:01" });
        var lhctl = new Lhctl(server.GrpcUrl, work.Path);
        var flow = await NewcomerFlow.RunAsync(lhctl, server, work.Path, Product);
        var rootFile = work.Combine("root.key");
        var keyFile = work.Combine("signing.key");
        var offlineAnchor = work.Combine("offline-anchor.json");

        // On the vendor's offline machine: no database, only files.
        var init = await server.RunCommandAsync("trust", "offline-root", "init", "--out", rootFile);
        Assert.True(init.ExitCode == 0, init.StdErr);
        await File.WriteAllTextAsync(offlineAnchor, init.StdOut);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rootFile));
        }
        Assert.True((await server.RunCommandAsync("trust", "adopt-root", "--anchor", offlineAnchor)).ExitCode == 0);
        var bothRoots = await server.ExportTrustAnchorAsync();
        var machine = Machine("offline-root").Trust(bothRoots);
        await Activate(machine, flow.LicenseKeys[0], server);

        var refused = await server.RunCommandAsync("trust", "rotate-root", "--finish");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--signing-key", refused.StdErr);
        Assert.True((await server.RunCommandAsync("trust", "offline-root", "issue-signing-key", "--root-key", rootFile, "--out", keyFile)).ExitCode == 0);
        var finish = await server.RunCommandAsync("trust", "rotate-root", "--finish", "--signing-key", keyFile);
        Assert.True(finish.ExitCode == 0, finish.StdErr);
        Assert.Equal(init.StdOut.Trim(), (await server.ExportTrustAnchorAsync()).Trim());
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        // The token now comes from the key certified offline; an agent pinned to the offline root alone accepts it.
        machine.Trust(init.StdOut);
        Assert.Contains("checked in: licensed until ", (await machine.SucceedAsync("run", "--once")).StdErr);
        await machine.SucceedAsync("check");

        var rotate = await lhctl.RunAsync(null, "--api-key-file", server.VendorKeyFile, "signing-key", "rotate");
        Assert.Equal(1, rotate.ExitCode);
        Assert.Contains("kept off this server", rotate.StdErr);
    }
}
