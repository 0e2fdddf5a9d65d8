namespace LicenseHub.LoadGen;

/// <summary>Percentiles over recorded latencies (exact: every sample is kept and sorted).</summary>
public static class LatencyStats
{
    public static double PercentileMs(long[] sortedTicks, double percentile)
    {
        if (sortedTicks.Length == 0)
        {
            return double.NaN;
        }
        // Nearest-rank: the smallest sample with at least p% of samples at or below it.
        var rank = (int)Math.Ceiling(percentile / 100.0 * sortedTicks.Length);
        var index = Math.Clamp(rank - 1, 0, sortedTicks.Length - 1);
        return TicksToMs(sortedTicks[index]);
    }

    public static double TicksToMs(long ticks) => ticks * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
