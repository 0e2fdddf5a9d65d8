using System.CommandLine;
using LicenseHub.Agent.State;

namespace LicenseHub.Agent.Commands;

/// <summary>The lh-agent command tree and its global options.</summary>
internal sealed class AgentCommandLine
{
    private readonly TimeProvider _clock;
    private readonly TextWriter _output;
    private readonly TextWriter _error;

    private readonly Option<string?> _state = new("--state")
    {
        Description = $"State file (default: ${AgentStateStore.EnvironmentVariable}, else {AgentStateStore.DefaultPath}).",
        HelpName = "PATH",
        Recursive = true,
    };

    private readonly Option<string?> _machineIdFile = new("--machine-id-file")
    {
        Description = $"Read the machine id from this file (default: ${MachineIdSource.EnvironmentVariable}, else /etc/machine-id).",
        HelpName = "PATH",
        Recursive = true,
        Hidden = false,
    };

    private readonly Option<string?> _trust = new("--trust")
    {
        Description = $"The vendor's trust anchor (JWKS of its root keys; default: ${Trust.TrustAnchorSource.EnvironmentVariable}, else {Trust.TrustAnchorSource.DefaultPath}). " +
            "Ignored when an anchor is built into lh-agent.",
        HelpName = "PATH",
        Recursive = true,
    };

    private readonly Option<string?> _licenseFile = new("--license-file")
    {
        Description = $"The license file the product verifies (default: ${Trust.LicenseFilePublisher.PathVariable}, else license.json next to the state file).",
        HelpName = "PATH",
        Recursive = true,
    };

    private readonly Option<string?> _licenseGroup = new("--license-group")
    {
        Description = $"Group that may read the license file, e.g. www-data (default: ${Trust.LicenseFilePublisher.GroupVariable}, else lh-agent's own group).",
        HelpName = "GROUP",
        Recursive = true,
    };

    public AgentCommandLine(TimeProvider clock, TextReader input, TextWriter output, TextWriter error)
    {
        _clock = clock;
        Input = input;
        _output = output;
        _error = error;
        Root = new RootCommand(
            "lh-agent: proves this machine's LicenseHub license with a signed token, online or air-gapped.\n" +
            "It sends only a pseudonymous fingerprint, versions and, at telemetry level basic, OS and CPU facts.\n\n" +
            ExitCodes.HelpTable.TrimEnd() + "\n\n" +
            $"Environment:\n  {AgentStateStore.EnvironmentVariable}  state file path\n  {MachineIdSource.EnvironmentVariable}  machine id file (for tests and containers)\n" +
            $"  {Trust.TrustAnchorSource.EnvironmentVariable}  trust anchor file\n  {Trust.LicenseFilePublisher.PathVariable}  license file path\n" +
            $"  {Trust.LicenseFilePublisher.GroupVariable}  group that may read the license file")
        {
            _state,
            _machineIdFile,
            _trust,
            _licenseFile,
            _licenseGroup,
            ActivateCommand.Create(this),
            StatusCommands.CreateStatus(this),
            StatusCommands.CreateCheck(this),
            RunCommand.Create(this),
            TelemetryCommand.Create(this),
            ForgetCommand.Create(this),
            OfflineCommands.CreateRequest(this),
            OfflineCommands.CreateImport(this),
            TokenCommand.Create(this),
        };
    }

    public RootCommand Root { get; }

    /// <summary>Standard input, for a license key given as <c>-</c>.</summary>
    public TextReader Input { get; }

    /// <summary>Parses and runs with nothing on standard input.</summary>
    public static int Run(string[] args, TimeProvider clock, TextWriter output, TextWriter error) =>
        Run(args, clock, TextReader.Null, output, error);

    /// <summary>Parses and runs; usage errors exit with 2 rather than System.CommandLine's 1.</summary>
    public static int Run(string[] args, TimeProvider clock, TextReader input, TextWriter output, TextWriter error)
    {
        var cli = new AgentCommandLine(clock, input, output, error);
        var parse = cli.Root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine("lh-agent: " + parseError.Message);
            }

            error.WriteLine("Run 'lh-agent --help' for usage.");
            return ExitCodes.Usage;
        }

        return parse.Invoke(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // 'run' handles SIGTERM/SIGINT itself; other commands may be interrupted at any point because
            // every state write is atomic.
            ProcessTerminationTimeout = null,
        });
    }

    public AgentContext Context(ParseResult parse)
    {
        var statePath = AgentStateStore.FromEnvironment(parse.GetValue(_state)).Path;
        return new(
            new AgentStateStore(statePath)
            {
                LicenseFile = Trust.LicenseFilePublisher.FromEnvironment(statePath, parse.GetValue(_licenseFile), parse.GetValue(_licenseGroup)),
            },
            MachineIdSource.FromEnvironment(parse.GetValue(_machineIdFile), Path.GetDirectoryName(statePath)),
            Trust.TrustAnchorSource.FromEnvironment(parse.GetValue(_trust)),
            _clock,
            _output,
            _error);
    }
}
