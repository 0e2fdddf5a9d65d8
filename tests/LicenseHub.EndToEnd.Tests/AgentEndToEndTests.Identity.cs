using System.Text.Json.Nodes;
using Grpc.Net.Client;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.Tokens;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// Machines made from one image (containers, VM templates: one machine id everywhere) against the real server, and an
/// installation of lh-agent 0.1 that must stay the same installation after the upgrade.
/// </summary>
public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task Activate_TwoStateDirectoriesWithOneMachineId_AreTwoInstallations_AndRunningAgainIsTheSameOne()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var first = Machine("image-1");
        var second = first.SameImage("image-2");
        _machines.Add(second);

        await Activate(first, key, fixture.Server);
        await Activate(second, key, fixture.Server);

        var firstInstallation = (string)first.ReadState()["installation_id"]!;
        var secondInstallation = (string)second.ReadState()["installation_id"]!;
        Assert.NotEqual(firstInstallation, secondInstallation);
        Assert.NotEqual(first.FingerprintFor(key), second.FingerprintFor(key));
        var license = await GetLicenseAsync(fixture.Lhctl, fixture.Flow.ResellerKey, licenseId);
        Assert.Equal(2, license.License.Installations);
        Assert.Equal(
            new[] { first.FingerprintFor(key)[..12], second.FingerprintFor(key)[..12] }.Order(),
            license.Installations.Select(i => i.FingerprintPrefix).Order());

        // A restarted container with its volume: the same installation, whatever runs (check-ins, activating again).
        foreach (var machine in new[] { first, second })
        {
            Assert.Contains("checked in: licensed until ", (await machine.SucceedAsync("run", "--once")).StdErr);
            Assert.Contains("checked in: licensed until ", (await machine.SucceedAsync("run", "--once")).StdErr);
            await machine.SucceedAsync("check");
        }
        await Activate(first, key, fixture.Server);
        Assert.Equal(firstInstallation, (string)first.ReadState()["installation_id"]!);
        await first.SucceedAsync("run", "--once");
        Assert.Equal(2, (await GetLicenseAsync(fixture.Lhctl, fixture.Flow.ResellerKey, licenseId)).License.Installations);
        Assert.DoesNotContain("CLONE SUSPECTED", (await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "show", licenseId)).StdOut);

        // Each is a seat: a third machine of the image is one too many for the plan's two.
        var third = first.SameImage("image-3");
        _machines.Add(third);
        var refused = await third.ExpectAsync(1, "activate", key, "--server", fixture.Server.GrpcUrl, "--product", Product);
        Assert.Contains("TOO_MANY_MACHINES", refused.StdErr);
    }

    [Fact]
    public async Task Upgrade_StateOfAgent01_StaysTheSameInstallationAndSeat()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("upgraded");
        await WriteStateAsAgent01Did(machine, key);
        var installationId = (string)machine.ReadState()["installation_id"]!;

        await machine.SucceedAsync("check");
        Assert.Contains("checked in: licensed until ", (await machine.SucceedAsync("run", "--once")).StdErr);
        await Activate(machine, key, fixture.Server);
        await machine.SucceedAsync("run", "--once");

        var state = machine.ReadState();
        Assert.Equal(installationId, (string)state["installation_id"]!);
        Assert.False(state.ContainsKey("installation_salt"), "An installation of 0.1 keeps the fingerprint of the machine id alone.");
        Assert.False(File.Exists(machine.IdentityFile), "Nothing of 0.1's installation needs an identity.");
        var license = await GetLicenseAsync(fixture.Lhctl, fixture.Flow.ResellerKey, licenseId);
        Assert.Equal(1, license.License.Installations);
        Assert.Equal(machine.LegacyFingerprintFor(key)[..12], Assert.Single(license.Installations).FingerprintPrefix);
    }

    /// <summary>
    /// What lh-agent 0.1 left behind after 'activate': the fingerprint of the machine id alone, and a state file
    /// without an installation salt (made here with the agent's own gRPC calls, as that version made them).
    /// </summary>
    private async Task WriteStateAsAgent01Did(AgentMachine machine, string key)
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.GrpcUrl);
        var client = new AgentService.AgentServiceClient(channel);
        var activated = await client.ActivateAsync(new ActivateRequest
        {
            LicenseKey = key,
            Fingerprint = machine.LegacyFingerprintFor(key),
            ProductVersion = "1.4.2",
            AgentVersion = "0.1.0",
            Product = Product,
            TelemetryLevel = TelemetryLevel.Required,
        });
        Assert.Equal(ValidationCode.Valid, activated.Code);
        var jwks = await client.GetJwksAsync(new GetJwksRequest());
        var now = DateTimeOffset.UtcNow.ToString("O");
        var state = new JsonObject
        {
            ["version"] = 1,
            ["server"] = new Uri(fixture.Server.GrpcUrl).AbsoluteUri,
            ["product"] = Product,
            ["product_version"] = "1.4.2",
            ["installation_id"] = activated.InstallationId,
            ["installation_secret"] = activated.InstallationSecret,
            ["check_in_ticket"] = activated.CheckInTicket,
            ["license_id"] = activated.LicenseId,
            ["salt"] = Base64Url.Encode(AgentMachine.LicenseSalt(key)),
            ["telemetry_level"] = "required",
            ["token"] = activated.Token,
            ["token_type"] = TokenTypes.License,
            ["jwks"] = JsonNode.Parse(jwks.JwksJson),
            ["last_seen"] = now,
            ["activated_at"] = now,
            ["last_check_in"] = now,
            ["last_result"] = "VALID",
        };
        Directory.CreateDirectory(Path.GetDirectoryName(machine.StatePath)!);
        machine.WriteState(state);
    }
}
