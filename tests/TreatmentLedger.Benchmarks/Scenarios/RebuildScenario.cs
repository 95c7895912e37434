using System.Diagnostics;
using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Rebuild: the write model (every case's <see cref="TreatmentLedger.Recording.CaseState"/> and its amendments) rebuilt by
/// <see cref="WriteModelRebuild"/> from all the events of a database of its own in the same cluster
/// (<see cref="SeededEvents"/>, shared with the dashboards' <see cref="CatchUpScenario"/>); against a sequential read of
/// the same rows with plain Npgsql and their JSON deserialisation into the entry records.
/// </summary>
public static class RebuildScenario
{
    public const string Name = "rebuild";
    public const string Target = ">= 0.3x baseline";

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var ct = ctx.Ct;
        var seeded = await SeededEvents.EnsureAsync(ctx);
        await using var store = await BenchCluster.OpenStoreAsync(seeded.ConnectionString, ct);
        await using var raw = NpgsqlDataSource.Create(seeded.ConnectionString);

        var connections = new StoreConnections(store);
        var rebuild = new WriteModelRebuild(store, new EventRows(store, connections), new CaseStateRows(store, connections), connections);
        var outlineTypes = ((IDocumentStore)store).Options.Events.AllKnownEventTypes().Where(t => TreatmentLedger.Recording.CaseState.OutlineTypes.Contains(t.EventType))
            .Select(t => $"'{t.EventTypeName}'").ToList();
        var outlineEvents = await SeededEvents.ScalarAsync(raw, $"select count(*) from ledger.mt_events where type in ({string.Join(", ", outlineTypes)})", ct);
        var started = DateTimeOffset.MinValue;
        var runs = await AlternateAsync(ctx, Name, seeded, raw, v.RebuildWarmups, v.RebuildReps,
            async _ =>
            {
                started = DateTimeOffset.UtcNow;
                await rebuild.RunAsync(ct);
            },
            async () =>
            {
                await using var command = raw.CreateCommand("select count(*) from ledger.mt_doc_casestate where mt_last_modified >= $1");
                command.Parameters.AddWithValue(started);
                var documents = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
                return documents == seeded.Cases ? null : $"the rebuild wrote {documents} case documents, expected {seeded.Cases}";
            });
        var ratio = runs.Ratio;
        var volume = seeded.Volume;
        return new ScenarioResult(Name,
            runs.LedgerFigure,
            runs.BaselineFigure,
            Fmt.Ratio(ratio), Target, ratio >= 0.3,
            v.Quick ? $"quick volume: {volume} (the full run uses 20,000 x 50)" : volume,
            [
                $"- Data: {seeded.Description}",
                "- Ledger: `WriteModelRebuild.RunAsync` (what `ops/run projections rebuild` runs first) on a bare DocumentStore configured as the API's: " +
                $"the cases in batches (up to {WriteModelRebuild.CasesPerBatch:N0} cases and {WriteModelRebuild.EventsPerBatch:N0} events), {WriteModelRebuild.Workers} batches at once, each batch's stream rows locked, its events read " +
                "(the JSON only of the entries of the outline's types; of the others their versions and times) and its case states and amendments written, " +
                $"in one transaction. {outlineEvents:N0} of the {seeded.Events:N0} events ({100.0 * outlineEvents / seeded.Events:N0} %) are of the outline's types. " +
                "Every case document is overwritten (checked, untimed: all of them modified since the rebuild began).",
                $"- Baseline: {SeededEvents.ScanDescription}.",
                $"- {v.RebuildWarmups} warm-up rebuild(s) and read(s), then {v.RebuildReps} measured, alternating. {runs.Times}",
                $"- {runs.CpuPerThousand}",
                $"- Ratio ledger/baseline (entries/s): {Fmt.Ratio(ratio)} (target >= 0.3).",
            ]);
    }

    /// <summary>
    /// The measured rebuilds of a scenario over the seeded events and the raw scans beside them: warm-ups, then measured
    /// repetitions, each a rebuild (timed until <paramref name="rebuild"/> returns, given the shard timeout of a daemon,
    /// then checked by <paramref name="check"/>, untimed: null when right) followed by the raw scan of the same events.
    /// </summary>
    internal static async Task<RebuildRuns> AlternateAsync(BenchContext ctx, string label, SeededEvents seeded, NpgsqlDataSource raw,
        int warmups, int reps, Func<TimeSpan, Task> rebuild, Func<Task<string?>> check)
    {
        var v = ctx.Volumes;
        var runs = new RebuildRuns(seeded.Events);
        var shardTimeout = v.Quick ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(10);
        for (var rep = 0; rep < warmups + reps; rep++)
        {
            var before = ctx.Cpu.Take();
            var clock = Stopwatch.StartNew();
            await rebuild(shardTimeout);
            clock.Stop();
            var rebuildLoad = CpuMonitor.Between(before, ctx.Cpu.Take());
            if (await check() is { } wrong) throw new InvalidOperationException(wrong);
            var rebuildSeconds = clock.Elapsed.TotalSeconds;

            before = ctx.Cpu.Take();
            clock.Restart();
            var read = await SeededEvents.ScanAsync(raw, ctx.Ct);
            clock.Stop();
            var readLoad = CpuMonitor.Between(before, ctx.Cpu.Take());
            if (read != seeded.Events) throw new InvalidOperationException($"the baseline read {read} events, expected {seeded.Events}");
            var readSeconds = clock.Elapsed.TotalSeconds;

            var warm = rep < warmups;
            Console.WriteLine($"  {label} {(warm ? "warm-up" : "rep " + (rep + 1 - warmups))}: rebuild {Fmt.Seconds(rebuildSeconds)}, baseline {Fmt.Seconds(readSeconds)}");
            if (warm) continue;
            runs.Add(rebuildSeconds, rebuildLoad, readSeconds, readLoad);
        }
        return runs;
    }
}

/// <summary>The measured rebuilds and raw scans of one scenario over <paramref name="events"/> events.</summary>
internal sealed class RebuildRuns(long events)
{
    private readonly List<double> _rebuilds = [];
    private readonly List<double> _reads = [];
    private readonly List<CpuMonitor.Load> _rebuildCpu = [];
    private readonly List<CpuMonitor.Load> _readCpu = [];

    public void Add(double rebuildSeconds, CpuMonitor.Load rebuildCpu, double readSeconds, CpuMonitor.Load readCpu)
    {
        _rebuilds.Add(rebuildSeconds);
        _rebuildCpu.Add(rebuildCpu);
        _reads.Add(readSeconds);
        _readCpu.Add(readCpu);
    }

    public double LedgerRate => events / Stats.Median(_rebuilds);
    public double BaselineRate => events / Stats.Median(_reads);
    public double Ratio => LedgerRate / BaselineRate;

    public string LedgerFigure => $"{Fmt.Rate(LedgerRate, "entries/s")} ({Fmt.Seconds(Stats.Median(_rebuilds))})";
    public string BaselineFigure => $"{Fmt.Rate(BaselineRate, "entries/s")} ({Fmt.Seconds(Stats.Median(_reads))})";

    public string Times => $"Rebuild times: {string.Join(", ", _rebuilds.Select(Fmt.Seconds))}; baseline times: {string.Join(", ", _reads.Select(Fmt.Seconds))}.";

    public string CpuPerThousand =>
        $"CPU per 1,000 entries (median): rebuild: harness {Fmt.Ms(Stats.Median(_rebuildCpu.Select(c => c.HarnessCpu * 1e6 / events)))}, " +
        $"PostgreSQL {Fmt.Ms(Stats.Median(_rebuildCpu.Select(c => c.PostgresCpu * 1e6 / events)))}; baseline: harness {Fmt.Ms(Stats.Median(_readCpu.Select(c => c.HarnessCpu * 1e6 / events)))}, " +
        $"PostgreSQL {Fmt.Ms(Stats.Median(_readCpu.Select(c => c.PostgresCpu * 1e6 / events)))}.";
}
