using System.Text;
using System.Text.Json;
using LicenseHub.Tokens;

namespace LicenseHub.Agent.Tests;

public sealed class OfflineCommandTests : IDisposable
{
    private readonly AgentSandbox _sandbox = new();

    public OfflineCommandTests()
    {
        File.WriteAllText(JwksPath, AgentSandbox.Jwks.ToJson());
    }

    private string JwksPath => Path.Combine(_sandbox.Root, "jwks.json");

    private string LicensePath => Path.Combine(_sandbox.Root, "license.jws");

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Request_WithKey_PrintsFourFieldsAndNoSecrets()
    {
        var (exit, output, _) = _sandbox.Run("request", "--key", AgentSandbox.LicenseKey, "--product", "panel", "--product-version", "1.4.2");

        Assert.Equal(0, exit);
        var line = output.Trim();
        Assert.Matches("^[A-Za-z0-9_-]+$", line);
        var json = Encoding.UTF8.GetString(Base64Url.Decode(line));
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(["product", "fingerprint", "product_version", "agent_version"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(AgentSandbox.InstallationFingerprint, doc.RootElement.GetProperty("fingerprint").GetString());
        Assert.Equal("panel", doc.RootElement.GetProperty("product").GetString());
        Assert.DoesNotContain(AgentSandbox.LicenseKey, json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AgentSandbox.MachineId, json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Request_WithKey_StoresSaltButNotKey()
    {
        _sandbox.Run("request", "--key", AgentSandbox.LicenseKey);

        var state = _sandbox.Store.Load()!;
        Assert.Equal(Base64Url.Encode(AgentSandbox.Salt), state.Salt);
        Assert.DoesNotContain(AgentSandbox.LicenseKey, File.ReadAllText(_sandbox.StatePath), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Import_OfflineLicenseForThisMachine_ThenCheckIsLicensed()
    {
        _sandbox.Run("request", "--key", AgentSandbox.LicenseKey, "--product", "panel");
        File.WriteAllText(LicensePath, AgentSandbox.Token(type: TokenTypes.OfflineLicense) + "\n");

        var import = _sandbox.Run("import", LicensePath, "--jwks", JwksPath);
        var check = _sandbox.Run("check");

        Assert.Equal(0, import.ExitCode);
        Assert.Equal(0, check.ExitCode);
        Assert.Equal(TokenTypes.OfflineLicense, _sandbox.Store.Load()!.TokenType);
    }

    [Fact]
    public void Import_WithKeyInsteadOfRequest_Succeeds()
    {
        File.WriteAllText(LicensePath, AgentSandbox.Token(type: TokenTypes.OfflineLicense));

        Assert.Equal(0, _sandbox.Run("import", LicensePath, "--jwks", JwksPath, "--key", AgentSandbox.LicenseKey).ExitCode);
    }

    [Fact]
    public void Import_LicenseIssuedForAnotherMachine_IsRefusedAndNotStored()
    {
        _sandbox.Run("request", "--key", AgentSandbox.LicenseKey);
        File.WriteAllText(LicensePath, AgentSandbox.Token(AgentSandbox.Claims(fingerprint: new string('0', 64)), TokenTypes.OfflineLicense));

        var (exit, _, error) = _sandbox.Run("import", LicensePath, "--jwks", JwksPath);

        Assert.Equal(1, exit);
        Assert.Contains("fingerprint mismatch", error, StringComparison.Ordinal);
        Assert.Null(_sandbox.Store.Load()!.Token);
    }

    [Fact]
    public void Import_OnlineTokenInsteadOfOfflineLicense_IsRefusedAsWrongType()
    {
        _sandbox.Run("request", "--key", AgentSandbox.LicenseKey);
        File.WriteAllText(LicensePath, AgentSandbox.Token(type: TokenTypes.License));

        var (exit, _, error) = _sandbox.Run("import", LicensePath, "--jwks", JwksPath);

        Assert.Equal(1, exit);
        Assert.Contains("type", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_SignedByKeyNotInJwks_IsRefused()
    {
        _sandbox.Run("request", "--key", AgentSandbox.LicenseKey);
        File.WriteAllText(LicensePath, AgentSandbox.Token(type: TokenTypes.OfflineLicense, key: Ed25519KeyPair.Generate()));

        Assert.Equal(1, _sandbox.Run("import", LicensePath, "--jwks", JwksPath).ExitCode);
    }

    [Fact]
    public void Import_WithoutTrustedKeys_ExitsFour()
    {
        _sandbox.Run("request", "--key", AgentSandbox.LicenseKey);
        File.WriteAllText(LicensePath, AgentSandbox.Token(type: TokenTypes.OfflineLicense));

        var (exit, _, error) = _sandbox.Run("import", LicensePath);

        Assert.Equal(4, exit);
        Assert.Contains("--jwks", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_MissingFile_IsUsageError()
    {
        Assert.Equal(2, _sandbox.Run("import", Path.Combine(_sandbox.Root, "nope.jws"), "--jwks", JwksPath).ExitCode);
    }

    [Fact]
    public void TelemetryShow_OfflineLicense_SendsNothing()
    {
        File.WriteAllText(LicensePath, AgentSandbox.Token(type: TokenTypes.OfflineLicense));
        _sandbox.Run("import", LicensePath, "--jwks", JwksPath, "--key", AgentSandbox.LicenseKey);

        var (exit, output, error) = _sandbox.Run("telemetry", "show");

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("sends nothing", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Forget_OfflineLicense_DeletesStateWithoutServer()
    {
        File.WriteAllText(LicensePath, AgentSandbox.Token(type: TokenTypes.OfflineLicense));
        _sandbox.Run("import", LicensePath, "--jwks", JwksPath, "--key", AgentSandbox.LicenseKey);

        Assert.Equal(0, _sandbox.Run("forget").ExitCode);
        Assert.False(File.Exists(_sandbox.StatePath));
        Assert.Equal(1, _sandbox.Run("check").ExitCode);
    }
}
