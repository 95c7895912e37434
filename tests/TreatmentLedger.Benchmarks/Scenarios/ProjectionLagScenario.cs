using System.Diagnostics;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Issue 11, lag under a steady load: appends over HTTP at a fixed rate (open loop: each is sent at its scheduled time,
/// whether or not the earlier ones were answered), over many cases, while <c>GET /projections</c> is sampled every
/// 100 ms; the lag of an append is the time from its 201 to the first sample whose position of the
/// <see cref="CaseFactsProjection"/> reaches its sequence.
/// </summary>
public static class ProjectionLagScenario
{
    public const string Name = "dashboards: lag under 500 appends/s";
    public const string Target = "p95 <= 2 s";
    private const double TargetSeconds = 2;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>One <c>GET /projections</c>: sent and answered (seconds on the scenario's clock), and what it said.</summary>
    private sealed record Sample(double Sent, double Received, DashboardsDatabase.Reading Reading);

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var db = ctx.Dashboards ?? throw new InvalidOperationException("needs the dashboards database and its API process");
        var rate = v.LagRate;
        var load = await FixedRateAppends.PrepareAsync(ctx, v.LagCases, rate, v.LagWarmupSeconds, v.LagSeconds, seed: 700_000);
        var (total, firstMeasured, appends) = (load.Total, load.FirstMeasured, load.Appends);
        var settled = await db.WaitForLagZeroAsync(ctx, TimeSpan.FromMinutes(2));
        Console.WriteLine($"  {Name}: {v.LagCases:N0} cases opened; the projection caught up with them in {Fmt.Seconds(settled.TotalSeconds)}");

        var samples = new List<Sample>();
        var sampleFailures = 0;
        var clock = Stopwatch.StartNew();
        double Now() => clock.Elapsed.TotalSeconds;
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(ctx.Ct);
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(SampleEvery);
            try
            {
                do
                {
                    var sent = Now();
                    try
                    {
                        var reading = await db.ReadAsync(ctx, stopSampling.Token);
                        lock (samples) samples.Add(new Sample(sent, Now(), reading));
                    }
                    catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
                    {
                        sampleFailures++;
                    }
                } while (await timer.WaitForNextTickAsync(stopSampling.Token));
            }
            catch (OperationCanceledException) when (stopSampling.IsCancellationRequested)
            {
            }
        }, CancellationToken.None);

        var measuredFrom = await load.RunAsync(ctx, Now);
        var start = load.Start;
        var drivenUntil = Now();
        var measuredLoad = CpuMonitor.Between(measuredFrom, ctx.Cpu.Take());

        // Sampling goes on until the projection has reached the last acknowledged sequence, or the drain limit.
        var lastSequence = appends.Max(a => a.Sequence);
        var drainLimit = TimeSpan.FromSeconds(v.Quick ? 30 : 60);
        var drain = Stopwatch.StartNew();
        while (drain.Elapsed < drainLimit)
        {
            lock (samples)
                if (samples.Count > 0 && samples[^1].Reading.Position >= lastSequence && samples[^1].Sent > drivenUntil) break;
            await Task.Delay(SampleEvery, ctx.Ct);
        }
        await stopSampling.CancelAsync();
        await sampler;
        var drained = drain.Elapsed;

        // Positions only grow; the running maximum guards the search against a sample read out of order.
        var received = samples.Select(s => s.Received).ToArray();
        var reached = new long[samples.Count];
        for (var k = 0; k < samples.Count; k++) reached[k] = Math.Max(k == 0 ? 0 : reached[k - 1], samples[k].Reading.Position);
        var measured = appends.Skip(firstMeasured).ToList();
        var succeeded = measured.Where(a => a.Failure is null).ToList();
        var delays = new List<double>(succeeded.Count);
        var unreached = 0;
        foreach (var a in succeeded)
        {
            var k = FirstAtLeast(reached, a.Sequence);
            if (k < 0)
            {
                unreached++;
                // Not reached before sampling stopped: at least this long.
                delays.Add(received[^1] - a.Acked);
                continue;
            }
            delays.Add(Math.Max(0, received[k] - a.Acked));
        }
        var delay = Stats.LatencyOf(delays.Select(d => d * 1000).ToList());
        var p95 = delay.P95 / 1000;

        var windowStart = start + v.LagWarmupSeconds;
        var windowSamples = samples.Where(s => s.Sent >= windowStart && s.Sent <= drivenUntil).ToList();
        var lagSeconds = windowSamples.Select(s => (double)s.Reading.Lag / rate).ToList();
        var throughput = Throughput(samples, windowSamples, lastSequence);
        var appendLatency = Stats.LatencyOf(succeeded.Select(a => (a.Acked - a.Due) * 1000).ToList());
        var lateness = Stats.LatencyOf(measured.Select(a => Math.Max(0, a.Sent - a.Due) * 1000).ToList());
        var measuredSeconds = drivenUntil - windowStart;
        var achieved = succeeded.Count / Math.Max(1e-9, measured.Max(a => a.Acked) - windowStart);
        var failures = measured.Count - succeeded.Count;
        var firstFailure = measured.Select(a => a.Failure).FirstOrDefault(f => f is not null);
        var met = p95 <= TargetSeconds && failures == 0 && unreached <= succeeded.Count / 20;
        var perAppend = (Func<double, string>)(cpu => Fmt.Ms(cpu * 1000 / Math.Max(1, measured.Count)));
        var statuses = string.Join(", ", windowSamples.GroupBy(s => s.Reading.Status).Select(g => $"{g.Key} {g.Count()}"));

        Console.WriteLine($"  {Name}: delay p50 {Fmt.Seconds(delay.P50 / 1000)} p95 {Fmt.Seconds(p95)} max {Fmt.Seconds(delay.Max / 1000)}; " +
                          $"lag/rate p95 {Fmt.Seconds(Stats.Percentile(lagSeconds, 95))}; {achieved:0} appends/s; {failures} failed; {unreached} unreached");
        return new ScenarioResult(Name,
            $"delay p50 {Fmt.Seconds(delay.P50 / 1000)} / p95 {Fmt.Seconds(p95)} / p99 {Fmt.Seconds(delay.P99 / 1000)}, max {Fmt.Seconds(delay.Max / 1000)}",
            "n/a", "n/a", Target, met,
            $"delay = the append's 201 to the first GET /projections showing position >= its sequence (sampled every {SampleEvery.TotalMilliseconds:0} ms); " +
            $"{Fmt.Rate(achieved, "appends/s")} answered over {Fmt.Seconds(measuredSeconds)} measured; lag in events / {rate} at the samples: " +
            $"p95 {Fmt.Seconds(Stats.Percentile(lagSeconds, 95))}, max {Fmt.Seconds(lagSeconds.DefaultIfEmpty(double.NaN).Max())}." +
            (failures > 0 ? $" {failures} appends failed, first: {firstFailure}." : "") +
            (unreached > 0 ? $" {unreached} appends not reached when sampling stopped ({Fmt.Seconds(drainLimit.TotalSeconds)} after the last append)." : ""),
            [
                $"- Database `{DashboardsDatabase.Database}` of the bench cluster, served by an API process of its own (Release, `dotnet TreatmentLedger.Api.dll`), " +
                $"whose daemon runs the {CaseFactsProjection.Name} projection under Wolverine's distribution (one node: this process).",
                $"- Workload: {v.LagCases:N0} generated cases opened with `POST /cases` (not timed; the projection then caught up in {Fmt.Seconds(settled.TotalSeconds)}). " +
                $"Then {total:N0} appends, one entry per `POST /cases/{{id}}/entries`, at a fixed {rate} a second for {v.LagWarmupSeconds + v.LagSeconds} s, open loop: " +
                $"append i is due at i/{rate} s and sent then (the driver wakes every millisecond and sends every append due), without waiting for earlier answers, " +
                $"except that an append waits for the previous one on its own case (a case comes round every {Fmt.Seconds((double)v.LagCases / rate)}). " +
                $"Append i goes to case i mod {v.LagCases:N0}, its next generated entry. The first {v.LagWarmupSeconds} s ({firstMeasured:N0} appends) are warm-up, not counted.",
                $"- Sampling: `GET /projections` with an admin token every {SampleEvery.TotalMilliseconds:0} ms (a `PeriodicTimer`; a slow answer delays the next), " +
                $"{samples.Count:N0} samples in all, {sampleFailures} failed, {windowSamples.Count:N0} in the measured window; the projection's status at them: {statuses}.",
                $"- Figure (the verdict): for each measured append, the time from its 201 (the harness has its `sequence`) to the arrival of the first sample whose " +
                $"{CaseFactsProjection.Name} position is >= that sequence; 0 when the projection was there first. It over-states the true lag by up to the sampling " +
                $"interval plus one `GET /projections` (p50 of those {Fmt.Ms(Stats.Percentile(samples.Select(s => (s.Received - s.Sent) * 1000), 50))}). " +
                $"Delays: {delay} over {delays.Count:N0} appends, max {Fmt.Ms(delay.Max)}." +
                (unreached > 0 ? $" {unreached:N0} appends had not been reached when sampling stopped ({Fmt.Seconds(drained.TotalSeconds)} after the last answer): counted with the time they had waited by then, a lower bound." : ""),
                $"- Second reading: `lag` (high-water mark - position, in events) of each sample in the measured window, divided by {rate}: " +
                $"p50 {Fmt.Seconds(Stats.Percentile(lagSeconds, 50))} / p95 {Fmt.Seconds(Stats.Percentile(lagSeconds, 95))} / max {Fmt.Seconds(lagSeconds.DefaultIfEmpty(double.NaN).Max())}.",
                $"- Appends: {measured.Count:N0} measured, {failures} failed{(firstFailure is null ? "" : $" (first: `{firstFailure}`)")}; " +
                $"{Fmt.Rate(achieved, "appends/s")} answered; latency from the due time to the 201 (queueing included): {appendLatency}, max {Fmt.Ms(appendLatency.Max)}; " +
                $"lateness of the sends behind their due times: p50 {Fmt.Ms(lateness.P50)} / p99 {Fmt.Ms(lateness.P99)}, max {Fmt.Ms(lateness.Max)}.",
                $"- CPU per measured append (the API's daemon included): harness {perAppend(measuredLoad.HarnessCpu)}, API {perAppend(measuredLoad.ApiCpu)}, " +
                $"PostgreSQL {perAppend(measuredLoad.PostgresCpu)}; over the measured window: {measuredLoad}.",
                $"- After the last answer, the projection reached the last sequence ({lastSequence:N0}) {(unreached == 0 ? $"within {Fmt.Seconds(drained.TotalSeconds)}" : "not before sampling stopped")}.",
                $"- {throughput}",
            ]);
    }

    /// <summary>
    /// How fast the projection went, from the samples: its position against the high-water mark over the measured window
    /// (appends and projection together), then alone, from the end of the appends to the last sequence (or the last sample).
    /// </summary>
    private static string Throughput(IReadOnlyList<Sample> samples, IReadOnlyList<Sample> window, long lastSequence)
    {
        if (window.Count < 2) return "Too few samples in the measured window to say how fast the projection went.";
        var (first, last) = (window[0], window[^1]);
        var seconds = last.Sent - first.Sent;
        var appended = (last.Reading.HighWaterMark - first.Reading.HighWaterMark) / seconds;
        var projected = (last.Reading.Position - first.Reading.Position) / seconds;
        // The position moves a page at a time: its steps between samples (a step may hold more than one page) show the pages' size.
        var steps = window.Zip(window.Skip(1), (a, b) => (double)(b.Reading.Position - a.Reading.Position)).Where(d => d > 0).ToList();
        var text = $"Projection throughput: over the measured window the high-water mark rose {Fmt.Rate(appended, "events/s")} and the position {Fmt.Rate(projected, "events/s")}, " +
                   $"in {steps.Count} steps between {window.Count} samples (a step: p50 {Fmt.Num(Stats.Percentile(steps, 50))} / max {Fmt.Num(steps.DefaultIfEmpty(0).Max())} events)";
        var after = samples.Where(s => s.Sent > last.Sent).ToList();
        var end = after.FirstOrDefault(s => s.Reading.Position >= lastSequence) ?? after.LastOrDefault();
        if (end is null || end.Sent - last.Sent <= 0 || end.Reading.Position <= last.Reading.Position) return text + ".";
        return text + $"; with the appends over, it went on at {Fmt.Rate((end.Reading.Position - last.Reading.Position) / (end.Sent - last.Sent), "events/s")} " +
            $"({end.Reading.Position - last.Reading.Position:N0} events in {Fmt.Seconds(end.Sent - last.Sent)}).";
    }

    /// <summary>The first index whose value is at least <paramref name="wanted"/> in a non-decreasing array, or -1.</summary>
    private static int FirstAtLeast(long[] values, long wanted)
    {
        int lo = 0, hi = values.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (values[mid] >= wanted) hi = mid;
            else lo = mid + 1;
        }
        return lo < values.Length ? lo : -1;
    }
}
