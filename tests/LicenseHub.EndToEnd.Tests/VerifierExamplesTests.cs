using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.Tokens;
using Xunit.Abstractions;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>The files of one case, as a verifier reads them.</summary>
public sealed record CaseFiles(string Trust, string License, string MachineId);

/// <summary>
/// The examples of integrations/verify/, built once, and the licenses they are given: from the real server and the real
/// lh-agent (genuine, expired, in offline grace, revoked then refreshed, another product, another machine, a license of
/// one's own LicenseHub server), the forgeries of <see cref="LicenseForgeries"/> and <see cref="OwnRootLicenses"/>, and the
/// features and maintenance cases of <see cref="EntitlementLicenses"/>.
///
/// <c>tests/run.sh</c> prepares everything (tests/setup/40-verifiers.sh). To run these tests with <c>dotnet test</c> alone,
/// do the same first: <c>apt-get install php-cli golang-go python3-jwt python3-cryptography clang zlib1g-dev</c> and
/// <c>(cd integrations/verify/node &amp;&amp; npm ci)</c>; then
/// <c>dotnet test tests/LicenseHub.EndToEnd.Tests --filter FullyQualifiedName~VerifierExamplesTests</c>. The C# example
/// is built against a LicenseHub.Tokens package from <c>$LICENSEHUB_TEST_TOKENS_FEED</c>, or packed here when it is unset.
/// </summary>
public sealed class VerifierExamplesFixture : IAsyncLifetime
{
    private const string Product = "panel";
    private const string OtherProduct = "mail";

    private readonly TempDirectory _work = new("verifier-examples");
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly List<AgentMachine> _machines = [];
    private readonly Lock _lock = new();
    private Task<(IReadOnlyList<VerifierExample> Examples, string CSharpPublishLog)> _examples = null!;
    private Task<IReadOnlyList<(LicenseCase Case, CaseFiles Files)>>? _cases;

    public Task InitializeAsync()
    {
        // Built while the first test obtains its licenses from the servers.
        _examples = VerifierExamples.PrepareAsync(_work.Combine("bin"));
        return Task.CompletedTask;
    }

    public async Task<VerifierExample> ExampleAsync(string name) => (await _examples).Examples.Single(e => e.Name == name);

    public async Task<string> CSharpPublishLogAsync() => (await _examples).CSharpPublishLog;

    /// <summary>The cases, made on the first call (they need the agent binary of the test collection).</summary>
    public Task<IReadOnlyList<(LicenseCase Case, CaseFiles Files)>> CasesAsync(AgentBinaryFixture agent)
    {
        lock (_lock)
        {
            return _cases ??= MakeCasesAsync(agent.Executable);
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _examples;
        }
        catch (Exception)
        {
            // Reported by the tests that use them.
        }
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        foreach (var machine in _machines)
        {
            machine.Dispose();
        }
        _work.Dispose();
    }

    /// <summary>A running LicenseHub server, the quick start done on it, and its trust anchor.</summary>
    private sealed record LicenseServer(ServerProcess Server, Lhctl Lhctl, FlowResult Flow, string Anchor, string Work);

    private async Task<IReadOnlyList<(LicenseCase, CaseFiles)>> MakeCasesAsync(string agentExecutable)
    {
        // The vendor's server; one whose tokens live 15 s (expiry and offline grace); and a LicenseHub server of one's own.
        var starting = new[]
        {
            StartServerAsync("vendor", []),
            StartServerAsync("short-lived", new Dictionary<string, string> { ["LicenseHub__TokenLifetime"] = "00:00:15" }),
            StartServerAsync("own", []),
        };
        var vendor = await starting[0];
        var shortLived = await starting[1];
        var own = await starting[2];

        // Each machine trusts the anchor of the server it activates against: the end user controls trust.json.
        AgentMachine Machine(string name, LicenseServer trusted)
        {
            var machine = new AgentMachine(agentExecutable, name).Trust(trusted.Anchor);
            _machines.Add(machine);
            return machine;
        }

        // First the short-lived tokens, so that their 15 s pass while the rest is made.
        var expiredMachine = Machine("expired", shortLived);
        await ActivateAsync(expiredMachine, shortLived, shortLived.Flow.LicenseKeys[0]);
        var graceMachine = Machine("grace", shortLived);
        await ActivateAsync(graceMachine, shortLived, await LicenseOfGracePlanAsync(shortLived, offlineGraceDays: 1));
        var shortLivedExpiry = TokenExpiry(await TokenAsync(expiredMachine, 0));
        var graceExpiry = TokenExpiry(await TokenAsync(graceMachine, 0));

        var genuineMachine = Machine("genuine", vendor);
        await ActivateAsync(genuineMachine, vendor, vendor.Flow.LicenseKeys[0]);
        var genuine = await TokenAsync(genuineMachine, 0);
        var keptFile = await File.ReadAllTextAsync(genuineMachine.LicenseFile);

        var revokedMachine = Machine("revoked", vendor);
        await ActivateAsync(revokedMachine, vendor, vendor.Flow.LicenseKeys[1]);
        await vendor.Lhctl.SucceedAsync(vendor.Flow.ResellerKey, "license", "revoke", LicenseId(vendor.Flow, 1), "--yes");
        await revokedMachine.ExpectAsync(1, "run", "--once");
        var revoked = await TokenAsync(revokedMachine, 1);

        var mailFlow = await NewcomerFlow.RunAsync(vendor.Lhctl, vendor.Server, vendor.Work, OtherProduct);
        var mailMachine = Machine("mail", vendor);
        await ActivateAsync(mailMachine, vendor, mailFlow.LicenseKeys[0], OtherProduct);
        var mail = await TokenAsync(mailMachine, 0);

        var ownMachine = Machine("own-server", own);
        await ActivateAsync(ownMachine, own, own.Flow.LicenseKeys[0]);
        var ownServerLicense = await TokenAsync(ownMachine, 0);

        var wait = (shortLivedExpiry > graceExpiry ? shortLivedExpiry : graceExpiry) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        var expired = await TokenAsync(expiredMachine, 0);
        var inGrace = await TokenAsync(graceMachine, 0);

        var machineId = genuineMachine.MachineId;
        List<LicenseCase> cases =
        [
            new("genuine: lh-agent token", vendor.Anchor, genuine, Product, machineId, Genuine: true),
            new("genuine: the license file lh-agent keeps", vendor.Anchor, keptFile, Product, machineId, Genuine: true),
            new("genuine: another product's license, checked as that product", vendor.Anchor, mail, OtherProduct, mailMachine.MachineId, Genuine: true),
            new("genuine: a license of one's own server, checked against that server's anchor", own.Anchor, ownServerLicense, Product, ownMachine.MachineId, Genuine: true),
            new("genuine: token expired, inside the plan's offline grace", shortLived.Anchor, inGrace, Product, graceMachine.MachineId, Genuine: true, InGrace: true),
            new("token expired, the plan has no offline grace", shortLived.Anchor, expired, Product, expiredMachine.MachineId, Genuine: false),
            new("revoked, then refreshed by a check-in", vendor.Anchor, revoked, Product, revokedMachine.MachineId, Genuine: false),
            new("genuine license, checked on another machine", vendor.Anchor, genuine, Product, "0123456789abcdef0123456789abcdef", Genuine: false),
            new("genuine license, no machine id file", vendor.Anchor, genuine, Product, null, Genuine: false),
            new("genuine license for another product", vendor.Anchor, mail, Product, mailMachine.MachineId, Genuine: false),
            new("forgery: activated against one's own LicenseHub server", vendor.Anchor, ownServerLicense, Product, ownMachine.MachineId, Genuine: false),
            new("forgery: expired token with exp a year later, its signature kept", shortLived.Anchor,
                WithPayload(expired, "exp", TokenExpiry(expired).AddYears(1).ToUnixTimeSeconds()), Product, expiredMachine.MachineId, Genuine: false),
            new("no license file", vendor.Anchor, null, Product, machineId, Genuine: false),
            new("license file is not JSON", vendor.Anchor, "{\"format\":\"lh-license/1\",", Product, machineId, Genuine: false),
            new("license file is an empty object", vendor.Anchor, "{}", Product, machineId, Genuine: false),
        ];

        var genuineFile = LicenseFile.Parse(genuine);
        var claims = TrustAnchor.Parse(vendor.Anchor).Verify(genuineFile, DateTimeOffset.UtcNow, Product, machineId).Claims
            ?? throw new InvalidOperationException("The genuine license does not verify with LicenseHub.Tokens.");
        cases.AddRange(LicenseForgeries.Of(genuineFile, claims, vendor.Anchor, Product)
            .Select(f => new LicenseCase("forgery: " + f.Name, vendor.Anchor, f.License, f.Product, machineId, Genuine: false)));
        cases.AddRange(OwnRootLicenses.Cases(machineId));
        cases.AddRange(EntitlementLicenses.Cases(machineId));

        return cases.Select((c, i) => (c, Write(c, i))).ToList();
    }

    private async Task<LicenseServer> StartServerAsync(string name, Dictionary<string, string> settings)
    {
        var work = _work.Combine(name);
        Directory.CreateDirectory(work);
        var server = await ServerProcess.StartAsync(Path.Combine(work, "data"), settings);
        lock (_servers)
        {
            _servers.Add(server);
        }
        var lhctl = new Lhctl(server.GrpcUrl, work);
        var flow = await NewcomerFlow.RunAsync(lhctl, server, work, Product);
        return new LicenseServer(server, lhctl, flow, await server.ExportTrustAnchorAsync(), work);
    }

    private static Task ActivateAsync(AgentMachine machine, LicenseServer at, string licenseKey, string product = Product) =>
        machine.SucceedAsync("activate", licenseKey, "--server", at.Server.GrpcUrl, "--product", product, "--product-version", "8.2.1");

    /// <summary><c>lh-agent token</c>: the license file, as the agent prints it (exit 1 when it holds no token).</summary>
    private static async Task<string> TokenAsync(AgentMachine machine, int exitCode) => (await machine.ExpectAsync(exitCode, "token")).StdOut;

    private static async Task<string> LicenseOfGracePlanAsync(LicenseServer at, int offlineGraceDays)
    {
        var days = offlineGraceDays.ToString(CultureInfo.InvariantCulture);
        var plan = await at.Lhctl.SucceedAsync(null, "--api-key-file", at.Server.VendorKeyFile, "plan", "create", "--product", at.Flow.ProductId,
            "--code", $"grace-{days}d", "--edition", "pro", "--term-days", "365", "--max-machines", "2", "--price", "19.99", "--currency", "EUR",
            "--transfer-budget", "3", "--offline-grace-days", days);
        var order = await at.Lhctl.SucceedAsync(at.Flow.ResellerKey, "order", "create", "--plan", NewcomerFlow.Id(plan), "--quantity", "1");
        var poolId = System.Text.RegularExpressions.Regex.Match(order.StdOut, @"pool:\s+(?<id>[0-9a-f-]{36})").Groups["id"].Value;
        var csv = Path.Combine(at.Work, $"grace-{days}d.csv");
        await at.Lhctl.SucceedAsync(at.Flow.ResellerKey, "license", "assign", "--pool", poolId, "--count", "1", "--csv", csv);
        return File.ReadAllLines(csv)[1].Split(',')[1];
    }

    private static string LicenseId(FlowResult flow, int index) => File.ReadAllLines(flow.CsvPath)[index + 1].Split(',')[0];

    private static DateTimeOffset TokenExpiry(string licenseJson) =>
        DateTimeOffset.FromUnixTimeSeconds((long)LicenseForgeries.Payload(LicenseFile.Parse(licenseJson).Token!)["exp"]!);

    /// <summary>The license file with one claim of its token changed and the token's signature kept.</summary>
    private static string WithPayload(string licenseJson, string claim, JsonNode value)
    {
        var license = LicenseFile.Parse(licenseJson);
        var token = license.Token!;
        license.Token = LicenseForgeries.Encode(LicenseForgeries.Header(token), LicenseForgeries.With(LicenseForgeries.Payload(token), claim, value),
            LicenseForgeries.Signature(token));
        return license.ToJson();
    }

    private CaseFiles Write(LicenseCase c, int index)
    {
        var directory = _work.Combine(Path.Combine("cases", index.ToString("D2", CultureInfo.InvariantCulture)));
        Directory.CreateDirectory(directory);
        var files = new CaseFiles(Path.Combine(directory, "trust.json"), Path.Combine(directory, "license.json"), Path.Combine(directory, "machine-id"));
        File.WriteAllText(files.Trust, c.Anchor);
        if (c.License is not null)
        {
            File.WriteAllText(files.License, c.License);
        }
        if (c.MachineId is not null)
        {
            File.WriteAllText(files.MachineId, c.MachineId + "\n");
        }
        File.WriteAllText(Path.Combine(directory, "case.txt"),
            $"{c.Name}\nproduct: {c.Product}\narguments: {string.Join(' ', c.Arguments ?? [])}\ngenuine: {c.Genuine}\n");
        return files;
    }
}

/// <summary>
/// Every example verifier of integrations/verify/ on every case: exit 0 and "licensed: …" only for a genuine license
/// ("in offline grace until …" inside the grace), exit 1 with one "not licensed: …" line for everything else.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class VerifierExamplesTests(AgentBinaryFixture agent, VerifierExamplesFixture fixture, ITestOutputHelper output)
    : IClassFixture<VerifierExamplesFixture>
{
    public static TheoryData<string> Examples => new() { "node", "python", "php", "go", "csharp" };

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_GenuineExpiredRevokedAndForgedLicenses_AcceptsOnlyTheGenuine(string name)
    {
        var cases = await fixture.CasesAsync(agent);
        var example = await fixture.ExampleAsync(name);
        Assert.True(example.Problem is null, example.Problem);

        var failures = new List<string>();
        foreach (var (c, files) in cases)
        {
            var run = await example.RunAsync(files.Trust, files.License, c.Product, files.MachineId, c.Arguments);
            var problem = Judge(c, run);
            output.WriteLine($"{(problem is null ? "ok  " : "FAIL")} {c.Name}: {run}");
            if (problem is not null)
            {
                failures.Add($"{c.Name} ({Path.GetDirectoryName(files.Trust)}): {problem}; {run}");
            }
        }

        Assert.True(failures.Count == 0, $"The {name} example got {failures.Count} of {cases.Count} cases wrong:\n{string.Join('\n', failures)}");
    }

    [Fact]
    public async Task Cases_LicenseHubTokens_AcceptsExactlyTheGenuine()
    {
        // The cases themselves, checked by the reference implementation: a forgery it accepted would prove nothing.
        var cases = await fixture.CasesAsync(agent);
        Assert.Contains(cases, c => c.Case.Genuine && c.Case.InGrace);
        Assert.True(cases.Count(c => !c.Case.Genuine) >= 30, "Fewer forgeries and refusals than expected.");
        Assert.Contains(cases, c => c.Case.Genuine && c.Case.Arguments is { Count: > 0 });
        Assert.Contains(cases, c => !c.Case.Genuine && c.Case.Arguments is { Count: > 0 });
        foreach (var (c, _) in cases)
        {
            var result = Reference(c);
            var accepted = result.IsValid && MeetsRequirements(c, result.Claims!);
            Assert.True(accepted == c.Genuine && result.InGrace == c.InGrace, $"{c.Name}: {result}");
        }
    }

    [Fact]
    public async Task CSharpExample_NativeAotPublish_HasNoWarnings()
    {
        var example = await fixture.ExampleAsync("csharp");
        Assert.True(example.Problem is null, example.Problem);
        var log = await fixture.CSharpPublishLogAsync();
        output.WriteLine(log);
        // MSBuild's format for every warning, from the compiler, the trimmer and the AOT compiler alike.
        Assert.DoesNotMatch(@": warning [A-Z]+[0-9]+", log);
        Assert.Contains("LicenseHub.Tokens", log);
    }

    private static string? Judge(LicenseCase c, VerifierRun run)
    {
        var stdout = run.StdOut.TrimEnd('\n');
        var stderr = run.StdErr.TrimEnd('\n');
        if (!c.Genuine)
        {
            return run.ExitCode != 1 ? $"expected exit 1, got {run.ExitCode}"
                : stdout.Length > 0 ? "printed to stdout"
                : !stderr.StartsWith("not licensed: ", StringComparison.Ordinal) || stderr.Contains('\n') ? "stderr is not one 'not licensed: …' line"
                : c.Says is not null && stderr != c.Says ? $"expected '{c.Says}'"
                : null;
        }

        var licenseId = (string?)LicenseForgeries.Payload(LicenseFile.Parse(c.License!).Token!)["lid"];
        var until = c.InGrace ? "in offline grace until " : "valid until ";
        return run.ExitCode != 0 ? $"expected exit 0, got {run.ExitCode}"
            : stdout.Contains('\n') || stderr.Length > 0 ? "expected one line on stdout and nothing on stderr"
            : !stdout.StartsWith($"licensed: product {c.Product}, license {licenseId}, {until}", StringComparison.Ordinal)
                ? $"expected 'licensed: product {c.Product}, license {licenseId}, {until}…'"
            : c.Says is not null && !stdout.EndsWith(c.Says, StringComparison.Ordinal) ? $"expected the line to end with '{c.Says}'"
            : null;
    }

    /// <summary>The reference's answer to the case's --feature and --released, for a license it found valid.</summary>
    private static bool MeetsRequirements(LicenseCase c, LicenseClaims claims)
    {
        var arguments = c.Arguments ?? [];
        for (var i = 0; i + 1 < arguments.Count; i += 2)
        {
            var met = arguments[i] switch
            {
                "--feature" => claims.HasFeature(arguments[i + 1]),
                "--released" => claims.CoversRelease(DateTimeOffset.ParseExact(arguments[i + 1], "yyyy-MM-dd", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)),
                _ => throw new InvalidOperationException($"{c.Name}: unknown argument {arguments[i]}"),
            };
            if (!met)
            {
                return false;
            }
        }
        return true;
    }

    private static TokenVerificationResult Reference(LicenseCase c)
    {
        try
        {
            return c.License is null || c.MachineId is null
                ? new TokenVerificationResult(TokenStatus.Malformed, "no file")
                : TrustAnchor.Parse(c.Anchor).Verify(LicenseFile.Parse(c.License), DateTimeOffset.UtcNow, c.Product, c.MachineId);
        }
        catch (FormatException e)
        {
            return new TokenVerificationResult(TokenStatus.Malformed, e.Message);
        }
    }
}

/// <summary>
/// Licenses with features (<c>ent</c>) and perpetual licenses with an end of maintenance (<c>mnt</c>), under a root of the
/// test's own with the anchor of that root, and what the product asks of them (<c>--feature</c>, <c>--released</c>): every
/// example must accept a license that has what is asked, refuse one that lacks it with the same words, and refuse a
/// token whose ent or mnt is malformed outright.
/// </summary>
public static class EntitlementLicenses
{
    public const string Product = "panel";

    public static IReadOnlyList<LicenseCase> Cases(string machineId)
    {
        var root = new OwnRoot("root-test-1");
        var signingKey = Ed25519KeyPair.Generate();
        var now = DateTimeOffset.UtcNow;
        var certified = root.Certify(signingKey, "k-test-1", now.AddDays(-30), now.AddDays(30));
        var salt = RandomNumberGenerator.GetBytes(Fingerprints.SaltLength);
        var term = new LicenseClaims
        {
            Issuer = "https://licenses.test.example",
            LicenseId = Guid.NewGuid().ToString(),
            InstallationId = Guid.NewGuid().ToString(),
            Product = Product,
            Plan = "pro-1y",
            Edition = "pro",
            Fingerprint = Fingerprints.Compute(salt, machineId),
            IssuedAt = now.AddMinutes(-5),
            NotBefore = now.AddMinutes(-5),
            ExpiresAt = now.AddDays(1),
            OfflineGraceSeconds = 0,
            LicenseExpiresAt = now.AddDays(365),
            Entitlements = ["api", "sso"],
        };

        // Maintenance ends at midnight UTC, 90 days ahead: a release of that day is covered, one of the next is not.
        var maintenanceDay = DateOnly.FromDateTime(now.UtcDateTime).AddDays(90);
        var maintenanceEnd = new DateTimeOffset(maintenanceDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var perpetual = term with { LicenseExpiresAt = null, MaintenanceUntil = maintenanceEnd, Entitlements = ["sso"] };
        string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var mnt = Day(maintenanceDay);

        string License(string token, string type = TokenTypes.License) => new LicenseFile
        {
            Product = Product,
            Token = token,
            TokenType = type,
            Jwks = new JsonWebKeySet { Keys = [certified] },
            FingerprintSalt = Base64Url.Encode(salt),
            Status = "VALID",
            WrittenAt = now,
        }.ToJson();

        string Signed(LicenseClaims c, string type = TokenTypes.License) => new TokenSigner(certified.Kid, signingKey).Sign(c, type);

        var header = LicenseForgeries.Header(Signed(term));
        var payload = LicenseForgeries.Payload(Signed(term));
        string SignedWith(string claim, JsonNode? value) => License(LicenseForgeries.Sign(header, LicenseForgeries.With(payload, claim, value), signingKey));

        LicenseCase Case(string name, string license, bool genuine, string[] arguments, string? says = null) =>
            new("features and maintenance: " + name, root.AnchorJson, license, Product, machineId, genuine, Arguments: arguments, Says: says);

        return
        [
            Case("has the feature required", License(Signed(term)), genuine: true, ["--feature", "sso"], says: ", features api,sso"),
            Case("has every feature required", License(Signed(term)), genuine: true, ["--feature", "api", "--feature", "sso"]),
            Case("has features, none required", License(Signed(term)), genuine: true, [], says: ", features api,sso"),
            Case("lacks the feature required", License(Signed(term)), genuine: false, ["--feature", "reports"],
                says: "not licensed: license has no feature reports"),
            Case("lacks one of the features required", License(Signed(term)), genuine: false, ["--feature", "sso", "--feature", "reports"],
                says: "not licensed: license has no feature reports"),
            Case("no ent claim, a feature required", License(Signed(term with { Entitlements = [] })), genuine: false, ["--feature", "sso"],
                says: "not licensed: license has no feature sso"),
            Case("token expired, with the feature required", License(Signed(term with { IssuedAt = now.AddDays(-2), NotBefore = now.AddDays(-2), ExpiresAt = now.AddHours(-1) })),
                genuine: false, ["--feature", "sso"]),
            Case("another product's license with the feature required", License(Signed(term with { Product = "mail" })), genuine: false, ["--feature", "sso"]),
            Case("perpetual, this version released before the end of maintenance", License(Signed(perpetual)), genuine: true,
                ["--released", Day(maintenanceDay.AddDays(-200))], says: $", maintenance until {mnt}, features sso"),
            Case("perpetual, this version released on the day maintenance ends", License(Signed(perpetual)), genuine: true,
                ["--feature", "sso", "--released", mnt], says: $", maintenance until {mnt}, features sso"),
            Case("perpetual, this version released the day after maintenance ended", License(Signed(perpetual)), genuine: false,
                ["--released", Day(maintenanceDay.AddDays(1))],
                says: $"not licensed: this version (released {Day(maintenanceDay.AddDays(1))}) is newer than maintenance (until {mnt})"),
            Case("perpetual, no release date given", License(Signed(perpetual)), genuine: true, [], says: $", maintenance until {mnt}, features sso"),
            Case("license with a term (no mnt), a version released years later", License(Signed(term)), genuine: true,
                ["--released", Day(maintenanceDay.AddYears(5))], says: ", features api,sso"),
            Case("perpetual offline license, exp 9999-12-31 and a week of grace", License(Signed(perpetual with
                {
                    InstallationId = null,
                    ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(253402300799),
                    OfflineGraceSeconds = 7 * 86400,
                }, TokenTypes.OfflineLicense), TokenTypes.OfflineLicense), genuine: true,
                ["--feature", "sso", "--released", Day(maintenanceDay.AddDays(-1))], says: $", valid until 9999-12-31T23:59:59Z, maintenance until {mnt}, features sso"),
            Case("validly signed, ent a string", SignedWith("ent", "sso"), genuine: false, []),
            Case("validly signed, ent a string, that feature required", SignedWith("ent", "sso"), genuine: false, ["--feature", "sso"]),
            Case("validly signed, ent null", SignedWith("ent", null), genuine: false, []),
            Case("validly signed, ent with a number", SignedWith("ent", new JsonArray("sso", 1)), genuine: false, []),
            Case("validly signed, ent an object", SignedWith("ent", new JsonObject { ["sso"] = true }), genuine: false, ["--feature", "sso"]),
            Case("validly signed, ent with 257 codes", SignedWith("ent", new JsonArray([.. Enumerable.Range(0, 257).Select(i => (JsonNode)$"f{i:D3}")])),
                genuine: false, []),
            Case("validly signed, ent with 256 codes, the last required", SignedWith("ent", new JsonArray([.. Enumerable.Range(0, 256).Select(i => (JsonNode)$"f{i:D3}")])),
                genuine: true, ["--feature", "f255"]),
            Case("validly signed, mnt negative", SignedWith("mnt", -1), genuine: false, []),
            Case("validly signed, mnt as text", SignedWith("mnt", maintenanceEnd.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)), genuine: false, []),
            Case("validly signed, mnt fractional", SignedWith("mnt", maintenanceEnd.ToUnixTimeSeconds() + 0.5), genuine: false, []),
        ];
    }
}
