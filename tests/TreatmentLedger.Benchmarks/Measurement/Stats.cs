namespace TreatmentLedger.Benchmarks.Measurement;

/// <summary>Medians and percentiles (nearest rank on the sorted sample).</summary>
public static class Stats
{
    /// <summary>The middle value; the mean of the two middle ones for an even count.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The p-th percentile by nearest rank: the smallest value with at least p % of the sample at or below it.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        if (p <= 0) return sorted[0];
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static Latency LatencyOf(IReadOnlyCollection<double> millis) =>
        new(Percentile(millis, 50), Percentile(millis, 95), Percentile(millis, 99), millis.Count == 0 ? double.NaN : millis.Max(), millis.Count);

    /// <summary>The median, over repetitions, of each percentile: what the report calls p50/p95/p99.</summary>
    public static Latency MedianOf(IReadOnlyCollection<Latency> reps) =>
        new(Median(reps.Select(r => r.P50)), Median(reps.Select(r => r.P95)), Median(reps.Select(r => r.P99)),
            reps.Count == 0 ? double.NaN : reps.Max(r => r.Max), reps.Sum(r => r.Count));
}

/// <summary>Latency percentiles in milliseconds, and how many samples they summarise.</summary>
public sealed record Latency(double P50, double P95, double P99, double Max, int Count)
{
    public override string ToString() => $"p50 {Fmt.Ms(P50)} / p95 {Fmt.Ms(P95)} / p99 {Fmt.Ms(P99)}";
}
