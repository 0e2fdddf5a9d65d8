using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LicenseHub.LoadGen;

/// <summary>One measured phase of one round, as written to the --json-out file (one JSON object a line).</summary>
public sealed record ResultLine
{
    public string Label { get; init; } = "";
    /// <summary>Which invocation of the generator measured it: a baseline pairs only with its own run and round.</summary>
    public string Run { get; init; } = "";
    public int Round { get; init; }
    public string Mode { get; init; } = "";
    public string Phase { get; init; } = "";
    public long Requests { get; init; }
    public long Errors { get; init; }
    public double Seconds { get; init; }
    public double Throughput { get; init; }
    public double P50Ms { get; init; }
    public double P95Ms { get; init; }
    public double P99Ms { get; init; }
    public double MaxMs { get; init; }
    public double? TargetRate { get; init; }
    /// <summary>For one-shot phases (assign): milliseconds the operation took.</summary>
    public double? ElapsedMs { get; init; }
    public double? ServerRssMb { get; init; }
    public string Timestamp { get; init; } = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);

    public static ResultLine From(string label, string run, int round, PhaseResult r) => new()
    {
        Label = label, Run = run, Round = round, Mode = r.Mode, Phase = r.Phase, Requests = r.Requests, Errors = r.Errors, Seconds = r.Seconds,
        Throughput = r.Throughput, P50Ms = r.P50Ms, P95Ms = r.P95Ms, P99Ms = r.P99Ms, MaxMs = r.MaxMs, TargetRate = r.TargetRate,
    };
}

public static class ResultLog
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Append(string? path, ResultLine line)
    {
        if (path is null)
        {
            return;
        }
        File.AppendAllText(path, JsonSerializer.Serialize(line, Options) + "\n");
    }

    public static List<ResultLine> Read(IEnumerable<string> paths)
    {
        var lines = new List<ResultLine>();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new UsageException($"{path} does not exist.");
            }
            lines.AddRange(File.ReadLines(path).Where(l => l.Trim().Length > 0).Select(l => JsonSerializer.Deserialize<ResultLine>(l, Options)!));
        }
        return lines;
    }
}

/// <summary>
/// Medians and spread over rounds, and each workload's throughput as a ratio to the health-check
/// baseline of the same round (then the median of those ratios): the machine's noise hits both alike.
/// </summary>
public static class Summary
{
    public static void Print(TextWriter o, IReadOnlyList<ResultLine> lines, string? baselineLabel = null)
    {
        foreach (var group in lines.Where(l => l.Mode != "server").GroupBy(l => l.Label))
        {
            o.WriteLine();
            o.WriteLine($"== {(group.Key.Length == 0 ? "results" : group.Key)}: median over rounds [min..max] ==");
            var rounds = group.ToList();
            foreach (var phase in rounds.GroupBy(l => (l.Mode, l.Phase)))
            {
                var items = phase.ToList();
                if (phase.Key.Mode == "assign")
                {
                    o.WriteLine(F($"{phase.Key.Mode,-9} {phase.Key.Phase,-18} n={items.Count}  {Spread(items.Select(i => i.ElapsedMs ?? double.NaN), "F0")} ms"));
                    continue;
                }
                o.WriteLine(F($"{phase.Key.Mode,-9} {phase.Key.Phase,-6} n={items.Count}  {Spread(items.Select(i => i.Throughput), "F0")} req/s   "
                    + $"p50 {Spread(items.Select(i => i.P50Ms), "F2")}  p95 {Spread(items.Select(i => i.P95Ms), "F2")}  "
                    + $"p99 {Spread(items.Select(i => i.P99Ms), "F2")} ms   errors {items.Sum(i => i.Errors)}"
                    + (items[0].TargetRate is null ? "" : $"   at {Spread(items.Select(i => i.TargetRate ?? 0), "F0")} req/s offered")));
            }
            // Throughput ratio to the health baseline of the same round.
            foreach (var mode in rounds.Where(l => l.Phase == "max" && l.Mode != "health").Select(l => l.Mode).Distinct())
            {
                var ratios = rounds.Where(l => l.Mode == mode && l.Phase == "max")
                    .Select(l => (l, b: rounds.FirstOrDefault(b => b.Mode == "health" && b.Phase == "max" && b.Run == l.Run && b.Round == l.Round)))
                    .Where(x => x.b is not null && x.b.Throughput > 0)
                    .Select(x => x.l.Throughput / x.b!.Throughput).ToList();
                if (ratios.Count > 0)
                {
                    o.WriteLine(F($"ratio {mode}/s ÷ health/s (same round): {Spread(ratios, "F3")}"));
                }
            }
            // Latency at one offered rate (--paced-same-rate): p99 of each mode ÷ p99 of health, paced in the same round at the same rate.
            foreach (var mode in rounds.Where(l => l.Phase == "paced" && l.Mode != "health").Select(l => l.Mode).Distinct())
            {
                var ratios = rounds.Where(l => l.Mode == mode && l.Phase == "paced")
                    .Select(l => (l, b: rounds.FirstOrDefault(b => b.Mode == "health" && b.Phase == "paced" && b.Run == l.Run && b.Round == l.Round
                        && b.TargetRate is { } r && l.TargetRate is { } t && Math.Abs(r - t) < 0.5)))
                    .Where(x => x.b is not null && x.b.P99Ms > 0)
                    .Select(x => x.l.P99Ms / x.b!.P99Ms).ToList();
                if (ratios.Count > 0)
                {
                    o.WriteLine(F($"ratio {mode} p99 ÷ health p99 at the same offered rate (same round): {Spread(ratios, "F2")}"));
                }
            }
            var assign = rounds.Where(l => l.Mode == "assign").GroupBy(l => (l.Run, l.Round))
                .Select(g => (grpc: g.FirstOrDefault(x => x.Phase == "grpc-assign"), raw: g.FirstOrDefault(x => x.Phase == "raw-sqlite-insert")))
                .Where(x => x.grpc?.ElapsedMs > 0 && x.raw?.ElapsedMs > 0)
                .Select(x => x.grpc!.ElapsedMs!.Value / x.raw!.ElapsedMs!.Value).ToList();
            if (assign.Count > 0)
            {
                o.WriteLine(F($"ratio assign time ÷ raw insert time (same round): {Spread(assign, "F2")}"));
            }
            var rss = group.Where(l => l.ServerRssMb is not null).Select(l => l.ServerRssMb!.Value).ToList();
            if (rss.Count > 0)
            {
                o.WriteLine(F($"server RSS after the run: {Spread(rss, "F0")} MB"));
            }
        }
        if (baselineLabel is not null)
        {
            var baseline = lines.Where(l => l.Label == baselineLabel && l.Phase == "max").ToList();
            o.WriteLine();
            o.WriteLine($"== throughput relative to '{baselineLabel}' (median of each ÷ median of baseline) ==");
            foreach (var group in lines.Where(l => l.Label != baselineLabel && l.Phase == "max").GroupBy(l => (l.Label, l.Mode)))
            {
                var b = LatencyStats.Median(baseline.Where(l => l.Mode == group.Key.Mode).Select(l => l.Throughput));
                if (double.IsNaN(b) || b <= 0)
                {
                    continue;
                }
                var m = LatencyStats.Median(group.Select(l => l.Throughput));
                o.WriteLine(F($"{group.Key.Label} {group.Key.Mode}: {m:F0} ÷ {b:F0} = {m / b:F3}"));
            }
        }
    }

    private static string Spread(IEnumerable<double> values, string format)
    {
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        if (list.Count == 0)
        {
            return "n/a";
        }
        var median = LatencyStats.Median(list);
        return list.Count == 1
            ? median.ToString(format, CultureInfo.InvariantCulture)
            : F($"{median.ToString(format, CultureInfo.InvariantCulture)} [{list.Min().ToString(format, CultureInfo.InvariantCulture)}..{list.Max().ToString(format, CultureInfo.InvariantCulture)}]");
    }

    private static string F(string s) => s;
}
