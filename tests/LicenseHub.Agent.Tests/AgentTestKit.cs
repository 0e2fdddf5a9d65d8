using LicenseHub.Agent.Commands;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Tests;

/// <summary>A clock that stands still.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// A scratch directory with a machine id file and a state file path, plus a signing key standing in for
/// the license server, so commands run in-process exactly as the binary would.
/// </summary>
internal sealed class AgentSandbox : IDisposable
{
    public const string LicenseKey = "lh-7f3k-92ab-q0zz";
    public const string MachineId = "4c4c4544003957108052b4c04f384833";
    public const string Kid = "k-test-1";
    public const string Product = "panel";

    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly Ed25519KeyPair ServerKey = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)7, 32).ToArray());

    /// <summary>The vendor root standing behind the server's key: the sandbox's trust anchor holds it.</summary>
    public const string RootKid = "root-test-1";

    public static readonly Ed25519KeyPair RootKey = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)9, 32).ToArray());

    public AgentSandbox()
    {
        Directory.CreateDirectory(Root);
        File.WriteAllText(MachineIdFile, MachineId + "\n");
        File.WriteAllText(TrustPath, AnchorJson);
        // A known identity key, so that the fingerprint of what this sandbox activates or requests is known in advance.
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(IdentityPath, Convert.ToHexStringLower(IdentityKey) + "\n");
    }

    /// <summary>The identity key the sandbox's state starts with (state.json.identity).</summary>
    public static readonly byte[] IdentityKey = Enumerable.Repeat((byte)0x5a, 32).ToArray();

    public string IdentityPath => StatePath + ".identity";

    /// <summary>The README's installation salt, computed independently of the agent's code.</summary>
    public static byte[] InstallationSaltFor(byte[] identityKey, byte[] licenseSalt) =>
        System.Security.Cryptography.HMACSHA256.HashData(identityKey, (byte[])[.. "licensehub-installation-salt-v2:"u8, .. licenseSalt]);

    /// <summary>The README's fingerprint of an installation (state without a 0.1 fingerprint), computed independently.</summary>
    public static string InstallationFingerprintFor(byte[] identityKey, string machineId, string licenseKey = LicenseKey) =>
        Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            InstallationSaltFor(identityKey, MachineFingerprint.DeriveSalt(licenseKey)), System.Text.Encoding.UTF8.GetBytes(machineId)));

    /// <summary>The fingerprint of what this sandbox activates, requests or imports anew.</summary>
    public static string InstallationFingerprint => InstallationFingerprintFor(IdentityKey, MachineId);

    /// <summary>The trust anchor file every command of the sandbox is given with --trust.</summary>
    public string TrustPath => Path.Combine(Root, "trust.json");

    public string LicenseFilePath => Path.Combine(Root, "state", "license.json");

    public static string AnchorJson => new JsonWebKeySet { Keys = [RootKey.ToJsonWebKey(RootKid)] }.ToJson();

    /// <summary>The JWK of <paramref name="key"/> with a certificate from <paramref name="root"/> (the sandbox root by default).</summary>
    public static JsonWebKey CertifiedJwk(Ed25519KeyPair key, string kid, Ed25519KeyPair? root = null)
    {
        var jwk = key.ToJsonWebKey(kid);
        jwk.Lhc = KeyCertificate.Issue(root ?? RootKey, RootKid, jwk, Now.AddDays(-365), Now.AddDays(365));
        return jwk;
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "lh-agent-tests-" + Guid.NewGuid().ToString("N"));

    public string StatePath => Path.Combine(Root, "state", "state.json");

    public string MachineIdFile => Path.Combine(Root, "machine-id");

    public FixedTimeProvider Clock { get; } = new(Now);

    public AgentStateStore Store => new(StatePath) { LicenseFile = new LicenseHub.Agent.Trust.LicenseFilePublisher(LicenseFilePath, null) };

    public static byte[] Salt => MachineFingerprint.DeriveSalt(LicenseKey);

    /// <summary>The fingerprint of lh-agent 0.1 (the machine id alone), which a state without an installation salt keeps.</summary>
    public static string Fingerprint => MachineFingerprint.Compute(Salt, MachineId);

    public static JsonWebKeySet Jwks => new() { Keys = [CertifiedJwk(ServerKey, Kid)] };

    public static LicenseClaims Claims(string? fingerprint = null, int graceSeconds = 86400) => new()
    {
        Issuer = "https://license.example.test",
        LicenseId = "lic_1",
        InstallationId = "ins_1",
        Product = Product,
        Plan = "panel-pro",
        Edition = "pro",
        Fingerprint = fingerprint ?? Fingerprint,
        IssuedAt = Now.AddHours(-1),
        NotBefore = Now.AddHours(-1),
        ExpiresAt = Now.AddDays(1),
        OfflineGraceSeconds = graceSeconds,
    };

    /// <summary>
    /// A signed token; by default a license token for the state <see cref="WriteActivatedState"/> writes, and an offline
    /// license for what 'request' / 'import --key' make of this sandbox.
    /// </summary>
    public static string Token(LicenseClaims? claims = null, string type = TokenTypes.License, Ed25519KeyPair? key = null) =>
        new TokenSigner(Kid, key ?? ServerKey).Sign(claims ?? Claims(type == TokenTypes.OfflineLicense ? InstallationFingerprint : null), type);

    /// <summary>The state an online activation leaves behind.</summary>
    public AgentState WriteActivatedState(string? token = null, DateTimeOffset? lastSeen = null)
    {
        var state = new AgentState
        {
            Server = "https://license.example.test/",
            Product = Product,
            ProductVersion = "1.4.2",
            InstallationId = "ins_1",
            InstallationSecret = "s3cr3t-installation-credential",
            LicenseId = "lic_1",
            Salt = Base64Url.Encode(Salt),
            Token = token ?? Token(),
            TokenType = TokenTypes.License,
            Jwks = Jwks,
            LastSeen = lastSeen ?? Now.AddMinutes(-10),
            LastResult = "VALID",
        };
        Store.Save(state);
        return state;
    }

    public (int ExitCode, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = AgentCommandLine.Run(
            [.. args, "--state", StatePath, "--machine-id-file", MachineIdFile, "--trust", TrustPath], Clock, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Like <see cref="Run"/>, with <paramref name="input"/> on standard input.</summary>
    public (int ExitCode, string Out, string Error) RunWithInput(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = AgentCommandLine.Run(
            [.. args, "--state", StatePath, "--machine-id-file", MachineIdFile, "--trust", TrustPath], Clock, new StringReader(input), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A context as the command line builds it, for calling command code directly.</summary>
    public AgentContext Context(TextWriter? output = null, TextWriter? error = null) =>
        new(Store, new MachineIdSource(MachineIdFile), new LicenseHub.Agent.Trust.TrustAnchorSource(TrustPath), Clock, output ?? TextWriter.Null, error ?? TextWriter.Null);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
