using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// A copied installation: two real lh-agent processes on "machines" with one machine id and one copied state file
/// (a cloned VM, a copied disk), checking in alternately; and a check-in whose answer never reached the agent.
/// </summary>
public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task RunOnce_TwoMachinesSharingOneCopiedState_AreBothToldCloneSuspected_AndTheResellerSeesAndResolvesIt()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var original = Machine("clone-original");
        await Activate(original, key, fixture.Server);
        Assert.True(original.ReadState().ContainsKey("check_in_ticket"), "activation stores the ticket for the first check-in");
        var copy = original.CopyTo("clone-copy");
        _machines.Add(copy);

        // First interval: both check in and are licensed (to the server the copy looks like a retry).
        Assert.Contains("checked in: licensed until ", (await original.SucceedAsync("run", "--once")).StdErr);
        Assert.Contains("checked in: licensed until ", (await copy.SucceedAsync("run", "--once")).StdErr);

        // Second interval: noticed, and both are told.
        foreach (var machine in new[] { original, copy })
        {
            var refused = await machine.ExpectAsync(1, "run", "--once");
            Assert.Contains($"not licensed: the license server at {fixture.Server.GrpcUrl} noticed this installation running on more than one machine",
                refused.StdErr);
            Assert.Contains("Ask your reseller to release it or to re-activate it", refused.StdErr);
            var check = await machine.ExpectAsync(1, "check");
            Assert.Contains("the server answered CLONE_SUSPECTED: This installation is in use on more than one machine", check.StdErr);
            var status = await machine.ExpectAsync(1, "status");
            Assert.Contains("(CLONE_SUSPECTED)", status.StdOut);
            Assert.False(machine.ReadState().ContainsKey("token"), "The refused token must be dropped from the state.");
        }

        var shown = await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "show", licenseId);
        Assert.Contains("CLONE SUSPECTED since ", shown.StdOut);
        Assert.Contains($"lhctl license resolve-clone {licenseId} --installation ", shown.StdOut);
        var installationId = original.ReadState()["installation_id"]!.GetValue<string>();

        // The reseller re-activates it: both copies' credential stops working; the genuine machine takes it over with the key.
        var resolved = await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "resolve-clone", licenseId, "--installation", installationId);
        Assert.Contains($"Installation {installationId} is re-activated", resolved.StdOut);
        Assert.Contains("check-in refused", (await copy.ExpectAsync(1, "run", "--once")).StdErr);
        await original.SucceedAsync("activate", key, "--server", fixture.Server.GrpcUrl, "--product", Product);
        Assert.Equal(installationId, original.ReadState()["installation_id"]!.GetValue<string>());
        await original.SucceedAsync("run", "--once");
        await original.SucceedAsync("run", "--once");
        await copy.ExpectAsync(1, "run", "--once");
        Assert.DoesNotContain("CLONE SUSPECTED", (await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "show", licenseId)).StdOut);
    }

    [Fact]
    public async Task RunOnce_AnswerThatNeverReachedTheState_IsNoAlarm()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("dropped-answer");
        await machine.SucceedAsync("activate", key, "--server", fixture.Server.GrpcUrl, "--product", Product);

        // The server answers, but the answer is lost before the agent keeps it: the state is as before the check-in.
        var before = File.ReadAllText(machine.StatePath);
        await machine.SucceedAsync("run", "--once");
        Assert.NotEqual(before, File.ReadAllText(machine.StatePath));
        File.WriteAllText(machine.StatePath, before);

        for (var i = 0; i < 3; i++)
        {
            Assert.Contains("checked in: licensed until ", (await machine.SucceedAsync("run", "--once")).StdErr);
        }
        await machine.SucceedAsync("check");
        Assert.DoesNotContain("CLONE SUSPECTED", (await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "show", licenseId)).StdOut);
    }
}
