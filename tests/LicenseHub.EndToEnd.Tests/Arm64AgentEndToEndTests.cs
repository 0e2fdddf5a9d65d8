using System.Diagnostics;
using Google.Protobuf;
using LicenseHub.V1;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// lh-agent for linux-arm64: Native AOT cross-compiled on this x86-64 machine (clang with Debian's AArch64 cross
/// toolchain and C library) and run under qemu-user against the real server on loopback: the publish itself, the
/// activate → check → run --once flow and a signed revocation, and its Debian package.
/// </summary>
[Collection(Arm64AgentCollection.Name)]
public sealed class Arm64AgentEndToEndTests(Arm64AgentBinaryFixture agent, AgentServerFixture fixture, ITestOutputHelper output)
    : IClassFixture<AgentServerFixture>, IDisposable
{
    private const string Product = "panel";
    private const ushort ElfMachineAArch64 = 183;

    private readonly List<AgentMachine> _machines = [];
    private readonly List<TempDirectory> _directories = [];

    [Fact]
    public async Task Publish_LinuxArm64_AArch64ExecutableWithoutWarnings_UnderTheSizeTarget_RunsUnderQemu()
    {
        output.WriteLine($"lh-agent linux-arm64: {agent.SizeBytes / (1024.0 * 1024.0):F1} MiB, published in {agent.PublishDuration.TotalSeconds:F1} s");
        Assert.DoesNotMatch(@": warning [A-Z]+[0-9]+", agent.PublishLog);
        Assert.InRange(agent.SizeBytes, 1, 25L * 1024 * 1024);
        Assert.Equal(ElfMachineAArch64, await ElfMachineAsync(agent.Executable));

        var machine = Machine("arm64-version");
        Assert.Equal("0.1.0", (await machine.SucceedAsync("--version")).StdOut.Trim());
    }

    [Fact]
    public async Task ActivateCheckRunOnce_UnderQemu_LicensedThenSignedRevocationDropsTheToken()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("arm64-flow");

        var activated = await Activate(machine, key, fixture.Server);
        Assert.Contains($"activated: license {licenseId}, installation ", activated.StdOut);
        var clock = Stopwatch.StartNew();
        var check = await machine.SucceedAsync("check");
        output.WriteLine($"cold 'check' under qemu-aarch64: {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.StartsWith($"licensed: product {Product}, license {licenseId}", check.StdOut);
        Assert.Contains("checked in: licensed until ", (await machine.SucceedAsync("run", "--once")).StdErr);
        var status = await machine.StatusAsync();
        Assert.True(status.GetProperty("licensed").GetBoolean());

        // The identity and the fingerprint the arm64 binary computed are the README's, as on x86-64.
        var license = JsonParser.Default.Parse<GetLicenseResponse>(
            (await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "get", licenseId, "--json")).StdOut);
        Assert.Equal(machine.FingerprintFor(key)[..12], Assert.Single(license.Installations).FingerprintPrefix);

        await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "revoke", licenseId, "--yes");
        var refused = await machine.ExpectAsync(1, "run", "--once");
        Assert.Contains("not licensed: the server answered REVOKED", refused.StdErr);
        Assert.Contains("the server answered REVOKED", (await machine.ExpectAsync(1, "check")).StdErr);
        Assert.False(machine.ReadState().ContainsKey("token"), "The signed revocation must drop the token.");
    }

    [Fact]
    public async Task DebianPackage_Arm64_BuiltFromTheCrossCompiledBinary_InstalledAgentActivatesAndChecksUnderQemu()
    {
        var work = WorkDirectory("arm64-deb");
        var trust = work.Combine("trust.json");
        await File.WriteAllTextAsync(trust, fixture.Anchor);
        var script = Path.Combine(BuiltOutputs.RepositoryRoot, "agent", "packaging", "build-deb.sh");

        // No --version: the script runs the AArch64 binary under qemu-aarch64 to ask it.
        var built = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("bash", work.Path, new Dictionary<string, string>(),
            [script, "--binary", agent.Executable, "--trust", trust, "--out", work.Combine("out")]), TimeSpan.FromSeconds(120));
        Assert.True(built.ExitCode == 0, built.StdOut + built.StdErr);
        var deb = built.StdOut.Trim();
        Assert.Equal("lh-agent_0.1.0_arm64.deb", Path.GetFileName(deb));
        Assert.Equal("arm64", (await Run("dpkg-deb", "--field", deb, "Architecture")).Trim());
        Assert.Equal("libc6, libssl3 | libssl3t64", (await Run("dpkg-deb", "--field", deb, "Depends")).Trim());

        var root = work.Combine("root");
        await Run("dpkg-deb", "-x", deb, root);
        var installed = Path.Combine(root, "usr", "bin", "lh-agent");
        Assert.Equal(ElfMachineAArch64, await ElfMachineAsync(installed));
        var machine = new AgentMachine(installed, "arm64-deb", agent.Launcher).Trust(await File.ReadAllTextAsync(Path.Combine(root, "etc", "lh-agent", "trust.json")));
        _machines.Add(machine);
        var (_, key) = await fixture.NewLicenseAsync();
        await Activate(machine, key, fixture.Server);
        Assert.StartsWith($"licensed: product {Product}", (await machine.SucceedAsync("check")).StdOut);
    }

    public void Dispose()
    {
        foreach (var machine in _machines)
        {
            machine.Dispose();
        }
        foreach (var directory in _directories)
        {
            directory.Dispose();
        }
    }

    /// <summary>The ELF header's e_machine (bytes 18-19, little-endian).</summary>
    private static async Task<ushort> ElfMachineAsync(string path)
    {
        var header = new byte[20];
        await using (var file = File.OpenRead(path))
        {
            await file.ReadExactlyAsync(header);
        }
        Assert.Equal("\u007fELF"u8.ToArray(), header[..4]);
        return BitConverter.ToUInt16(header, 18);
    }

    private AgentMachine Machine(string name)
    {
        var machine = agent.Machine(name).Trust(fixture.Anchor);
        _machines.Add(machine);
        return machine;
    }

    private TempDirectory WorkDirectory(string purpose)
    {
        var directory = new TempDirectory("agent-" + purpose);
        _directories.Add(directory);
        return directory;
    }

    private static async Task<AgentResult> Activate(AgentMachine machine, string key, ServerProcess server)
    {
        var result = await machine.SucceedAsync("activate", key, "--server", server.GrpcUrl, "--product", Product, "--product-version", "1.4.2");
        Assert.Contains("telemetry level ", result.StdOut);
        return result;
    }

    private static async Task<string> Run(string executable, params string[] arguments)
    {
        var run = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo(executable, Path.GetTempPath(), new Dictionary<string, string>(), arguments),
            TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"{executable} {string.Join(' ', arguments)} -> {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        return run.StdOut;
    }
}
