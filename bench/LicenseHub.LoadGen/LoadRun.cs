using System.Diagnostics;
using System.Globalization;
using Grpc.Health.V1;
using LicenseHub.V1;

namespace LicenseHub.LoadGen;

/// <summary>One invocation: connect or start the server, set up what the modes need, measure, summarise.</summary>
public static class LoadRun
{
    private static readonly HealthCheckRequest HealthRequest = new();

    public static async Task<int> RunAsync(LoadOptions options, TextWriter log, CancellationToken outer)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(outer);
        limit.CancelAfter(options.TimeLimit);
        var ct = limit.Token;
        var results = new List<ResultLine>();
        var run = DateTimeOffset.UtcNow.ToString("yyyyMMddTHHmmss.fff", CultureInfo.InvariantCulture);

        await using var server = options.StartServer
            ? await ServerUnderTest.StartAsync(options.ServerDll, options.DataDirectory, options.ServerEnvironment, log, ct)
            : ServerUnderTest.Existing(options.ServerUrl!, options.VendorKeyFile!);
        var vendorKey = await server.ReadVendorKeyAsync();
        using var connections = new Connections(server.GrpcUrl, options.Connections);
        await connections.ConnectAsync(ct);
        var driver = new LoadDriver(connections.Invokers);
        log.WriteLine(F($"Target {server.GrpcUrl}; modes {string.Join(",", options.Modes)}; {options.Rounds} round(s) of {options.Duration.TotalSeconds:F0} s "
            + $"(+{options.Warmup.TotalSeconds:F0} s warm-up); {options.Concurrency} calls in flight over {options.Connections} connection(s)"));

        BenchCatalogue? catalogue = null;
        async Task<BenchCatalogue> Catalogue() => catalogue ??= await BenchCatalogue.CreateAsync(connections.First, vendorKey, ct);

        // Setup, not timed.
        CheckInRequest[] checkIns = [];
        if (options.Modes.Contains("checkin"))
        {
            IReadOnlyList<InstallationCredential> creds;
            if (options.CredentialsFile is not null)
            {
                creds = CredentialsFile.Read(options.CredentialsFile);
                log.WriteLine($"Setup: {creds.Count} installations from {options.CredentialsFile}");
            }
            else
            {
                var c = await Catalogue();
                var watch = Stopwatch.StartNew();
                var keys = await c.NewLicenseKeysAsync(options.Installations, ct);
                log.WriteLine(F($"Setup: bought and assigned {keys.Count} licenses in {watch.Elapsed.TotalSeconds:F1} s"));
                creds = await c.ActivateAllAsync(connections.Invokers, keys, Math.Min(16, options.Concurrency), log, ct);
                if (options.SaveCredentials is not null)
                {
                    CredentialsFile.Write(options.SaveCredentials, creds);
                }
            }
            checkIns = creds.Select(cr => new CheckInRequest
            {
                InstallationId = cr.InstallationId,
                InstallationSecret = cr.Secret,
                Fingerprint = cr.Fingerprint,
                ProductVersion = BenchCatalogue.ProductVersion,
                AgentVersion = BenchCatalogue.AgentVersion,
                TelemetryLevel = TelemetryLevel.Required,
            }).ToArray();
        }
        List<string> activationKeys = [];
        if (options.Modes.Contains("activate"))
        {
            var c = await Catalogue();
            var phases = options.PacedFraction > 0 ? 2 : 1;
            var needed = options.Rounds * phases * options.Activations + options.Concurrency * 20;
            var watch = Stopwatch.StartNew();
            activationKeys = await c.NewLicenseKeysAsync(needed, ct);
            log.WriteLine(F($"Setup: bought and assigned {needed} licenses for activation in {watch.Elapsed.TotalSeconds:F1} s"));
        }
        RawLicenseInsert? raw = null;
        if (options.Modes.Contains("assign"))
        {
            var c = await Catalogue();
            raw = new RawLicenseInsert();
            // Both paths once, unmeasured, so no round pays for JIT compilation or cold caches.
            await c.BuyAsync(100, ct);
            await c.AssignAsync(100, ct);
            raw.Insert(100);
        }

        long checkInCursor = -1;
        long activationCursor = -1;
        long healthCursor = -1;
        try
        {
            var pacedLater = new List<(string Mode, LoadCall Call, Func<long> Next, long Limit, double Rate)>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var mode in options.Modes)
                {
                    ct.ThrowIfCancellationRequested();
                    if (mode == "assign")
                    {
                        results.AddRange(await AssignRoundAsync(catalogue!, raw!, options, run, round, log, ct));
                        continue;
                    }
                    var (call, next, max) = mode switch
                    {
                        "health" => (Health(), (Func<long>)(() => Interlocked.Increment(ref healthCursor)), options.MaxRequests),
                        "checkin" => (CheckIn(checkIns), () => Interlocked.Increment(ref checkInCursor), options.MaxRequests),
                        _ => (Activate(catalogue!, activationKeys), () => Interlocked.Increment(ref activationCursor), options.Activations),
                    };
                    var result = await driver.RunClosedLoopAsync(mode, call, options.Concurrency, options.Warmup, options.Duration, max,
                        options.Concurrency * 10L, next, ct);
                    Record(result);
                    if (options.PacedFraction > 0 && result.Throughput > 0 && !options.PacedSameRate)
                    {
                        var rate = result.Throughput * options.PacedFraction;
                        var pacedResult = await driver.RunPacedAsync(mode, call, rate, options.Concurrency * 16, options.Duration, max, next, ct);
                        Record(pacedResult);
                    }
                    else if (options.PacedSameRate && result.Throughput > 0)
                    {
                        pacedLater.Add((mode, call, next, max, result.Throughput));
                    }
                }
                // Every mode at one offered rate: the fraction of the slowest mode's maximum in this round, so that
                // latencies compare at the same load (check-in p99 at half its maximum ÷ health p99 at that rate).
                if (pacedLater.Count > 0)
                {
                    var rate = pacedLater.Min(p => p.Rate) * options.PacedFraction;
                    foreach (var (mode, call, next, max, _) in pacedLater)
                    {
                        Record(await driver.RunPacedAsync(mode, call, rate, options.Concurrency * 16, options.Duration, max, next, ct));
                    }
                    pacedLater.Clear();
                }

                    void Record(PhaseResult r)
                    {
                        var line = ResultLine.From(options.Label, run, round, r);
                        results.Add(line);
                        ResultLog.Append(options.JsonOut, line);
                        log.WriteLine(F($"round {round} {r.Mode,-8} {r.Phase,-5} {r.Throughput,9:F1} req/s  p50 {r.P50Ms,7:F2}  p95 {r.P95Ms,7:F2}  "
                            + $"p99 {r.P99Ms,7:F2}  max {r.MaxMs,7:F1} ms  ({r.Requests - r.Errors} ok, {r.Errors} errors, {r.Seconds:F1} s"
                            + (r.TargetRate is { } t ? F($", {t:F0} req/s offered)") : ")")));
                        foreach (var (kind, count) in r.ErrorKinds)
                        {
                            log.WriteLine($"    {count} x {kind}");
                        }
                    }
            }
        }
        finally
        {
            raw?.Dispose();
        }

        if (server.ResidentMegabytes() is { } rss)
        {
            var line = new ResultLine { Label = options.Label, Run = run, Mode = "server", Phase = "rss", ServerRssMb = rss };
            results.Add(line);
            ResultLog.Append(options.JsonOut, line);
            log.WriteLine(F($"Server RSS after the run: {rss:F0} MB"));
        }
        Summary.Print(log, results);
        var errors = results.Sum(r => r.Errors);
        log.WriteLine(errors == 0 ? "Completed without errors." : $"Completed with {errors} failed call(s).");
        return errors == 0 ? 0 : 1;
    }

    private static LoadCall Health() => async (_, invoker, ct) =>
    {
        var reply = await new Health.HealthClient(invoker).CheckAsync(HealthRequest, cancellationToken: ct);
        return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? CallOutcome.Ok : throw new WrongAnswerException(reply.Status.ToString());
    };

    private static LoadCall CheckIn(CheckInRequest[] requests) => async (index, invoker, ct) =>
    {
        var reply = await new AgentService.AgentServiceClient(invoker).CheckInAsync(requests[index % requests.Length], cancellationToken: ct);
        return reply.Code == ValidationCode.Valid && reply.Token.Length > 0 ? CallOutcome.Ok : throw new WrongAnswerException($"{reply.Code}: {reply.Detail}");
    };

    private static LoadCall Activate(BenchCatalogue catalogue, List<string> keys) => async (index, invoker, ct) =>
    {
        if (index >= keys.Count)
        {
            return CallOutcome.Exhausted;
        }
        var reply = await new AgentService.AgentServiceClient(invoker).ActivateAsync(
            catalogue.ActivateRequest(keys[(int)index], BenchCatalogue.NewFingerprint()), cancellationToken: ct);
        return reply.Code == ValidationCode.Valid && reply.Token.Length > 0 ? CallOutcome.Ok : throw new WrongAnswerException($"{reply.Code}: {reply.Detail}");
    };

    /// <summary>
    /// One AssignLicenses call of N through the real server (gRPC, validation, key generation, one
    /// transaction, the answer with every key) against N equivalent rows inserted raw; pool top-up untimed.
    /// </summary>
    private static async Task<List<ResultLine>> AssignRoundAsync(BenchCatalogue catalogue, RawLicenseInsert raw, LoadOptions options, string run, int round,
        TextWriter log, CancellationToken ct)
    {
        await catalogue.BuyAsync(options.AssignSize, ct);
        var watch = Stopwatch.StartNew();
        var response = await catalogue.AssignAsync(options.AssignSize, ct);
        var assignMs = watch.Elapsed.TotalMilliseconds;
        var errors = response.Licenses.Count == options.AssignSize ? 0 : 1;
        var rawMs = raw.Insert(options.AssignSize).TotalMilliseconds;
        log.WriteLine(F($"round {round} assign   {options.AssignSize} licenses: AssignLicenses {assignMs:F0} ms, raw SQLite insert {rawMs:F0} ms, "
            + $"ratio {assignMs / rawMs:F2}{(errors == 0 ? "" : $"  ERROR: {response.Licenses.Count} licenses returned")}"));
        var lines = new List<ResultLine>
        {
            new() { Label = options.Label, Run = run, Round = round, Mode = "assign", Phase = "grpc-assign", Requests = 1, Errors = errors, ElapsedMs = assignMs },
            new() { Label = options.Label, Run = run, Round = round, Mode = "assign", Phase = "raw-sqlite-insert", Requests = 1, ElapsedMs = rawMs },
        };
        foreach (var line in lines)
        {
            ResultLog.Append(options.JsonOut, line);
        }
        return lines;
    }

    private static string F(string s) => s;
}
