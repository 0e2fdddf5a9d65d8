using System.CommandLine;
using LicenseHub.Agent.Commands;

namespace LicenseHub.Agent.Tests;

/// <summary>
/// The license key from standard input ('-') or a file (--key-file), so that it need not appear in 'ps':
/// for 'activate' (KEY), 'request' and 'import' (--key).
/// </summary>
public sealed class LicenseKeyInputTests : IDisposable
{
    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private string KeyFile => Path.Combine(_sandbox.Root, "license.key");

    [Fact]
    public void Request_KeyFile_SameRequestAsKeyOnCommandLine()
    {
        var expected = RequestWithKeyOnCommandLine();
        File.WriteAllText(KeyFile, "  " + AgentSandbox.LicenseKey + "\n\n");

        var (exit, output, _) = _sandbox.Run("request", "--key-file", KeyFile, "--product", "panel");

        Assert.Equal(0, exit);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Request_KeyDashReadsStandardInput_SameRequestAsKeyOnCommandLine()
    {
        var expected = RequestWithKeyOnCommandLine();

        var (exit, output, _) = _sandbox.RunWithInput(AgentSandbox.LicenseKey + "\r\n", "request", "--key", "-", "--product", "panel");

        Assert.Equal(0, exit);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Request_KeyFileDashReadsStandardInput()
    {
        var expected = RequestWithKeyOnCommandLine();

        var (exit, output, _) = _sandbox.RunWithInput(AgentSandbox.LicenseKey, "request", "--key-file", "-", "--product", "panel");

        Assert.Equal(0, exit);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Request_KeyAndKeyFile_IsUsageError()
    {
        File.WriteAllText(KeyFile, AgentSandbox.LicenseKey);

        var (exit, output, error) = _sandbox.Run("request", "--key", AgentSandbox.LicenseKey, "--key-file", KeyFile);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("either as --key or with --key-file, not both", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_NoKey_IsUsageErrorNamingTheWays()
    {
        var (exit, _, error) = _sandbox.Run("request");

        Assert.Equal(2, exit);
        Assert.Contains("no license key: give it as --key, as '-' to read it from standard input, or with --key-file PATH", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_KeyFile_UsedForTheFingerprint()
    {
        File.WriteAllText(KeyFile, AgentSandbox.LicenseKey + "\n");
        var jwks = Path.Combine(_sandbox.Root, "jwks.json");
        File.WriteAllText(jwks, AgentSandbox.Jwks.ToJson());
        var license = Path.Combine(_sandbox.Root, "license.jws");
        File.WriteAllText(license, AgentSandbox.Token(type: LicenseHub.Tokens.TokenTypes.OfflineLicense));

        // No 'request' ran: without the key from the file, the fingerprint could not be checked (exit 4).
        var (exit, _, error) = _sandbox.Run("import", license, "--jwks", jwks, "--key-file", KeyFile);

        Assert.True(exit == 0, error);
        Assert.Equal(0, _sandbox.Run("check").ExitCode);
    }

    [Fact]
    public void Activate_KeyFromStandardInput_GoesOnToTheServer()
    {
        // Port 1 on loopback refuses connections: exit 3 means the key was read and activation went ahead.
        var (exit, _, error) = _sandbox.RunWithInput(AgentSandbox.LicenseKey + "\n", "activate", "-", "--server", "http://127.0.0.1:1");

        Assert.Equal(3, exit);
        Assert.Contains("unreachable", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_KeyFile_GoesOnToTheServer()
    {
        File.WriteAllText(KeyFile, AgentSandbox.LicenseKey + "\n");

        var (exit, _, error) = _sandbox.Run("activate", "--key-file", KeyFile, "--server", "http://127.0.0.1:1");

        Assert.Equal(3, exit);
        Assert.Contains("unreachable", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_EmptyStandardInput_IsUsageError()
    {
        var (exit, _, error) = _sandbox.RunWithInput(" \n", "activate", "-", "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("no license key on standard input", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_EmptyKeyFile_IsUsageError()
    {
        File.WriteAllText(KeyFile, "\n");

        var (exit, _, error) = _sandbox.Run("activate", "--key-file", KeyFile, "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains($"the license key file {KeyFile} is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_MissingKeyFile_IsUsageError()
    {
        var (exit, _, error) = _sandbox.Run("activate", "--key-file", KeyFile, "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains($"cannot read the license key file {KeyFile}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_KeyFileWithSeveralLines_IsUsageError()
    {
        // E.g. the CSV of 'lhctl license assign' instead of one key from it.
        File.WriteAllText(KeyFile, "license_id,license_key,reseller_reference\n1," + AgentSandbox.LicenseKey + ",\n");

        var (exit, _, error) = _sandbox.Run("activate", "--key-file", KeyFile, "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("holds more than one line", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_HugeKeyFile_IsUsageError()
    {
        File.WriteAllText(KeyFile, new string('A', 100_000));

        var (exit, _, error) = _sandbox.Run("activate", "--key-file", KeyFile, "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("holds more than a license key can be", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_KeyAndKeyFile_IsUsageError()
    {
        File.WriteAllText(KeyFile, AgentSandbox.LicenseKey);

        var (exit, _, error) = _sandbox.Run("activate", AgentSandbox.LicenseKey, "--key-file", KeyFile, "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("either as KEY or with --key-file, not both", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_NoKey_IsUsageError()
    {
        var (exit, _, error) = _sandbox.Run("activate", "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("no license key", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_BlankKey_IsUsageErrorAsBefore()
    {
        var (exit, _, error) = _sandbox.Run("activate", " ", "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("the license key is empty", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("activate")]
    [InlineData("request")]
    [InlineData("import")]
    public void Help_KeyCommands_OfferKeyFile(string command)
    {
        var (exit, output, _) = _sandbox.Run(command, "--help");

        Assert.Equal(0, exit);
        Assert.Contains("--key-file", output, StringComparison.Ordinal);
        Assert.Contains("'ps'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_EveryOptionAndArgument_IsDescribed()
    {
        var root = new AgentCommandLine(TimeProvider.System, TextReader.Null, TextWriter.Null, TextWriter.Null).Root;

        var missing = Commands(root)
            .SelectMany(c => c.Options.Select(o => (c.Name, Symbol: (Symbol)o)).Concat(c.Arguments.Select(a => (c.Name, Symbol: (Symbol)a))))
            .Where(x => x.Symbol is not System.CommandLine.Help.HelpOption and not VersionOption && string.IsNullOrWhiteSpace(x.Symbol.Description))
            .Select(x => $"{x.Name} {x.Symbol.Name}")
            .ToList();

        Assert.Empty(missing);
        Assert.Contains(Commands(root), c => c.Name == "activate" && c.Options.Any(o => o.Name == "--allow-insecure-transport"));
    }

    private static IEnumerable<Command> Commands(Command command) => command.Subcommands.SelectMany(Commands).Prepend(command);

    private string RequestWithKeyOnCommandLine()
    {
        var (exit, output, _) = _sandbox.Run("request", "--key", AgentSandbox.LicenseKey, "--product", "panel");
        Assert.Equal(0, exit);
        return output;
    }
}
