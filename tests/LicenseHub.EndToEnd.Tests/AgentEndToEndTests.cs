using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.V1;
using Xunit.Abstractions;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// A server for the agent tests that leave it running: the quick start, plus more licenses in its pool so
/// each test activates a license nobody else touches.
/// </summary>
public sealed class AgentServerFixture : IAsyncLifetime
{
    private int _assigned;

    public TempDirectory Work { get; } = new("agent-server");

    public ServerProcess Server { get; private set; } = null!;

    public Lhctl Lhctl { get; private set; } = null!;

    public FlowResult Flow { get; private set; } = null!;

    /// <summary>The server's trust anchor (<c>licensehub trust export</c>), installed on every machine of the tests.</summary>
    public string Anchor { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync(Work.Combine("data"));
        Anchor = await Server.ExportTrustAnchorAsync();
        Lhctl = new Lhctl(Server.GrpcUrl, Work.Path);
        Flow = await NewcomerFlow.RunAsync(Lhctl, Server, Work.Path);
        await Lhctl.SucceedAsync(Flow.ResellerKey, "order", "create", "--plan", Flow.PlanId, "--quantity", "24");
    }

    /// <summary>A freshly assigned license of the quick start's plan (product "panel", two machines, no offline grace).</summary>
    public async Task<(string Id, string Key)> NewLicenseAsync()
    {
        var csv = Work.Combine($"agent-license-{Interlocked.Increment(ref _assigned)}.csv");
        await Lhctl.SucceedAsync(Flow.ResellerKey, "license", "assign", "--pool", Flow.PoolId, "--count", "1", "--csv", csv);
        var row = File.ReadAllLines(csv)[1].Split(',');
        return (row[0], row[1]);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        Work.Dispose();
    }
}

/// <summary>
/// The real lh-agent binary (Native AOT) against the real server on loopback: activation, check-ins, a
/// revocation, expiry without the server, a clock set back, an air-gapped machine, forgetting, and what
/// ends up on the server and in its logs.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed partial class AgentEndToEndTests(AgentBinaryFixture agent, AgentServerFixture fixture, ITestOutputHelper output)
    : IClassFixture<AgentServerFixture>, IDisposable
{
    private const string Product = "panel";

    private readonly List<AgentMachine> _machines = [];
    private readonly List<TempDirectory> _directories = [];

    [Fact]
    public async Task AgentBinary_NativeAotPublish_RunsWithoutDotnet()
    {
        output.WriteLine($"lh-agent: {agent.SizeBytes / (1024.0 * 1024.0):F1} MiB, published in {agent.PublishDuration.TotalSeconds:F1} s");
        // MSBuild's format for every warning, from the compiler, the trimmer and the AOT compiler alike.
        Assert.DoesNotMatch(@": warning [A-Z]+[0-9]+", agent.PublishLog);
        Assert.InRange(agent.SizeBytes, 1, 50L * 1024 * 1024);
        var header = new byte[4];
        await using (var file = File.OpenRead(agent.Executable))
        {
            await file.ReadExactlyAsync(header);
        }
        Assert.Equal("\u007fELF"u8.ToArray(), header);

        var machine = Machine("version");
        var version = await machine.SucceedAsync("--version");
        Assert.Equal("0.1.0", version.StdOut.Trim());
    }

    [Fact]
    public async Task Check_AfterRevokeAndCheckIn_ExitsOneWithRevoked()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("revoke");

        var activated = await Activate(machine, key, fixture.Server);
        Assert.Contains($"activated: license {licenseId}, installation ", activated.StdOut);
        Assert.StartsWith($"licensed: product {Product}, license {licenseId}", (await machine.SucceedAsync("check")).StdOut);
        var checkedIn = await machine.SucceedAsync("run", "--once");
        Assert.Contains("checked in: licensed until ", checkedIn.StdErr);

        await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "revoke", licenseId, "--yes");
        var refused = await machine.ExpectAsync(1, "run", "--once");

        Assert.Contains("not licensed: the server answered REVOKED", refused.StdErr);
        // Answered check-ins log their request line at Debug, not at the default level; an answer other than VALID has its own line.
        Assert.DoesNotContain("gRPC /licensehub.v1.AgentService/CheckIn OK", fixture.Server.Output);
        Assert.Contains("Check-in answered REVOKED", fixture.Server.Output);
        Assert.Matches(@"gRPC /licensehub\.v1\.AgentService/Activate OK in \d+\.\d ms", fixture.Server.Output);
        var check = await machine.ExpectAsync(1, "check");
        Assert.Contains("not licensed: no valid license token; the server answered REVOKED: The license has been revoked.", check.StdErr);
        var status = await machine.StatusAsync();
        Assert.False(status.GetProperty("licensed").GetBoolean());
        Assert.Equal("REVOKED", status.GetProperty("last_result").GetString());
        Assert.False(machine.ReadState().ContainsKey("token"), "The refused token must be dropped from the state.");
    }

    [Fact]
    public async Task Activate_SameMachineAgain_KeepsInstallationAndChecksInWithNewSecret()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("reactivate");
        await Activate(machine, key, fixture.Server);
        var first = machine.ReadState();
        var oldState = machine.StatePath + ".before";
        File.Copy(machine.StatePath, oldState);

        await Activate(machine, key, fixture.Server);

        var second = machine.ReadState();
        Assert.Equal((string?)first["installation_id"], (string?)second["installation_id"]);
        Assert.NotEqual((string?)first["installation_secret"], (string?)second["installation_secret"]);
        Assert.Contains("checked in: licensed until ", (await machine.SucceedAsync("run", "--once")).StdErr);
        // The server replaced the credential: the one from the first activation is refused.
        var stale = await machine.ExpectAsync(1, "--state", oldState, "run", "--once");
        Assert.Contains("does not accept this installation", stale.StdErr);
        Assert.Contains("UNAUTHENTICATED", (await machine.StatusAsync(oldState)).GetProperty("last_result").GetString());

        var license = await GetLicenseAsync(fixture.Lhctl, fixture.Flow.ResellerKey, licenseId);
        Assert.Equal(1, license.License.Installations);
        Assert.Equal((string?)second["installation_id"], Assert.Single(license.Installations).Id);
    }

    [Fact]
    public async Task Check_ServerStopped_InGraceUntilTokenExpiresThenExitsOne()
    {
        var work = WorkDirectory("expiry");
        var server = await ServerProcess.StartAsync(work.Combine("data"), new Dictionary<string, string>
        {
            // Long enough for the server to stop before the token expires, short enough to wait for.
            ["LicenseHub__TokenLifetime"] = "00:00:15",
        });
        await using var _ = server;
        var lhctl = new Lhctl(server.GrpcUrl, work.Path);
        var flow = await NewcomerFlow.RunAsync(lhctl, server, work.Path, Product);
        var graceKey = await LicenseOfNewPlanAsync(lhctl, server, flow, work, offlineGraceDays: 1);
        var noGrace = Machine("no-grace").Trust(await server.ExportTrustAnchorAsync());
        var withGrace = Machine("grace").Trust(await server.ExportTrustAnchorAsync());
        await Activate(withGrace, graceKey, server);
        await Activate(noGrace, flow.LicenseKeys[0], server);

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await server.StopAsync();
        output.WriteLine($"server stopped in {stopping.Elapsed.TotalSeconds:F1} s");

        var noGraceExpires = (await noGrace.StatusAsync()).GetProperty("token_expires_at").GetDateTimeOffset();
        Assert.True(DateTimeOffset.UtcNow < noGraceExpires, "The server took too long to stop for this test.");
        Assert.StartsWith($"licensed: product {Product}", (await noGrace.SucceedAsync("check")).StdOut);
        await withGrace.SucceedAsync("check");
        Assert.Equal(3, (await noGrace.RunAsync("run", "--once")).ExitCode);

        var graceExpires = (await withGrace.StatusAsync()).GetProperty("token_expires_at").GetDateTimeOffset();
        var wait = (noGraceExpires > graceExpires ? noGraceExpires : graceExpires) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var expired = await noGrace.ExpectAsync(1, "check");
        Assert.Contains("not licensed: token expired at ", expired.StdErr);
        var inGrace = await withGrace.SucceedAsync("check");
        Assert.StartsWith($"licensed (offline grace): product {Product}", inGrace.StdOut);
        Assert.True((await withGrace.StatusAsync()).GetProperty("in_grace").GetBoolean());
    }

    [Fact]
    public async Task Check_LastSeenInTheFuture_ExitsOneClockSetBackUntilServerConfirmsTime()
    {
        var (_, key) = await fixture.NewLicenseAsync();
        var machine = Machine("clock");
        await Activate(machine, key, fixture.Server);
        await machine.SucceedAsync("check");

        SetLastSeen(machine, DateTimeOffset.UtcNow.AddHours(2));
        var setBack = await machine.ExpectAsync(1, "check");

        Assert.Contains("not licensed: clock set back", setBack.StdErr);
        Assert.True((await machine.StatusAsync()).GetProperty("clock_set_back").GetBoolean());
        // 'check' itself must not move the mark back: still set back.
        await machine.ExpectAsync(1, "check");

        // The server's time in a check-in confirms the local clock and repairs the mark.
        await machine.SucceedAsync("run", "--once");
        await machine.SucceedAsync("check");

        // So does the server's time in an activation answer.
        SetLastSeen(machine, DateTimeOffset.UtcNow.AddHours(2));
        await machine.ExpectAsync(1, "check");
        await Activate(machine, key, fixture.Server);
        await machine.SucceedAsync("check");
    }

    [Fact]
    public async Task Import_OfflineLicenseFile_ChecksWithoutServer()
    {
        var work = WorkDirectory("offline");
        var server = await ServerProcess.StartAsync(work.Combine("data"));
        await using var _ = server;
        var lhctl = new Lhctl(server.GrpcUrl, work.Path);
        var flow = await NewcomerFlow.RunAsync(lhctl, server, work.Path, Product);
        var licenseId = File.ReadAllLines(flow.CsvPath)[1].Split(',')[0];
        var key = flow.LicenseKeys[0];
        var machine = Machine("airgap").Trust(await server.ExportTrustAnchorAsync());

        var request = await machine.SucceedAsync("request", "--key", key, "--product", Product, "--product-version", "1.4.2");
        var requestFile = Path.Combine(machine.Directory, "request.txt");
        await File.WriteAllTextAsync(requestFile, request.StdOut);
        var licenseFile = work.Combine("airgap.lic");
        await lhctl.SucceedAsync(flow.ResellerKey, "license", "offline-file", licenseId, "--request-file", requestFile, "--output", licenseFile);
        var jwksFile = Path.Combine(machine.Directory, "jwks.json");
        using (var http = new HttpClient())
        {
            await File.WriteAllTextAsync(jwksFile, await http.GetStringAsync($"{server.WebUrl}/.well-known/jwks.json"));
        }
        var license = await GetLicenseAsync(lhctl, flow.ResellerKey, licenseId);
        Assert.Equal(machine.FingerprintFor(key)[..12], Assert.Single(license.Installations).FingerprintPrefix);
        await server.StopAsync();

        var imported = await machine.SucceedAsync("import", licenseFile, "--jwks", jwksFile);

        Assert.Contains($"imported offline license {licenseId} for product {Product}", imported.StdOut);
        Assert.StartsWith($"licensed: product {Product}, license {licenseId}", (await machine.SucceedAsync("check")).StdOut);
        var status = await machine.StatusAsync();
        Assert.Equal("offline", status.GetProperty("mode").GetString());
        Assert.False(status.TryGetProperty("server", out var serverUrl) && serverUrl.ValueKind == JsonValueKind.String);

        // The same file on another machine is refused: it is bound to this machine's fingerprint.
        var other = Machine("airgap-other").Trust(await server.ExportTrustAnchorAsync());
        var refused = await other.ExpectAsync(1, "import", licenseFile, "--jwks", jwksFile, "--key", key);
        Assert.Contains("fingerprint mismatch", refused.StdErr);
    }

    [Fact]
    public async Task Forget_ActivatedMachine_ServerHasNoInstallation()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("forget");
        await Activate(machine, key, fixture.Server);
        await machine.SucceedAsync("run", "--once");
        var installationId = (string?)machine.ReadState()["installation_id"];
        var before = await GetLicenseAsync(fixture.Lhctl, fixture.Flow.ResellerKey, licenseId);
        Assert.Equal(installationId, Assert.Single(before.Installations).Id);

        var forget = await machine.SucceedAsync("forget");

        Assert.Contains($"installation {installationId} deleted on the server", forget.StdOut);
        Assert.False(File.Exists(machine.StatePath), "forget must delete the local state.");
        var after = await GetLicenseAsync(fixture.Lhctl, fixture.Flow.ResellerKey, licenseId);
        Assert.Empty(after.Installations);
        Assert.Equal(0, after.License.Installations);
        var listed = JsonParser.Default.Parse<ListLicensesResponse>(
            (await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "list", "--json", "--all")).StdOut);
        Assert.Equal(0, Assert.Single(listed.Licenses, l => l.Id == licenseId).Installations);
        Assert.Contains("not activated", (await machine.ExpectAsync(1, "check")).StdErr);
    }

    [Fact]
    public async Task CheckIns_RequiredAndBasicTelemetry_MachineIdAndKeyNeverReachServer()
    {
        var work = WorkDirectory("privacy");
        var server = await ServerProcess.StartAsync(work.Combine("data"));
        await using var _ = server;
        var lhctl = new Lhctl(server.GrpcUrl, work.Path);
        var flow = await NewcomerFlow.RunAsync(lhctl, server, work.Path, Product);
        var licenseId = File.ReadAllLines(flow.CsvPath)[1].Split(',')[0];
        var key = flow.LicenseKeys[0];
        var machine = Machine("privacy").Trust(await server.ExportTrustAnchorAsync());

        await Activate(machine, key, server);
        await machine.SucceedAsync("run", "--once");
        var required = await machine.SucceedAsync("telemetry", "show");
        await machine.SucceedAsync("telemetry", "set", "basic");
        await machine.SucceedAsync("run", "--once");
        var basic = await machine.SucceedAsync("telemetry", "show");
        await machine.SucceedAsync("telemetry", "set", "required");
        await machine.SucceedAsync("run", "--once");
        var requiredAgain = await machine.SucceedAsync("telemetry", "show");
        await machine.SucceedAsync("check");
        var fingerprint = machine.FingerprintFor(key);
        var license = await GetLicenseAsync(lhctl, flow.ResellerKey, licenseId);
        Assert.Equal(fingerprint[..12], Assert.Single(license.Installations).FingerprintPrefix);
        await server.StopAsync();

        // What the agent says it sends: the fingerprint, never the machine id; OS fields only at basic.
        string[] osFields = ["basic", "osFamily", "osVersion", "cpuArchitecture", "cpuCores"];
        foreach (var shown in new[] { required, requiredAgain })
        {
            Assert.Contains(fingerprint, shown.StdOut);
            Assert.All(osFields, field => Assert.DoesNotContain($"\"{field}\"", shown.StdOut));
        }
        Assert.Contains(fingerprint, basic.StdOut);
        Assert.All(osFields, field => Assert.Contains($"\"{field}\"", basic.StdOut));
        var secret = (string)machine.ReadState()["installation_secret"]!;
        foreach (var shown in new[] { required, basic, requiredAgain })
        {
            Assert.Contains("\"********\"", shown.StdOut);
            Assert.DoesNotContain(secret, shown.StdOut);
        }

        // What the server kept: the pseudonymous fingerprint (so this scan reads the right data), nothing else.
        var stored = Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ServerProcess.VendorKeyFileName)
            .ToDictionary(f => f, f => Encoding.Latin1.GetString(File.ReadAllBytes(f)));
        Assert.Contains(stored, f => f.Key.EndsWith(".db", StringComparison.Ordinal));
        Assert.Contains(stored.Values, content => content.Contains(fingerprint, StringComparison.Ordinal));
        var sources = stored.Select(f => (Source: f.Key, Text: f.Value))
            .Append(("server stdout/stderr", server.Output))
            .Append(("lh-agent output", string.Join('\n', machine.History.Select(r => r.StdOut + r.StdErr))))
            .Append(("lh-agent state file", await File.ReadAllTextAsync(machine.StatePath)))
            .ToList();
        var identity = (await File.ReadAllTextAsync(machine.IdentityFile)).Trim();
        foreach (var (source, text) in sources)
        {
            AssertNeitherMachineIdNorKey(source, text, machine.MachineId, key);
            Assert.False(text.Contains(identity, StringComparison.OrdinalIgnoreCase), $"{source} contains the installation identity.");
        }
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

    private static void AssertNeitherMachineIdNorKey(string source, string text, string machineId, string licenseKey)
    {
        Assert.False(text.Contains(machineId, StringComparison.OrdinalIgnoreCase), $"{source} contains the machine id.");
        var compact = licenseKey.Replace("-", "");
        foreach (var form in new[] { licenseKey, compact, compact[8..] })
        {
            Assert.False(text.Contains(form, StringComparison.OrdinalIgnoreCase), $"{source} contains the license key (as '{form[..4]}…').");
        }
    }

    private AgentMachine Machine(string name)
    {
        var machine = new AgentMachine(agent.Executable, name).Trust(fixture.Anchor);
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

    private static void SetLastSeen(AgentMachine machine, DateTimeOffset at)
    {
        var state = machine.ReadState();
        state["last_seen"] = at.ToString("O");
        machine.WriteState(state);
    }

    private static async Task<GetLicenseResponse> GetLicenseAsync(Lhctl lhctl, string resellerKey, string licenseId) =>
        JsonParser.Default.Parse<GetLicenseResponse>((await lhctl.SucceedAsync(resellerKey, "license", "get", licenseId, "--json")).StdOut);

    /// <summary>A plan of the flow's product with the given offline grace, one license of it bought and assigned; returns its key.</summary>
    private static async Task<string> LicenseOfNewPlanAsync(Lhctl lhctl, ServerProcess server, FlowResult flow, TempDirectory work, int offlineGraceDays)
    {
        var plan = await lhctl.SucceedAsync(null, "--api-key-file", server.VendorKeyFile, "plan", "create", "--product", flow.ProductId,
            "--code", $"grace-{offlineGraceDays}d", "--edition", "pro", "--term-days", "365", "--max-machines", "2", "--price", "19.99",
            "--currency", "EUR", "--transfer-budget", "3", "--offline-grace-days", offlineGraceDays.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var planId = NewcomerFlow.Id(plan);
        var order = await lhctl.SucceedAsync(flow.ResellerKey, "order", "create", "--plan", planId, "--quantity", "1");
        var poolId = System.Text.RegularExpressions.Regex.Match(order.StdOut, @"pool:\s+(?<id>[0-9a-f-]{36})").Groups["id"].Value;
        var csv = work.Combine($"grace-{offlineGraceDays}d.csv");
        await lhctl.SucceedAsync(flow.ResellerKey, "license", "assign", "--pool", poolId, "--count", "1", "--csv", csv);
        return File.ReadAllLines(csv)[1].Split(',')[1];
    }
}
