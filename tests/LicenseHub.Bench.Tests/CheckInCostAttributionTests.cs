using System.Globalization;
using System.Text.RegularExpressions;

namespace LicenseHub.Bench.Tests;

/// <summary>
/// bench/checkin_costs.py turns perf samples of the server into the cost table of a check-in. These samples are the
/// shapes a real profile has (a middleware wrapping the whole call, SQLite and libc without frame pointers, a JIT
/// thread); each must land in its part, or the table says the wrong part stands in the way.
/// </summary>
public sealed class CheckInCostAttributionTests : IDisposable
{
    private readonly TempDirectory _work = new("costs");

    private static string Sample(string thread, params string[] frames) =>
        $"{thread} 4242 100.000001: \n" + string.Concat(frames.Select(f => $"\t    7f00000000 {f}\n")) + "\n";

    private const string Map = "(/tmp/perf-1.map)";
    private const string Kestrel = "instance void [Microsoft.AspNetCore.Server.Kestrel.Core] Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http2.Http2Stream`1::Execute()[OptimizedTier1] " + Map;
    private const string Logging = "instance void [licensehub] LicenseHub.Server.Operations.RequestLogging+<InvokeAsync>d__4::MoveNext()[OptimizedTier1] " + Map;

    [Fact]
    public async Task EachSample_GoesToThePartItWasSpentIn_AndTheTableSumsToTheMeasuredCpu()
    {
        var script = string.Concat(
            // Signing under the whole request: the innermost component decides, not the middleware around it.
            Sample(".NET TP Worker", "void Org.BouncyCastle.Math.EC.Rfc8032.Ed25519::ImplSign(uint8[])[OptimizedTier1] " + Map,
                "instance string [LicenseHub.Tokens] LicenseHub.Tokens.TokenSigner::Sign(class LicenseHub.Tokens.LicenseClaims)[OptimizedTier1] " + Map,
                Logging, Kestrel),
            // The read: Microsoft.Data.Sqlite below EF's query pipeline.
            Sample(".NET TP Worker", "instance bool [Microsoft.Data.Sqlite] Microsoft.Data.Sqlite.SqliteDataReader::Read()[OptimizedTier1] " + Map,
                "instance void [Microsoft.EntityFrameworkCore.Relational] Microsoft.EntityFrameworkCore.Query.Internal.SingleQueryingEnumerable`1+AsyncEnumerator::MoveNextAsync()[OptimizedTier1] " + Map,
                Logging, Kestrel),
            // SQLite's own frames only (no frame pointers): its parser says what it was doing.
            Sample(".NET TP Worker", "sqlite3RunParser (/srv/runtimes/linux-x64/native/libe_sqlite3.so)"),
            // A system call whose caller libc lost: fsync is the commit's.
            Sample(".NET TP Worker", "ext4_sync_file ([kernel.kallsyms])", "fsync (/usr/lib/x86_64-linux-gnu/libc.so.6)"),
            // The tiered compiler's thread, whatever it runs.
            Sample(".NET Tiered Com", "_IO_default_xsputn (/usr/lib/x86_64-linux-gnu/libc.so.6)"),
            // The request line itself: the middleware's own frame, with only the runtime inside it.
            Sample(".NET TP Worker", "[unknown] (/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libcoreclr.so)", Logging, Kestrel),
            // HTTP/2 framing.
            Sample(".NET TP Worker", "instance void [Microsoft.AspNetCore.Server.Kestrel.Core] Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http2.Http2FrameWriter::WriteDataAsync()[OptimizedTier1] " + Map, Kestrel),
            // The group commit.
            Sample(".NET TP Worker", "instance void [Microsoft.Data.Sqlite] Microsoft.Data.Sqlite.SqliteCommand::ExecuteNonQuery()[OptimizedTier1] " + Map,
                "instance void [licensehub] LicenseHub.Server.Agents.CheckInCommits+<WriteRowsAsync>d__9::MoveNext()[OptimizedTier1] " + Map));
        var input = _work.Combine("perf.script");
        await File.WriteAllTextAsync(input, script);

        // Eight samples, 1,000 check-ins, 0.8 s of CPU: 800 µs a check-in, 100 µs a sample.
        var run = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("python3", BuiltOutputs.RepositoryRoot, new Dictionary<string, string>(),
            [Path.Combine(BuiltOutputs.RepositoryRoot, "bench", "checkin_costs.py"), input, "--checkins", "1000", "--cpu-seconds", "0.8", "--wall-seconds", "1"]),
            TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);

        double Cost(string part)
        {
            var row = Regex.Match(run.StdOut, $@"^\| {Regex.Escape(part)} \| [\d.]+ % \| ([\d.]+) \|$", RegexOptions.Multiline);
            Assert.True(row.Success, $"no row for '{part}' in:\n{run.StdOut}");
            return double.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        Assert.Contains("**800 µs per check-in**", run.StdOut);
        Assert.Equal(100.0, Cost("signing (Ed25519 and the token's JSON)"));
        Assert.Equal(100.0, Cost("database read (the check-in query)"));
        Assert.Equal(100.0, Cost("SQLite: parse and plan a statement"));
        Assert.Equal(100.0, Cost("SQLite: commit (WAL write and sync)"));
        Assert.Equal(100.0, Cost("JIT (tiered compilation)"));
        Assert.Equal(100.0, Cost("logging and telemetry"));
        Assert.Equal(100.0, Cost("gRPC, HTTP/2 and protobuf"));
        Assert.Equal(100.0, Cost("database write (group commit, counts)"));
        Assert.Contains("| **all** | 100 % | **800.0** |", run.StdOut);
    }

    [Fact]
    public async Task NoCheckInCounted_IsRefusedWithTheReason()
    {
        var input = _work.Combine("empty.script");
        await File.WriteAllTextAsync(input, "");
        var run = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("python3", BuiltOutputs.RepositoryRoot, new Dictionary<string, string>(),
            [Path.Combine(BuiltOutputs.RepositoryRoot, "bench", "checkin_costs.py"), input, "--checkins", "0", "--cpu-seconds", "1", "--wall-seconds", "1"]),
            TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("No check-in was counted", run.StdErr);
    }

    public void Dispose() => _work.Dispose();
}
