using System.CommandLine;

namespace LicenseHub.Server.Hosting;

/// <summary>
/// The <c>licensehub</c> command line: <c>serve</c> (also with no command at all, which is how systemd and the README
/// start it) and the operator commands, each with <c>--help</c>. The options for the configuration that matters are
/// shared by every command, so <c>licensehub trust export --data-directory /var/lib/licensehub</c> reads the database the
/// server would.
/// </summary>
public static class ServerCommandLine
{
    /// <summary>Exit code of a start the server refused (<see cref="StartRefusedException"/>), after it said why.</summary>
    public const int StartRefusedExitCode = 1;

    private sealed record Setting(Option<string> Option, string EnvironmentVariable);

    private static readonly Setting[] Settings =
    [
        Named("--data-directory", "LicenseHub__DataDirectory",
            "Directory of the SQLite database, the development key-encryption key and the first vendor admin key (LicenseHub:DataDirectory; default ./data)."),
        Named("--database", "Database__Provider", "Sqlite (default) or Postgres (Database:Provider).", "Sqlite", "Postgres"),
        Named("--connection-string", "ConnectionStrings__LicenseHub",
            "Database connection string (ConnectionStrings:LicenseHub): required for Postgres. Prefer the environment variable " +
            "ConnectionStrings__LicenseHub for a password: command lines are visible to every user of the machine."),
        Named("--grpc-url", "Kestrel__Endpoints__Grpc__Url", "Where gRPC (HTTP/2) listens (Kestrel:Endpoints:Grpc:Url; default http://127.0.0.1:5080)."),
        Named("--web-url", "Kestrel__Endpoints__Web__Url",
            "Where REST, the portal, JWKS, health and metrics (HTTP/1.1) listen (Kestrel:Endpoints:Web:Url; default http://127.0.0.1:5081)."),
        Named("--key-encryption-key-file", "LicenseHub__KeyEncryptionKeyFile",
            "File with the key that encrypts the signing keys at rest (LicenseHub:KeyEncryptionKeyFile; or the environment variable LICENSEHUB_KEK)."),
        Named("--log-format", "LicenseHub__LogFormat",
            "Console log lines: simple (default on a terminal), systemd (default under systemd) or json, one JSON object a line (LicenseHub:LogFormat).",
            "simple", "systemd", "json"),
    ];

    private static Setting Named(string name, string environmentVariable, string description, params string[] values)
    {
        // Values are checked where the configuration is read (case-insensitively), as for the same key from a file.
        var option = new Option<string>(name) { Description = description, Recursive = true, HelpName = values.Length > 0 ? string.Join('|', values) : null };
        return new Setting(option, environmentVariable);
    }

    /// <summary>Parses <paramref name="args"/> and runs the command; <paramref name="serve"/> gets the arguments the host reads as configuration.</summary>
    public static async Task<int> InvokeAsync(string[] args, Func<string[], Task<int>> serve)
    {
        var serveCommand = new Command("serve",
            "Run the license server (the default when no command is given). Any configuration key can also be given as --Section:Key=value, " +
            "for example --LicenseHub:CheckInInterval=00:30:00.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var root = new RootCommand(
            "LicenseHub license server. Without a command it serves. Configuration comes from appsettings.json (next to the binary, then the " +
            "working directory), then environment variables (LicenseHub__DataDirectory=...), then these options; see the README, " +
            "'Configuration that matters'. Other keys: LicenseHub:Metrics:Prometheus (true: GET /metrics for Prometheus), " +
            "OTEL_EXPORTER_OTLP_ENDPOINT (OTLP traces and metrics), LicenseHub:InitializeNewDatabase, Retention:*.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var setting in Settings)
        {
            root.Options.Add(setting.Option);
        }
        root.Subcommands.Add(serveCommand);
        foreach (var command in BackupCommands.Create())
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(TrustCommands.Create());
        root.Subcommands.Add(RetentionCommands.Create());

        Func<ParseResult, CancellationToken, Task<int>> serveAction = async (parse, _) =>
        {
            var rest = parse.UnmatchedTokens.ToArray();
            if (rest.Length > 0 && !rest[0].StartsWith('-'))
            {
                await Console.Error.WriteLineAsync($"licensehub: unknown command '{rest[0]}'. See 'licensehub --help'.");
                return 2;
            }
            Apply(parse);
            return await ServeAsync(serve, rest);
        };
        root.SetAction(serveAction);
        serveCommand.SetAction(serveAction);

        // '@file' is an ordinary value here (a path, a password), not a file of more arguments.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var serving = parse.CommandResult.Command == root || parse.CommandResult.Command == serveCommand;
        if (!serving)
        {
            Apply(parse);
        }
        return await parse.InvokeAsync(new InvocationConfiguration
        {
            // The server shuts down gracefully on SIGTERM by itself (in-flight calls finish); the parser must not end it after 2 s.
            ProcessTerminationTimeout = serving ? null : TimeSpan.FromSeconds(2),
            // A failed start must reach the host (and WebApplicationFactory in tests) as what it is.
            EnableDefaultExceptionHandler = !serving,
        });
    }

    /// <summary>
    /// The options are configuration keys by another name: set as the environment variables the configuration reads, so the
    /// server and every operator command (which build their configuration in different places) see them the same way.
    /// </summary>
    private static void Apply(ParseResult parse)
    {
        foreach (var setting in Settings)
        {
            if (parse.GetValue(setting.Option) is { } value)
            {
                Environment.SetEnvironmentVariable(setting.EnvironmentVariable, value);
            }
        }
    }

    private static async Task<int> ServeAsync(Func<string[], Task<int>> serve, string[] hostArguments)
    {
        try
        {
            return await serve(hostArguments);
        }
        catch (Exception e) when (Refusal(e) is { } refusal)
        {
            // Said in one line, without a stack: the operator's to fix (a port in use, a lost or corrupt database, a full disk).
            await Console.Error.WriteLineAsync($"licensehub: cannot start: {refusal.Message}");
            return StartRefusedExitCode;
        }
    }

    private static StartRefusedException? Refusal(Exception exception) => exception switch
    {
        StartRefusedException refused => refused,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Refusal).FirstOrDefault(r => r is not null),
        { InnerException: { } inner } => Refusal(inner),
        _ => null,
    };
}

/// <summary>The server will not start, for a reason the operator can fix; the message says which and how.</summary>
public class StartRefusedException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
