using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>The Debian package of lh-agent: built with dpkg-deb from the published binary, inspected, unpacked, and run.</summary>
public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task DebianPackage_InstallsTheAgentUnitAndTrustAnchor_AndTheInstalledAgentActivatesAndChecks()
    {
        var work = WorkDirectory("deb");
        var trust = work.Combine("trust.json");
        await File.WriteAllTextAsync(trust, fixture.Anchor);
        var script = Path.Combine(BuiltOutputs.RepositoryRoot, "agent", "packaging", "build-deb.sh");

        var notAnAnchor = work.Combine("not-an-anchor.json");
        await File.WriteAllTextAsync(notAnAnchor, "{\"issuer\": \"licensehub\"}");
        var refused = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("bash", work.Path, new Dictionary<string, string>(),
            [script, "--binary", agent.Executable, "--trust", notAnAnchor]), TimeSpan.FromSeconds(60));
        Assert.True(refused.ExitCode == 2, refused.StdOut + refused.StdErr);
        Assert.Contains("is not a trust anchor", refused.StdErr);

        var built = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("bash", work.Path, new Dictionary<string, string>(),
            [script, "--binary", agent.Executable, "--trust", trust, "--out", work.Combine("out")]), TimeSpan.FromSeconds(120));
        Assert.True(built.ExitCode == 0, built.StdOut + built.StdErr);
        var deb = built.StdOut.Trim();
        var version = (await Run("dpkg-deb", "--field", deb, "Version")).Trim();
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        Assert.Equal($"lh-agent_{version}_amd64.deb", Path.GetFileName(deb));
        Assert.Equal("amd64", (await Run("dpkg-deb", "--field", deb, "Architecture")).Trim());
        Assert.Equal("/etc/lh-agent/trust.json", (await ControlFile(deb, "conffiles")).Trim());

        var contents = await Run("dpkg-deb", "--contents", deb);
        foreach (var path in new[] { "./usr/bin/lh-agent", "./lib/systemd/system/lh-agent.service", "./etc/lh-agent/trust.json" })
        {
            Assert.Contains(path, contents);
        }
        Assert.Contains("-rwxr-xr-x root/root", contents.Split('\n').Single(l => l.EndsWith("./usr/bin/lh-agent", StringComparison.Ordinal)));

        var root = work.Combine("root");
        await Run("dpkg-deb", "-x", deb, root);
        var unit = await File.ReadAllTextAsync(Path.Combine(root, "lib", "systemd", "system", "lh-agent.service"));
        Assert.Contains("ExecStart=/usr/bin/lh-agent run", unit);
        Assert.Contains("User=lh-agent", unit);
        Assert.DoesNotContain("DynamicUser=yes", unit);
        Assert.Contains("ProtectSystem=strict", unit);
        Assert.Equal(fixture.Anchor, await File.ReadAllTextAsync(Path.Combine(root, "etc", "lh-agent", "trust.json")));
        var postinst = await ControlFile(deb, "postinst");
        Assert.Contains("adduser --system", postinst);
        Assert.Contains("install -d -m 0700 -o lh-agent -g lh-agent /var/lib/lh-agent", postinst);
        Assert.Contains("rm -rf /var/lib/lh-agent", await ControlFile(deb, "postrm"));

        // The installed binary, with the installed anchor, against the real server.
        var installed = Path.Combine(root, "usr", "bin", "lh-agent");
        var machine = new AgentMachine(installed, "deb").Trust(await File.ReadAllTextAsync(Path.Combine(root, "etc", "lh-agent", "trust.json")));
        _machines.Add(machine);
        Assert.Contains(version, (await machine.SucceedAsync("--version")).StdOut);
        var (_, key) = await fixture.NewLicenseAsync();
        await Activate(machine, key, fixture.Server);
        await machine.SucceedAsync("check");
    }

    private static async Task<string> Run(string executable, params string[] arguments)
    {
        var run = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo(executable, Path.GetTempPath(), new Dictionary<string, string>(), arguments),
            TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"{executable} {string.Join(' ', arguments)} -> {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        return run.StdOut;
    }

    /// <summary>One file of the package's control archive (dpkg-deb --info DEB FILE).</summary>
    private static Task<string> ControlFile(string deb, string name) => Run("dpkg-deb", "--info", deb, name);
}
