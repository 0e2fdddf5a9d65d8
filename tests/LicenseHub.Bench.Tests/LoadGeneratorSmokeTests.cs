using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LicenseHub.Bench.Tests;

/// <summary>
/// Benchmarks do not run in CI; these runs of a few seconds keep the harness working as the server and its
/// schema change. They assert only that the tools complete without errors, never a number.
/// </summary>
public sealed class LoadGeneratorSmokeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly string _work = Directory.CreateTempSubdirectory("lh-bench-tests-").FullName;

    [Fact]
    public async Task LoadGenerator_EveryModeAgainstRealServer_CompletesWithoutErrors()
    {
        var json = Path.Combine(_work, "results.jsonl");
        var (exit, output) = await BenchTools.RunAsync(BenchTools.LoadGenDll,
        [
            "--start-server", "--mode", "health,checkin,activate,assign", "--rounds", "1", "--duration", "1", "--warmup", "0.2",
            "--concurrency", "8", "--connections", "2", "--installations", "20", "--activations", "40", "--assign-size", "200",
            "--paced", "0.5", "--json-out", json, "--time-limit", "100",
        ], Timeout);

        Assert.True(exit == 0, $"lh-loadgen exited with {exit}.\n{output}");
        Assert.Contains("Completed without errors.", output);
        var lines = File.ReadAllLines(json).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var mode in new[] { "health", "checkin", "activate" })
        {
            var max = lines.Single(l => l.GetProperty("mode").GetString() == mode && l.GetProperty("phase").GetString() == "max");
            Assert.True(max.GetProperty("requests").GetInt64() > 0, $"{mode} made no calls.\n{output}");
            Assert.Equal(0, max.GetProperty("errors").GetInt64());
            Assert.Contains(lines, l => l.GetProperty("mode").GetString() == mode && l.GetProperty("phase").GetString() == "paced");
        }
        Assert.Contains(lines, l => l.GetProperty("phase").GetString() == "grpc-assign" && l.GetProperty("errors").GetInt64() == 0);
        Assert.Contains(lines, l => l.GetProperty("phase").GetString() == "raw-sqlite-insert" && l.GetProperty("elapsedMs").GetDouble() > 0);
    }

    [Fact]
    public async Task Seed_ThenConcurrentCheckInsAsSeededInstallations_EveryCheckInIsStored()
    {
        var data = Path.Combine(_work, "seeded");
        var (seedExit, seedOutput) = await BenchTools.RunAsync(BenchTools.SeedDll,
            ["--data-dir", data, "--licenses", "300", "--resellers", "3", "--checkins-per-installation", "1", "--credentials-sample", "50"], Timeout);
        Assert.True(seedExit == 0, $"lh-seed exited with {seedExit}.\n{seedOutput}");
        var json = Path.Combine(_work, "seeded.jsonl");

        var (exit, output) = await BenchTools.RunAsync(BenchTools.LoadGenDll,
        [
            "--start-server", "--data-dir", data, "--credentials", Path.Combine(data, "bench-credentials.csv"), "--mode", "checkin",
            "--rounds", "1", "--duration", "1", "--warmup", "0", "--concurrency", "16", "--connections", "2", "--json-out", json,
            "--time-limit", "100",
        ], Timeout);

        Assert.True(exit == 0, $"lh-loadgen exited with {exit}.\n{output}");
        Assert.Contains("Completed without errors.", output);
        // Check-ins answered together are committed together: none may be lost on the way.
        var answered = File.ReadAllLines(json).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.GetProperty("mode").GetString() == "checkin").GetProperty("requests").GetInt64();
        using var db = new SqliteConnection($"Data Source={Path.Combine(data, "licensehub.db")};Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        // Each is counted in the anonymous daily count as it is written; VALID ones leave no raw row. (The seeded
        // installations were written directly, without counts.)
        count.CommandText = "SELECT SUM(\"CheckIns\") FROM \"DailyCheckInCounts\"";
        Assert.True(answered > 0);
        Assert.Equal(answered, (long)count.ExecuteScalar()!);
        count.CommandText = "SELECT COUNT(*) FROM \"CheckIns\"";
        Assert.Equal(300L, (long)count.ExecuteScalar()!);
    }

    [Fact]
    public async Task LoadGenerator_NonLoopbackServer_RefusedBeforeAnyCall()
    {
        var key = Path.Combine(_work, "key");
        await File.WriteAllTextAsync(key, "unused");

        var (exit, output) = await BenchTools.RunAsync(BenchTools.LoadGenDll,
            ["--server", "http://192.0.2.10:5080", "--vendor-key-file", key, "--mode", "health", "--duration", "1"], Timeout);

        Assert.Equal(2, exit);
        Assert.Contains("not a loopback address", output);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
