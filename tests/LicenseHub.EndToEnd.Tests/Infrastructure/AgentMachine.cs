using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>What one lh-agent run printed and how it ended.</summary>
public sealed record AgentResult(IReadOnlyList<string> Arguments, int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() =>
        $"lh-agent {string.Join(' ', Arguments)} -> exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// One end-user machine running the real lh-agent binary: a machine id of its own (a random
/// /etc/machine-id lookalike) and a state file of its own, passed through LH_AGENT_MACHINE_ID_FILE and
/// LH_AGENT_STATE as the README documents.
/// </summary>
public sealed class AgentMachine : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _executable;
    private readonly IReadOnlyList<string> _launcher;
    private readonly TempDirectory _root;
    private readonly List<AgentResult> _history = [];

    /// <param name="launcher">What runs <paramref name="executable"/>, before its path (e.g. qemu-aarch64 for an AArch64 binary); none by default.</param>
    public AgentMachine(string executable, string name, IReadOnlyList<string>? launcher = null)
        : this(executable, name, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), launcher ?? [])
    {
    }

    private AgentMachine(string executable, string name, string machineId, IReadOnlyList<string> launcher)
    {
        _executable = executable;
        _launcher = launcher;
        _root = new TempDirectory("agent-" + name);
        MachineId = machineId;
        File.WriteAllText(MachineIdFile, MachineId + "\n");
    }

    /// <summary>
    /// A second machine running a copy of this one's disk, as a cloned VM would: the same machine id, and copies of
    /// the state file, its identity, the license file and the trust anchor as they are now.
    /// </summary>
    public AgentMachine CopyTo(string name)
    {
        var copy = new AgentMachine(_executable, name, MachineId, _launcher);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(copy.StatePath)!);
        foreach (var (from, to) in new[] { (StatePath, copy.StatePath), (IdentityFile, copy.IdentityFile), (LicenseFile, copy.LicenseFile), (TrustFile, copy.TrustFile) })
        {
            if (File.Exists(from))
            {
                File.Copy(from, to);
            }
        }
        return copy;
    }

    /// <summary>
    /// Another machine made from the same image as this one: the same machine id (a container image, a VM template
    /// whose /etc/machine-id was not reset), with a state directory of its own (a fresh volume) and the same trust anchor.
    /// </summary>
    public AgentMachine SameImage(string name)
    {
        var sibling = new AgentMachine(_executable, name, MachineId, _launcher);
        if (File.Exists(TrustFile))
        {
            File.Copy(TrustFile, sibling.TrustFile);
        }
        return sibling;
    }

    /// <summary>The installation identity lh-agent keeps next to the state file (64 hex characters, 0600).</summary>
    public string IdentityFile => StatePath + ".identity";

    /// <summary>32 lower-case hex characters, like /etc/machine-id.</summary>
    public string MachineId { get; }

    public string MachineIdFile => _root.Combine("machine-id");

    public string StatePath => _root.Combine(Path.Combine("state", "state.json"));

    public string Directory => _root.Path;

    /// <summary>The vendor's trust anchor on this machine, passed as LH_AGENT_TRUST (the README's /etc/lh-agent/trust.json).</summary>
    public string TrustFile => _root.Combine("trust.json");

    /// <summary>The license file the agent keeps for the product (license.json next to the state file).</summary>
    public string LicenseFile => _root.Combine(Path.Combine("state", "license.json"));

    /// <summary>Installs the vendor's trust anchor, as <c>licensehub trust export</c> printed it.</summary>
    public AgentMachine Trust(string anchorJson)
    {
        File.WriteAllText(TrustFile, anchorJson);
        return this;
    }

    /// <summary>Every run so far, to check later what the agent printed.</summary>
    public IReadOnlyList<AgentResult> History => _history;

    /// <summary>
    /// The fingerprint the README defines, computed independently of the agent's code: keyed by the installation salt,
    /// which mixes the license's salt with this state's identity (so it exists once lh-agent activated or requested).
    /// </summary>
    public string FingerprintFor(string licenseKey)
    {
        var identity = Convert.FromHexString(File.ReadAllText(IdentityFile).Trim());
        var installationSalt = HMACSHA256.HashData(identity, (byte[])[.. "licensehub-installation-salt-v2:"u8, .. LicenseSalt(licenseKey)]);
        return Convert.ToHexStringLower(HMACSHA256.HashData(installationSalt, Encoding.UTF8.GetBytes(MachineId)));
    }

    /// <summary>The fingerprint of lh-agent 0.1, keyed by the license's salt alone, which its installations keep.</summary>
    public string LegacyFingerprintFor(string licenseKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(LicenseSalt(licenseKey), Encoding.UTF8.GetBytes(MachineId)));

    public static byte[] LicenseSalt(string licenseKey) =>
        SHA256.HashData(Encoding.UTF8.GetBytes("licensehub-fingerprint-v1:" + licenseKey.Trim().ToUpperInvariant()));

    public Task<AgentResult> RunAsync(params string[] arguments) => RunCoreAsync(null, arguments);

    /// <summary>Runs with <paramref name="input"/> on standard input, e.g. a license key given as '-'.</summary>
    public Task<AgentResult> RunWithInputAsync(string input, params string[] arguments) => RunCoreAsync(input, arguments);

    private async Task<AgentResult> RunCoreAsync(string? input, string[] arguments)
    {
        var info = StartInfo(arguments);
        var run = await ChildProcess.RunAsync(info, Timeout, input);
        if (run.TimedOut)
        {
            throw new TimeoutException($"lh-agent {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
        }
        var result = new AgentResult(arguments, run.ExitCode, run.StdOut, run.StdErr);
        _history.Add(result);
        return result;
    }

    /// <summary>Starts <c>lh-agent run</c> (the daemon) with <paramref name="arguments"/>; the caller stops it.</summary>
    public System.Diagnostics.Process StartDaemon(params string[] arguments) =>
        System.Diagnostics.Process.Start(StartInfo(["run", .. arguments]))!;

    private System.Diagnostics.ProcessStartInfo StartInfo(IEnumerable<string> arguments) => _launcher.Count == 0
        ? ChildProcess.ExecutableStartInfo(_executable, _root.Path, AgentEnvironment(), arguments)
        : ChildProcess.ExecutableStartInfo(_launcher[0], _root.Path, AgentEnvironment(), [.. _launcher.Skip(1), _executable, .. arguments]);

    private Dictionary<string, string> AgentEnvironment() => new()
    {
        ["LH_AGENT_STATE"] = StatePath,
        ["LH_AGENT_MACHINE_ID_FILE"] = MachineIdFile,
        ["LH_AGENT_TRUST"] = TrustFile,
    };

    /// <summary>Runs and requires the given exit code, showing everything the agent printed when it differs.</summary>
    public async Task<AgentResult> ExpectAsync(int exitCode, params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}\n{result}");
        return result;
    }

    public Task<AgentResult> SucceedAsync(params string[] arguments) => ExpectAsync(0, arguments);

    /// <summary>Like <see cref="ExpectAsync"/>, with <paramref name="input"/> on standard input.</summary>
    public async Task<AgentResult> ExpectWithInputAsync(int exitCode, string input, params string[] arguments)
    {
        var result = await RunWithInputAsync(input, arguments);
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}\n{result}");
        return result;
    }

    /// <summary><c>lh-agent status --json</c> (of another state file, if given), whatever its exit code.</summary>
    public async Task<JsonElement> StatusAsync(string? statePath = null)
    {
        var result = statePath is null ? await RunAsync("status", "--json") : await RunAsync("--state", statePath, "status", "--json");
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        using var document = JsonDocument.Parse(result.StdOut);
        return document.RootElement.Clone();
    }

    public JsonObject ReadState() => JsonNode.Parse(File.ReadAllText(StatePath))!.AsObject();

    /// <summary>Replaces the state file's content in place (its 0600 mode stays).</summary>
    public void WriteState(JsonObject state) =>
        File.WriteAllText(StatePath, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public void Dispose() => _root.Dispose();
}
