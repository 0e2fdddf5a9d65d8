using System.CommandLine;
using LicenseHub.LoadGen;

var modes = new Option<string[]>("--mode", "-m")
{
    Description = "Workloads, run in turn within each round: health (grpc.health.v1 Check, the baseline), checkin, activate, assign. "
        + "Repeat the option or separate with commas.",
    DefaultValueFactory = _ => ["health", "checkin"],
    AllowMultipleArgumentsPerToken = true,
    HelpName = "MODE",
};
var rounds = new Option<int>("--rounds") { Description = "Rounds; each runs every mode once, so a baseline and its subject share the machine's noise.", DefaultValueFactory = _ => 3 };
var duration = new Option<double>("--duration") { Description = "Seconds measured per mode and round (bounded).", DefaultValueFactory = _ => 10 };
var warmup = new Option<double>("--warmup") { Description = "Seconds of unmeasured calls before each measurement.", DefaultValueFactory = _ => 2 };
var requests = new Option<long>("--requests") { Description = "At most this many calls per measurement.", DefaultValueFactory = _ => 2_000_000 };
var concurrency = new Option<int>("--concurrency", "-c") { Description = "Calls in flight at once (closed loop).", DefaultValueFactory = _ => 64 };
var connections = new Option<int>("--connections") { Description = "HTTP/2 connections the calls are spread over.", DefaultValueFactory = _ => 4 };
var paced = new Option<double>("--paced")
{
    Description = "After each maximum-throughput measurement, also offer this fraction of the measured rate on a fixed schedule "
        + "(open loop) and report its latency, e.g. 0.5 for 'p99 at half the maximum throughput'. 0 = off.",
    DefaultValueFactory = _ => 0,
};
var pacedSameRate = new Option<bool>("--paced-same-rate")
{
    Description = "With --paced: offer every mode of a round the same rate, the fraction of the slowest mode's maximum (e.g. check-in p99 "
        + "at half its maximum ÷ health p99 at that same rate), after all maximum measurements of the round.",
};
var installations = new Option<int>("--installations") { Description = "checkin: distinct installations activated during setup.", DefaultValueFactory = _ => 2_000 };
var activations = new Option<int>("--activations") { Description = "activate: at most this many activations (one new license each) per measurement.", DefaultValueFactory = _ => 2_000 };
var assignSize = new Option<int>("--assign-size") { Description = "assign: licenses per AssignLicenses call (and rows of the raw insert baseline).", DefaultValueFactory = _ => 10_000 };
var credentials = new Option<string?>("--credentials") { Description = "checkin: installations to check in as (file from LicenseHub.Seed) instead of activating new ones.", HelpName = "FILE" };
var saveCredentials = new Option<string?>("--save-credentials") { Description = "checkin: write the installations activated during setup to this file.", HelpName = "FILE" };
var startServer = new Option<bool>("--start-server") { Description = "Start the real server process (licensehub.dll) on free loopback ports with a temporary data directory; stop it at the end." };
var serverDll = new Option<string?>("--server-dll") { Description = "licensehub.dll to start (default: this repository's build of the same configuration).", HelpName = "PATH" };
var dataDir = new Option<string?>("--data-dir") { Description = "With --start-server: use this data directory (e.g. one filled by LicenseHub.Seed) and keep it.", HelpName = "DIR" };
var serverEnv = new Option<string[]>("--server-env") { Description = "With --start-server: NAME=VALUE environment for the server (repeatable).", AllowMultipleArgumentsPerToken = false, HelpName = "NAME=VALUE" };
var server = new Option<string?>("--server") { Description = "gRPC URL of a running server on this machine (loopback only).", HelpName = "URL" };
var vendorKeyFile = new Option<string?>("--vendor-key-file") { Description = "With --server: file holding the vendor admin API key.", HelpName = "FILE" };
var jsonOut = new Option<string?>("--json-out") { Description = "Append every measurement as one JSON line to this file (input of 'report').", HelpName = "FILE" };
var label = new Option<string>("--label") { Description = "Label stored with the measurements (e.g. 1k-licenses).", DefaultValueFactory = _ => "" };
var timeLimit = new Option<double>("--time-limit") { Description = "Hard limit in seconds for the whole run; calls still running then are cancelled.", DefaultValueFactory = _ => 1800 };

var root = new RootCommand(
    "LicenseHub load generator: drives the real server over gRPC on loopback with many concurrent calls over a few HTTP/2 "
    + "connections, bounded in count and time, and prints throughput and p50/p95/p99 latency. The health mode is the baseline; "
    + "ratios are against it within the same round.")
{
    modes, rounds, duration, warmup, requests, concurrency, connections, paced, pacedSameRate, installations, activations, assignSize, credentials,
    saveCredentials, startServer, serverDll, dataDir, serverEnv, server, vendorKeyFile, jsonOut, label, timeLimit,
};
root.SetAction(async (parse, ct) =>
{
    try
    {
        var selected = parse.GetValue(modes)!.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(m => m.ToLowerInvariant()).ToList();
        foreach (var m in selected.Where(m => !LoadOptions.KnownModes.Contains(m)))
        {
            throw new UsageException($"Unknown mode '{m}'; use {string.Join(", ", LoadOptions.KnownModes)}.");
        }
        var start = parse.GetValue(startServer);
        var url = parse.GetValue(server);
        if (start == (url is not null))
        {
            throw new UsageException("Give either --start-server or --server URL (with --vendor-key-file).");
        }
        if (url is not null && parse.GetValue(vendorKeyFile) is null)
        {
            throw new UsageException("--server needs --vendor-key-file.");
        }
        var environment = new Dictionary<string, string>();
        foreach (var pair in parse.GetValue(serverEnv) ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new UsageException($"--server-env '{pair}' is not NAME=VALUE.");
            }
            environment[pair[..eq]] = pair[(eq + 1)..];
        }
        var options = new LoadOptions
        {
            Modes = selected,
            Rounds = Positive(parse.GetValue(rounds), "--rounds"),
            Duration = TimeSpan.FromSeconds(Positive(parse.GetValue(duration), "--duration")),
            Warmup = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(warmup))),
            MaxRequests = Positive(parse.GetValue(requests), "--requests"),
            Concurrency = Positive(parse.GetValue(concurrency), "--concurrency"),
            Connections = Positive(parse.GetValue(connections), "--connections"),
            PacedFraction = Math.Clamp(parse.GetValue(paced), 0, 1),
            PacedSameRate = parse.GetValue(pacedSameRate),
            Installations = Positive(parse.GetValue(installations), "--installations"),
            Activations = Positive(parse.GetValue(activations), "--activations"),
            AssignSize = Positive(parse.GetValue(assignSize), "--assign-size"),
            CredentialsFile = parse.GetValue(credentials),
            SaveCredentials = parse.GetValue(saveCredentials),
            StartServer = start,
            ServerDll = parse.GetValue(serverDll),
            DataDirectory = parse.GetValue(dataDir),
            ServerEnvironment = environment,
            ServerUrl = url,
            VendorKeyFile = parse.GetValue(vendorKeyFile),
            JsonOut = parse.GetValue(jsonOut),
            Label = parse.GetValue(label)!,
            TimeLimit = TimeSpan.FromSeconds(Positive(parse.GetValue(timeLimit), "--time-limit")),
        };
        return await LoadRun.RunAsync(options, Console.Out, ct);
    }
    catch (UsageException ex)
    {
        Console.Error.WriteLine("lh-loadgen: " + ex.Message);
        return 2;
    }
});

var reportFiles = new Argument<string[]>("files") { Description = "JSON-lines files written with --json-out.", Arity = ArgumentArity.OneOrMore };
var baselineLabel = new Option<string?>("--baseline-label") { Description = "Also print each label's throughput relative to this label's.", HelpName = "LABEL" };
var report = new Command("report", "Summarise measurements written with --json-out: medians, spread and ratios.") { reportFiles, baselineLabel };
report.SetAction(parse =>
{
    try
    {
        Summary.Print(Console.Out, ResultLog.Read(parse.GetValue(reportFiles)!), parse.GetValue(baselineLabel));
        return 0;
    }
    catch (UsageException ex)
    {
        Console.Error.WriteLine("lh-loadgen: " + ex.Message);
        return 2;
    }
});
root.Add(report);

return await root.Parse(args).InvokeAsync();

static T Positive<T>(T value, string name) where T : System.Numerics.INumber<T> =>
    value > T.Zero ? value : throw new UsageException($"{name} must be positive.");
