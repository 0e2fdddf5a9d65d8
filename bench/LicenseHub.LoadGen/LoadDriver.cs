using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace LicenseHub.LoadGen;

/// <summary>What one call came back with.</summary>
public enum CallOutcome
{
    Ok,
    /// <summary>The call answered, but not with what the benchmark needs (e.g. a check-in that is not VALID).</summary>
    WrongAnswer,
    /// <summary>The workload has no more items (e.g. every license of an activation run is used).</summary>
    Exhausted,
}

/// <summary>One request of a workload: index (0, 1, 2, …) and the channel to use.</summary>
public delegate Task<CallOutcome> LoadCall(long index, CallInvoker invoker, CancellationToken cancellationToken);

public sealed record PhaseResult(
    string Mode,
    string Phase,
    long Requests,
    long Errors,
    double Seconds,
    double Throughput,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double? TargetRate,
    IReadOnlyDictionary<string, long> ErrorKinds);

/// <summary>
/// Drives many concurrent calls over a few HTTP/2 connections, bounded in count and time. Two shapes:
/// closed loop (each of N workers sends its next call when the previous one answers: maximum throughput)
/// and open loop (calls start on a fixed schedule, latency counted from the scheduled start, so a stalled
/// server cannot hide its queueing delay).
/// </summary>
public sealed class LoadDriver(IReadOnlyList<CallInvoker> invokers)
{
    private const int SampleCapacity = 4096;

    public async Task<PhaseResult> RunClosedLoopAsync(string mode, LoadCall call, int concurrency, TimeSpan warmup, TimeSpan duration,
        long maxRequests, long maxWarmupRequests, Func<long> nextIndex, CancellationToken cancellationToken)
    {
        if (warmup > TimeSpan.Zero)
        {
            await ClosedLoopAsync(call, concurrency, warmup, maxWarmupRequests, nextIndex, record: false, cancellationToken);
        }
        var (samples, errors, kinds, elapsed) = await ClosedLoopAsync(call, concurrency, duration, maxRequests, nextIndex, record: true, cancellationToken);
        return Summarize(mode, "max", samples, errors, kinds, elapsed, null);
    }

    public async Task<PhaseResult> RunPacedAsync(string mode, LoadCall call, double ratePerSecond, int maxInFlight, TimeSpan duration,
        long maxRequests, Func<long> nextIndex, CancellationToken cancellationToken)
    {
        var errors = new Counter();
        var kinds = new ConcurrentDictionary<string, long>();
        var samples = new ConcurrentBag<long[]>();
        var current = new SampleBuffer();
        var gate = new SemaphoreSlim(maxInFlight, maxInFlight);
        var inFlight = new List<Task>();
        var ticksPerRequest = Stopwatch.Frequency / ratePerSecond;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long issued = 0;
        var exhausted = false;
        var sampleLock = new Lock();
        while (!exhausted && issued < maxRequests && !cancellationToken.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                break;
            }
            var due = (long)((now - start) / ticksPerRequest) + 1;
            while (issued < due && issued < maxRequests)
            {
                var intended = start + (long)(issued * ticksPerRequest);
                var index = nextIndex();
                var invoker = invokers[(int)(issued % invokers.Count)];
                issued++;
                await gate.WaitAsync(cancellationToken);
                inFlight.Add(RunOneAsync(index, invoker, intended));
            }
            if (inFlight.Count > 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
            await Task.Delay(1, cancellationToken);
        }
        await Task.WhenAll(inFlight);
        var elapsed = Stopwatch.GetElapsedTime(start);
        lock (sampleLock)
        {
            samples.Add(current.ToArray());
        }
        return Summarize(mode, "paced", samples.ToArray(), errors.Value, kinds, elapsed, ratePerSecond);

        async Task RunOneAsync(long index, CallInvoker invoker, long intended)
        {
            try
            {
                var outcome = await Invoke(call, index, invoker, errors, kinds, cancellationToken);
                if (outcome == CallOutcome.Exhausted)
                {
                    exhausted = true;
                    return;
                }
                if (outcome == CallOutcome.Ok)
                {
                    var latency = Stopwatch.GetTimestamp() - intended;
                    lock (sampleLock)
                    {
                        current.Add(latency);
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private async Task<(long[][] Samples, long Errors, ConcurrentDictionary<string, long> Kinds, TimeSpan Elapsed)> ClosedLoopAsync(
        LoadCall call, int concurrency, TimeSpan duration, long maxRequests, Func<long> nextIndex, bool record, CancellationToken cancellationToken)
    {
        var errors = new Counter();
        var kinds = new ConcurrentDictionary<string, long>();
        long started = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task<long[]>[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var invoker = invokers[w % invokers.Count];
            workers[w] = Task.Run(async () =>
            {
                var buffer = new SampleBuffer();
                while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < end
                    && Interlocked.Increment(ref started) <= maxRequests)
                {
                    var before = Stopwatch.GetTimestamp();
                    var outcome = await Invoke(call, nextIndex(), invoker, errors, kinds, cancellationToken);
                    if (outcome == CallOutcome.Exhausted)
                    {
                        break;
                    }
                    if (record && outcome == CallOutcome.Ok)
                    {
                        buffer.Add(Stopwatch.GetTimestamp() - before);
                    }
                }
                return buffer.ToArray();
            }, cancellationToken);
        }
        var samples = await Task.WhenAll(workers);
        return (samples, errors.Value, kinds, Stopwatch.GetElapsedTime(start));
    }

    private static async Task<CallOutcome> Invoke(LoadCall call, long index, CallInvoker invoker, Counter errors,
        ConcurrentDictionary<string, long> kinds, CancellationToken cancellationToken)
    {
        string kind;
        try
        {
            var outcome = await call(index, invoker, cancellationToken);
            if (outcome != CallOutcome.WrongAnswer)
            {
                return outcome;
            }
            kind = "wrong answer";
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            kind = $"{ex.StatusCode}: {Shorten(ex.Status.Detail)}";
        }
        catch (WrongAnswerException ex)
        {
            kind = "wrong answer: " + Shorten(ex.Message);
        }
        errors.Increment();
        kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
        return CallOutcome.WrongAnswer;
    }

    private static string Shorten(string text) => text.Length > 160 ? text[..160] + "…" : text;

    private static PhaseResult Summarize(string mode, string phase, long[][] samples, long errors, ConcurrentDictionary<string, long> kinds,
        TimeSpan elapsed, double? targetRate)
    {
        var all = new long[samples.Sum(s => s.Length)];
        var offset = 0;
        foreach (var s in samples)
        {
            s.CopyTo(all, offset);
            offset += s.Length;
        }
        Array.Sort(all);
        var seconds = elapsed.TotalSeconds;
        return new PhaseResult(mode, phase, all.Length + errors, errors, seconds, all.Length / seconds,
            LatencyStats.PercentileMs(all, 50), LatencyStats.PercentileMs(all, 95), LatencyStats.PercentileMs(all, 99),
            all.Length == 0 ? double.NaN : LatencyStats.TicksToMs(all[^1]), targetRate,
            new SortedDictionary<string, long>(kinds, StringComparer.Ordinal));
    }

    private sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);
    }

    /// <summary>Growable sample list; one per worker, so recording needs no lock.</summary>
    private sealed class SampleBuffer
    {
        private long[] _items = new long[SampleCapacity];
        private int _count;

        public void Add(long value)
        {
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
            }
            _items[_count++] = value;
        }

        public long[] ToArray() => _items.AsSpan(0, _count).ToArray();
    }
}

/// <summary>A call answered with something the benchmark cannot accept.</summary>
public sealed class WrongAnswerException(string message) : Exception(message);
