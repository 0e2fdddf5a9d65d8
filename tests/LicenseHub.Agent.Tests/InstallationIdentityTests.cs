using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LicenseHub.Agent.Commands;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Tests;

/// <summary>
/// Machines that share a machine id (containers of one image, cloned VMs), machines without one, and installations
/// of lh-agent 0.1 that must keep their fingerprint across the upgrade.
/// </summary>
public sealed class InstallationIdentityTests : IDisposable
{
    private readonly AgentSandbox _sandbox = new();
    private readonly AgentSandbox _other = new();

    public InstallationIdentityTests()
    {
        // Both start as fresh machines: no identity yet, the same machine id (AgentSandbox.MachineId).
        File.Delete(_sandbox.IdentityPath);
        File.Delete(_other.IdentityPath);
    }

    public void Dispose()
    {
        _sandbox.Dispose();
        _other.Dispose();
    }

    [Fact]
    public void Request_TwoStatesWithOneMachineId_GiveTwoFingerprints_EachTheDocumentedOne()
    {
        var first = RequestedFingerprint(_sandbox);
        var second = RequestedFingerprint(_other);

        Assert.NotEqual(first, second);
        Assert.Equal(AgentSandbox.InstallationFingerprintFor(IdentityKey(_sandbox), AgentSandbox.MachineId), first);
        Assert.Equal(AgentSandbox.InstallationFingerprintFor(IdentityKey(_other), AgentSandbox.MachineId), second);
        Assert.NotEqual(AgentSandbox.Fingerprint, first);
    }

    [Fact]
    public void Request_OneStateAcrossRestarts_GivesOneFingerprint_AlsoAfterTheStateFileIsLost()
    {
        var first = RequestedFingerprint(_sandbox);
        var key = File.ReadAllText(_sandbox.IdentityPath);

        var again = RequestedFingerprint(_sandbox);
        File.Delete(_sandbox.StatePath);
        var afterLoss = RequestedFingerprint(_sandbox);

        Assert.Equal(first, again);
        Assert.Equal(first, afterLoss);
        Assert.Equal(key, File.ReadAllText(_sandbox.IdentityPath));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void IdentityFile_IsCreatedOnceAs256RandomBits_OwnerOnly_AndNeverCopiedIntoTheStateOrTheRequest()
    {
        var (exit, output, error) = _sandbox.Run("request", "--key", AgentSandbox.LicenseKey);

        Assert.True(exit == 0, error);
        var text = File.ReadAllText(_sandbox.IdentityPath);
        Assert.Matches("^[0-9a-f]{64}\n$", text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_sandbox.IdentityPath));
        var key = text.Trim();
        Assert.DoesNotContain(key, File.ReadAllText(_sandbox.StatePath), StringComparison.Ordinal);
        Assert.DoesNotContain(key, Encoding.UTF8.GetString(Base64Url.Decode(output.Trim())), StringComparison.Ordinal);
        Assert.DoesNotContain(AgentSandbox.MachineId, File.ReadAllText(_sandbox.StatePath), StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText(_sandbox.IdentityPath), RequestAndReadIdentity(_other));
    }

    [Fact]
    public void ReadOrCreate_ManyProcessesAtOnce_AllGetTheFirstKey()
    {
        var keys = new byte[16][];
        Parallel.For(0, keys.Length, i => keys[i] = InstallationIdentity.ReadOrCreate(_sandbox.StatePath));

        Assert.All(keys, key => Assert.Equal(keys[0], key));
        Assert.Equal(Convert.ToHexStringLower(keys[0]), File.ReadAllText(_sandbox.IdentityPath).Trim());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_sandbox.StatePath)!, "*.tmp"));
    }

    [Fact]
    public void Fingerprint_SameIdentityUnderTwoLicenses_GivesUnrelatedFingerprints()
    {
        var a = AgentSandbox.InstallationFingerprintFor(AgentSandbox.IdentityKey, AgentSandbox.MachineId, "KEY-A");
        var b = AgentSandbox.InstallationFingerprintFor(AgentSandbox.IdentityKey, AgentSandbox.MachineId, "KEY-B");

        Assert.NotEqual(a, b);
        Assert.NotEqual(a[..12], b[..12]);
        Assert.Equal(a, Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            InstallationIdentity.DeriveInstallationSalt(AgentSandbox.IdentityKey, MachineFingerprint.DeriveSalt("KEY-A")),
            Encoding.UTF8.GetBytes(AgentSandbox.MachineId))));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Request_NoMachineIdAtAll_CreatesOneInTheStateDirectory_AndKeepsTheFingerprint()
    {
        var ctx = ContextWithoutMachineId(_sandbox);

        Assert.Equal(0, OfflineCommands.Request(ctx, AgentSandbox.LicenseKey, "panel", "1.0.0"));
        var generatedPath = Path.Combine(Path.GetDirectoryName(_sandbox.StatePath)!, "machine-id");
        var generated = File.ReadAllText(generatedPath);
        Assert.Matches("^[0-9a-f]{32}\n$", generated);
        // As readable as /etc/machine-id: the product passes it as --machine-id-file.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(generatedPath));
        var state = _sandbox.Store.Load()!;
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Base64Url.Decode(state.InstallationSalt!), Encoding.UTF8.GetBytes(generated.Trim())));

        // A restart: the same directory gives the same machine id and fingerprint; check reads it without creating.
        var restarted = ContextWithoutMachineId(_sandbox);
        Assert.Equal(expected, restarted.MachineId.Fingerprint(state.GetFingerprintSalt()!));
        Assert.Equal(AgentSandbox.InstallationFingerprintFor(IdentityKey(_sandbox), generated.Trim()), expected);
        Assert.Equal(generated, File.ReadAllText(generatedPath));
    }

    [Fact]
    public void Check_NoMachineIdAndNothingActivated_SaysActivateCreatesOne()
    {
        var source = new MachineIdSource(["/nonexistent/etc/machine-id"], Path.Combine(_sandbox.Root, "state", "machine-id"));

        var e = Assert.Throws<MachineIdException>(() => source.Fingerprint(AgentSandbox.Salt));

        Assert.Contains("no machine id found (looked for /nonexistent/etc/machine-id and ", e.Message, StringComparison.Ordinal);
        Assert.Contains("'lh-agent activate' creates one in the state directory", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_sandbox.Root, "state", "machine-id")), "Only an activation or a request creates a machine id.");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Request_StateDirectoryNotWritable_ExitsFourNamingTheDirectoryAndTheVolume()
    {
        var (statePath, restore) = UnwritableStatePath();
        try
        {
            var (exit, error) = RunWithState(statePath, "request", "--key", AgentSandbox.LicenseKey);

            Assert.Equal(4, exit);
            Assert.Contains($"cannot create the state directory for {statePath}", error, StringComparison.Ordinal);
            Assert.Contains($"lh-agent keeps its identity and state in {Path.GetDirectoryName(statePath)}, which must be writable by the user lh-agent runs as", error, StringComparison.Ordinal);
            Assert.Contains("docker run -v lh-agent-state:/var/lib/lh-agent", error, StringComparison.Ordinal);
        }
        finally
        {
            restore();
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Activate_StateDirectoryNotWritable_FailsBeforeTheKeyLeavesTheMachine()
    {
        var (statePath, restore) = UnwritableStatePath();
        try
        {
            // Nothing listens on port 9: a network attempt would be exit 3, not 4.
            var (exit, error) = RunWithState(statePath, "activate", AgentSandbox.LicenseKey, "--server", "http://127.0.0.1:9");

            Assert.Equal(4, exit);
            Assert.Contains($"cannot create the installation identity {statePath}.identity", error, StringComparison.Ordinal);
            Assert.Contains("docker run -v lh-agent-state:/var/lib/lh-agent", error, StringComparison.Ordinal);
            Assert.DoesNotContain("unreachable", error, StringComparison.Ordinal);
        }
        finally
        {
            restore();
        }
    }

    [Fact]
    public void IdentityFile_Corrupt_IsAClearStateProblem()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StatePath)!);
        File.WriteAllText(_sandbox.IdentityPath, "not-hex\n");

        var (exit, _, error) = _sandbox.Run("request", "--key", AgentSandbox.LicenseKey);

        Assert.Equal(4, exit);
        Assert.Contains($"the installation identity {_sandbox.IdentityPath} is corrupt", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Upgrade_StateOfVersion01_KeepsItsFingerprintWhenActivatedOrRequestedAgainUnderTheSameLicense()
    {
        var legacy = _sandbox.WriteActivatedState();
        Assert.True(legacy.HasLegacyFingerprint);

        Assert.Null(InstallationIdentity.ForActivation(_sandbox.StatePath, legacy, AgentSandbox.Salt));
        Assert.Equal(0, _sandbox.Run("check").ExitCode);
        Assert.False(File.Exists(_sandbox.IdentityPath), "check must not create an identity for a 0.1 installation");

        // Activating again (here: offline request) under the same license stays the same machine to the server.
        var forget = JsonNode.Parse(File.ReadAllText(_sandbox.StatePath))!.AsObject();
        forget.Remove("installation_id");
        forget.Remove("installation_secret");
        forget.Remove("token");
        forget.Remove("token_type");
        File.WriteAllText(_sandbox.StatePath, forget.ToJsonString());
        Assert.Equal(AgentSandbox.Fingerprint, RequestedFingerprint(_sandbox));
        Assert.Null(_sandbox.Store.Load()!.InstallationSalt);

        // Another license on this machine is a new installation, with the identity.
        Assert.NotNull(InstallationIdentity.ForActivation(_sandbox.StatePath, legacy, MachineFingerprint.DeriveSalt("ANOTHER-KEY")));
    }

    [Fact]
    public void ActivateAgain_StateWithInstallationSalt_KeepsItEvenWithoutTheIdentityFile()
    {
        RequestedFingerprint(_sandbox);
        var state = _sandbox.Store.Load()!;
        File.Delete(_sandbox.IdentityPath);

        var kept = InstallationIdentity.ForActivation(_sandbox.StatePath, state, AgentSandbox.Salt);

        Assert.Equal(state.InstallationSalt, Base64Url.Encode(kept!));
        Assert.False(File.Exists(_sandbox.IdentityPath));
    }

    [Fact]
    public void LicenseFile_PublishesTheInstallationSalt_SoTheProductsRecipeIsUnchanged()
    {
        File.Delete(_sandbox.IdentityPath);
        Assert.Equal(0, _sandbox.Run("request", "--key", AgentSandbox.LicenseKey, "--product", "panel").ExitCode);
        var fingerprint = AgentSandbox.InstallationFingerprintFor(IdentityKey(_sandbox), AgentSandbox.MachineId);
        var jwks = Path.Combine(_sandbox.Root, "jwks.json");
        var license = Path.Combine(_sandbox.Root, "offline.jws");
        File.WriteAllText(jwks, AgentSandbox.Jwks.ToJson());
        File.WriteAllText(license, AgentSandbox.Token(AgentSandbox.Claims(fingerprint), TokenTypes.OfflineLicense));

        var (exit, _, error) = _sandbox.Run("import", license, "--jwks", jwks);

        Assert.True(exit == 0, error);
        using var file = JsonDocument.Parse(File.ReadAllText(_sandbox.LicenseFilePath));
        var salt = Base64Url.Decode(file.RootElement.GetProperty("fingerprint_salt").GetString()!);
        // What docs/verify-in-your-product.md tells the product to compute: HMAC-SHA256(fingerprint_salt, machine id).
        Assert.Equal(fingerprint, Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(AgentSandbox.MachineId))));
        Assert.Equal(0, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public void Forget_DeletesTheIdentity_SoTheNextActivationIsANewInstallation()
    {
        var before = RequestedFingerprint(_sandbox);

        Assert.Equal(0, _sandbox.Run("forget", "--force").ExitCode);
        Assert.False(File.Exists(_sandbox.IdentityPath));
        Assert.NotEqual(before, RequestedFingerprint(_sandbox));
    }

    private (int ExitCode, string Error) RunWithState(string statePath, params string[] args)
    {
        var error = new StringWriter();
        var exit = AgentCommandLine.Run([.. args, "--state", statePath, "--machine-id-file", _sandbox.MachineIdFile, "--trust", _sandbox.TrustPath],
            _sandbox.Clock, TextWriter.Null, error);
        return (exit, error.ToString());
    }

    private static string RequestedFingerprint(AgentSandbox sandbox)
    {
        var (exit, output, error) = sandbox.Run("request", "--key", AgentSandbox.LicenseKey);
        Assert.True(exit == 0, error);
        using var request = JsonDocument.Parse(Base64Url.Decode(output.Trim()));
        return request.RootElement.GetProperty("fingerprint").GetString()!;
    }

    private static string RequestAndReadIdentity(AgentSandbox sandbox)
    {
        RequestedFingerprint(sandbox);
        return File.ReadAllText(sandbox.IdentityPath);
    }

    private static byte[] IdentityKey(AgentSandbox sandbox) => Convert.FromHexString(File.ReadAllText(sandbox.IdentityPath).Trim());

    private static AgentContext ContextWithoutMachineId(AgentSandbox sandbox) => new(
        sandbox.Store,
        new MachineIdSource(["/nonexistent/etc/machine-id", "/nonexistent/var/lib/dbus/machine-id"], Path.Combine(Path.GetDirectoryName(sandbox.StatePath)!, "machine-id")),
        new LicenseHub.Agent.Trust.TrustAnchorSource(sandbox.TrustPath),
        sandbox.Clock,
        TextWriter.Null,
        TextWriter.Null);

    /// <summary>A state path lh-agent cannot create files next to: a read-only directory, or for root (whom modes do not stop) /sys.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private (string StatePath, Action Restore) UnwritableStatePath()
    {
        if (Environment.IsPrivilegedProcess)
        {
            return ($"/sys/lh-agent-tests-{Guid.NewGuid():N}/state.json", () => { });
        }

        var directory = Path.Combine(_sandbox.Root, "read-only");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return (Path.Combine(directory, "state.json"), () => File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }
}
