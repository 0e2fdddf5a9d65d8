using System.Diagnostics;
using System.Globalization;

namespace LicenseHub.Benchmarks;

/// <summary>
/// Ratio targets on a shared, noisy machine: a subject and its baseline run in alternating short batches
/// (a few milliseconds each), so a burst of load from elsewhere hits both alike; the ratio of each pair
/// of neighbouring batches is kept and the median reported, with the 10th–90th percentile spread. Three
/// blocks of pairs give the run-to-run spread. 'dotnet LicenseHub.Benchmarks.dll paired [pairs]'.
/// </summary>
public static class PairedRatios
{
    private static readonly TimeSpan BatchTime = TimeSpan.FromMilliseconds(4);

    public static void Run(TextWriter o, int pairs)
    {
        var sign = new TokenSignBenchmarks();
        sign.Setup();
        var verify = new TokenVerifyBenchmarks();
        verify.Setup();
        o.WriteLine($"Paired ratios: {pairs} alternating batches of ~{BatchTime.TotalMilliseconds} ms per block, 3 blocks; "
            + "ratio = subject ops/s ÷ baseline ops/s of neighbouring batches.");
        Measure(o, "token sign: TokenSigner.Sign ÷ NSec sign (target ≥ 0.45)", () => sign.TokenSignerSign(), () => sign.NSecSign(), pairs);
        Measure(o, "  BouncyCastle key object sign ÷ NSec sign", () => sign.BouncyCastleKeyObjectSign(), () => sign.NSecSign(), pairs);
        Measure(o, "  TokenSigner.Sign ÷ BouncyCastle key object sign", () => sign.TokenSignerSign(), () => sign.BouncyCastleKeyObjectSign(), pairs);
        Measure(o, "token verify: TokenVerifier.Verify ÷ raw BouncyCastle Ed25519.Verify (target ≥ 0.9)", () => verify.TokenVerifierVerify(),
            () => verify.BouncyCastleStaticVerify(), pairs);
        Measure(o, "  TokenVerifier.Verify ÷ NSec verify", () => verify.TokenVerifierVerify(), () => verify.NSecVerify(), pairs);
        sign.Cleanup();
    }

    private static void Measure<TA, TB>(TextWriter o, string name, Func<TA> subject, Func<TB> baseline, int pairs)
    {
        var nA = Calibrate(subject);
        var nB = Calibrate(baseline);
        var blocks = new List<(double Ratio, double P10, double P90, double SubjectUs, double BaselineUs)>();
        for (var block = 0; block < 3; block++)
        {
            var ratios = new double[pairs];
            var aTimes = new double[pairs];
            var bTimes = new double[pairs];
            for (var i = 0; i < pairs; i++)
            {
                // Alternate which goes first, so neither always follows the other.
                double a, b;
                if (i % 2 == 0)
                {
                    a = PerOp(subject, nA);
                    b = PerOp(baseline, nB);
                }
                else
                {
                    b = PerOp(baseline, nB);
                    a = PerOp(subject, nA);
                }
                aTimes[i] = a;
                bTimes[i] = b;
                ratios[i] = b / a;
            }
            Array.Sort(ratios);
            blocks.Add((Quantile(ratios, 0.5), Quantile(ratios, 0.1), Quantile(ratios, 0.9), Median(aTimes), Median(bTimes)));
        }
        var medians = blocks.Select(b => b.Ratio).Order().ToArray();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: median {medians[1]:F3}  blocks [{string.Join(", ", blocks.Select(b => b.Ratio.ToString("F3", CultureInfo.InvariantCulture)))}]  "
            + $"p10..p90 within blocks {blocks.Min(b => b.P10):F3}..{blocks.Max(b => b.P90):F3}  "
            + $"(per op: subject {Median(blocks.Select(b => b.SubjectUs).ToArray()):F1} us, baseline {Median(blocks.Select(b => b.BaselineUs).ToArray()):F1} us)"));
    }

    private static int Calibrate<T>(Func<T> op)
    {
        for (var i = 0; i < 200; i++)
        {
            op();
        }
        var n = 1;
        while (true)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                op();
            }
            if (watch.Elapsed >= BatchTime || n > 1_000_000)
            {
                return n;
            }
            n *= 2;
        }
    }

    private static double PerOp<T>(Func<T> op, int n)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            op();
        }
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / n;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return Quantile(sorted, 0.5);
    }

    private static double Quantile(double[] sorted, double q)
    {
        var index = q * (sorted.Length - 1);
        var low = (int)Math.Floor(index);
        var high = (int)Math.Ceiling(index);
        return sorted[low] + (sorted[high] - sorted[low]) * (index - low);
    }
}
