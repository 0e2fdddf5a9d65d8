using System.Text.RegularExpressions;
using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// What the real lh-agent says when the server is down, refuses or throttles it; the license key from a
/// file or standard input; plain http:// only to this machine.
/// </summary>
public sealed partial class AgentEndToEndTests
{
    // Words of gRPC and .NET that mean nothing to the person reading lh-agent's messages.
    private static readonly string[] s_jargon = ["subchannel", "StatusCode", "Status(", "RpcException", "gRPC call", "Exception", "   at "];

    [Fact]
    public async Task Activate_ServerDown_NamesUrlAndNextStep()
    {
        var (_, key) = await fixture.NewLicenseAsync();
        var machine = Machine("down");
        var keyFile = KeyFile(machine, key);
        var nowhere = $"http://127.0.0.1:{FreePort.Next()}";

        var activate = await machine.ExpectAsync(3, "activate", "--key-file", keyFile, "--server", nowhere, "--product", Product);

        Assert.Contains($"lh-agent: the license server at {nowhere} is unreachable (connection refused); check --server and that the server runs, then retry",
            activate.StdErr);
        AssertNoJargon(activate.StdErr);

        // The daemon names the server it has stored, and that it will retry by itself only when running as one.
        await Activate(machine, key, fixture.Server);
        var state = machine.ReadState();
        state["server"] = nowhere + "/";
        machine.WriteState(state);
        var checkIn = await machine.ExpectAsync(3, "run", "--once");
        Assert.Contains($"check-in failed: the license server at {nowhere} is unreachable (connection refused); " +
            "check that the server runs and that this machine can reach it, then retry", checkIn.StdErr);
        AssertNoJargon(checkIn.StdErr);
    }

    [Fact]
    public async Task Activate_MoreThanTenFailedAttemptsAMinute_SaysTooManyAttemptsAndWhenToRetry()
    {
        // A server of its own: the attempts below use up this address's failed activations on it.
        var work = WorkDirectory("throttle");
        var server = await ServerProcess.StartAsync(work.Combine("data"));
        await using var _ = server;
        var machine = Machine("throttle").Trust(await server.ExportTrustAnchorAsync());
        var keyFile = KeyFile(machine, "not-a-license-key");

        var invalid = await machine.ExpectAsync(2, "activate", "--key-file", keyFile, "--server", server.GrpcUrl);
        Assert.Contains($"lh-agent: the license server at {server.GrpcUrl} rejected the request: the license key is not a valid license key", invalid.StdErr);
        Assert.Contains("correct the license key and retry", invalid.StdErr);
        AssertNoJargon(invalid.StdErr);

        // Ten failures a minute are allowed (LicenseHub:ActivationFailuresPerMinute); a new minute may start on the way.
        var attempts = 1;
        AgentResult result;
        do
        {
            result = await machine.RunAsync("activate", "--key-file", keyFile, "--server", server.GrpcUrl);
            attempts++;
            Assert.True(result.ExitCode is 2 or 3, result.ToString());
        }
        while (result.ExitCode == 2 && attempts < 40);

        Assert.True(result.ExitCode == 3, $"still not throttled after {attempts} attempts\n{result}");
        Assert.InRange(attempts, 11, 40);
        var throttled = Regex.Match(result.StdErr,
            $@"lh-agent: the license server at {Regex.Escape(server.GrpcUrl)} turned the request away: too many attempts, retry in (?<seconds>\d+) s");
        Assert.True(throttled.Success, result.ToString());
        Assert.InRange(int.Parse(throttled.Groups["seconds"].Value, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.DoesNotContain("unreachable", result.StdErr);
        AssertNoJargon(result.StdErr);
    }

    [Fact]
    public async Task Activate_KeyFromFileOrStandardInput_ActivatesWithoutKeyOnCommandLine()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var fromFile = Machine("key-file");
        var fromInput = Machine("key-stdin");

        var viaFile = await fromFile.SucceedAsync("activate", "--key-file", KeyFile(fromFile, key), "--server", fixture.Server.GrpcUrl, "--product", Product);
        var viaInput = await fromInput.ExpectWithInputAsync(0, $"  {key}\n", "activate", "-", "--server", fixture.Server.GrpcUrl, "--product", Product);

        foreach (var (machine, result) in new[] { (fromFile, viaFile), (fromInput, viaInput) })
        {
            Assert.Contains($"activated: license {licenseId}, installation ", result.StdOut);
            Assert.DoesNotContain(key, string.Join(' ', result.Arguments));
            Assert.StartsWith($"licensed: product {Product}, license {licenseId}", (await machine.SucceedAsync("check")).StdOut);
            // The fingerprint is the one the key defines: the key was read whole and trimmed.
            Assert.Equal(machine.FingerprintFor(key), await FingerprintShownAsync(machine));
        }
    }

    [Fact]
    public async Task Activate_PlainHttpOffThisMachine_RefusedUnlessAllowedAtActivation()
    {
        var (_, key) = await fixture.NewLicenseAsync();
        var machine = Machine("insecure");
        var keyFile = KeyFile(machine, key);
        // Off this machine, and .invalid never resolves (RFC 6761): no key can leave the machine here.
        const string remote = "http://license.invalid:5080";

        var refused = await machine.ExpectAsync(2, "activate", "--key-file", keyFile, "--server", remote, "--product", Product);
        Assert.Contains($"refusing plain http:// to the license server at {remote}", refused.StdErr);
        Assert.Contains("the license key and the installation secret would cross the network in clear", refused.StdErr);
        Assert.Contains("use https://", refused.StdErr);
        Assert.False(File.Exists(machine.StatePath));

        // Given at activation, the permission is stored for the daemon and 'forget'.
        await machine.SucceedAsync("activate", "--key-file", keyFile, "--server", fixture.Server.GrpcUrl, "--product", Product, "--allow-insecure-transport");
        Assert.True((bool?)machine.ReadState()["allow_insecure_transport"]);
        await machine.SucceedAsync("run", "--once");
        var state = machine.ReadState();
        state["server"] = remote + "/";
        machine.WriteState(state);
        var tried = await machine.ExpectAsync(3, "run", "--once");
        Assert.Contains($"check-in failed: the license server at {remote} is unreachable (", tried.StdErr);

        // Without it, the stored plain http:// server is refused before any connection.
        state.Remove("allow_insecure_transport");
        machine.WriteState(state);
        var daemon = await machine.ExpectAsync(2, "run", "--once");
        Assert.Contains($"refusing plain http:// to the license server at {remote}", daemon.StdErr);
        Assert.Contains("activate again with an https:// URL", daemon.StdErr);
        await machine.ExpectAsync(2, "forget");
        Assert.True(File.Exists(machine.StatePath));

        // Loopback needs no permission: the installation is forgotten on the server.
        state["server"] = fixture.Server.GrpcUrl + "/";
        machine.WriteState(state);
        Assert.Contains(" deleted on the server", (await machine.SucceedAsync("forget")).StdOut);
    }

    private static string KeyFile(AgentMachine machine, string key)
    {
        var path = Path.Combine(machine.Directory, "license.key");
        File.WriteAllText(path, key + "\n");
        return path;
    }

    /// <summary>The fingerprint the next check-in sends, as 'telemetry show' prints it.</summary>
    private static async Task<string> FingerprintShownAsync(AgentMachine machine)
    {
        var shown = await machine.SucceedAsync("telemetry", "show");
        return Regex.Match(shown.StdOut, "\"fingerprint\": \"(?<f>[0-9a-f]{64})\"").Groups["f"].Value;
    }

    private static void AssertNoJargon(string message)
    {
        foreach (var word in s_jargon)
        {
            Assert.False(message.Contains(word, StringComparison.Ordinal), $"'{word}' in: {message}");
        }
    }
}
