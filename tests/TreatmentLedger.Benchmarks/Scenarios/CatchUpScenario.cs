using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using TreatmentLedger.Api.CaseBoard;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Issue 11, catch-up from zero: the dashboards' async projection (<see cref="CaseFactsProjection"/>) rebuilt from zero to
/// the high-water mark of the rebuild scenario's event store by <see cref="CaseFactsRebuild"/> (what a rebuild over HTTP
/// and <c>ops/run projections rebuild</c> run, after which Marten's daemon goes on from that position); against the rebuild
/// scenario's raw scan of the same events, and with Marten's own daemon floor beside it.
/// </summary>
public static class CatchUpScenario
{
    public const string Name = "dashboards: catch-up from zero";
    public const string Target = ">= 0.3x the raw scan";

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var ct = ctx.Ct;
        var seeded = await SeededEvents.EnsureAsync(ctx);
        await using var store = await BenchCluster.OpenStoreAsync(seeded.ConnectionString, ct);
        await using var raw = NpgsqlDataSource.Create(seeded.ConnectionString);
        var boardTable = ((IDocumentStore)store).Options.Schema.For<CaseBoardRow>();
        var lineTable = ((IDocumentStore)store).Options.Schema.For<LineFactRow>();
        long lines = 0;

        var runs = await RebuildScenario.AlternateAsync(ctx, Name, seeded, raw, v.CatchUpWarmups, v.CatchUpReps,
            async timeout =>
            {
                var connections = new StoreConnections(store);
                await new CaseFactsRebuild(store, new EventRows(store, connections), connections).RunAsync(ct);
            },
            async () =>
            {
                if (await ShortOfHighWaterAsync(raw, CaseFactsProjection.Name, ct) is { } shortfall) return shortfall;
                var rows = await SeededEvents.ScalarAsync(raw, $"select count(*) from {boardTable}", ct);
                if (rows != seeded.Cases) return $"the catch-up left {rows} case board rows, expected {seeded.Cases}";
                lines = await SeededEvents.ScalarAsync(raw, $"select count(*) from {lineTable}", ct);
                return lines > 0 ? null : "the catch-up wrote no line facts";
            });
        var floor = await MartenFloorAsync(ctx, seeded, raw);
        var floorRatio = floor.Ratio;
        var ratio = runs.Ratio;
        return new ScenarioResult(Name,
            runs.LedgerFigure,
            runs.BaselineFigure,
            Fmt.Ratio(ratio), Target, ratio >= 0.3,
            $"{(v.Quick ? "quick volume: " : "")}{seeded.Volume}, the rebuild scenario's events; baseline column = its raw scan; " +
            $"{seeded.Cases:N0} board rows and {lines:N0} line facts written; Marten's daemon floor (replaying the same events through a projection that does nothing) {Fmt.Ratio(floorRatio)}.",
            [
                $"- Data: the rebuild scenario's event store, made once for both: {seeded.Description}",
                "- Ledger: `CaseFactsRebuild.RunAsync` (what `POST /projections/CaseFacts/rebuild` and `ops/run projections rebuild` run, the projection's agent stopped; " +
                "Marten's daemon then goes on from the position it leaves) on a bare DocumentStore configured as the API's, in the harness's process: the documents " +
                "truncated and the position set to 0; the high-water mark read under an exclusive lock on the streams table and the cases up to it listed (in the order of their first events); " +
                $"then the cases in batches (up to {WriteModelRebuild.CasesPerBatch:N0} cases and {WriteModelRebuild.EventsPerBatch:N0} events), {WriteModelRebuild.Workers} at once, " +
                "each batch's events read in one query (the columns a fold needs), each case folded by the projection's own code as soon as its events are read, " +
                "the batch's board rows and line facts written by COPY (Marten's bulk insert), the position moved up as batches end; the clock stops when the call returns. " +
                "Then, untimed, the projection's progress row is checked to equal `max(seq_id)` (position = high-water mark), " +
                $"and the documents counted: one `{boardTable}` row per case, and the `{lineTable}` rows (one per line of therapy).",
                $"- Baseline: the rebuild scenario's raw scan, {SeededEvents.ScanDescription}.",
                $"- {v.CatchUpWarmups} warm-up catch-up(s) and scan(s), then {v.CatchUpReps} measured, alternating. {runs.Times}",
                $"- {runs.CpuPerThousand}",
                $"- Ratio catch-up/raw scan (entries/s): {Fmt.Ratio(ratio)} (target >= 0.3).",
                $"- Marten's floor: the same daemon over the same events rebuilding `{NothingProjection.Name}`, an async projection whose `ApplyAsync` returns at once " +
                $"(a store configured as the API's plus that projection; {v.CatchUpReps} rebuild(s) after the catch-ups, alternating with raw scans as they do): {floor.Times} " +
                $"Median {floor.LedgerFigure}, {Fmt.Ratio(floorRatio)} the raw scan: no projection that Marten's daemon replays page by page can go faster. The ledger's rebuild runs at {Fmt.Ratio(runs.LedgerRate / floor.LedgerRate)} that floor.",
            ]);
    }

    /// <summary>
    /// What Marten's daemon costs by itself: rebuilds, over the seeded events, of a projection that writes nothing (the
    /// daemon still loads every event, page by page, and records its progress), each checked to reach the high-water mark.
    /// </summary>
    private static async Task<RebuildRuns> MartenFloorAsync(BenchContext ctx, SeededEvents seeded, NpgsqlDataSource raw)
    {
        await using var store = await BenchCluster.OpenStoreAsync(seeded.ConnectionString, ctx.Ct,
            o => o.Projections.Add(new NothingProjection(), ProjectionLifecycle.Async, NothingProjection.Name, daemon => daemon.BatchSize = 5_000));
        return await RebuildScenario.AlternateAsync(ctx, Name + ", Marten's floor", seeded, raw, 0, ctx.Volumes.CatchUpReps,
            async timeout =>
            {
                using var daemon = await store.BuildProjectionDaemonAsync();
                await daemon.RebuildProjectionAsync(NothingProjection.Name, timeout, ctx.Ct);
            },
            () => ShortOfHighWaterAsync(raw, NothingProjection.Name, ctx.Ct));
    }

    /// <summary>Null when the projection's progress is the store's high-water mark; else what it fell short by.</summary>
    private static async Task<string?> ShortOfHighWaterAsync(NpgsqlDataSource raw, string projection, CancellationToken ct)
    {
        var highWater = await SeededEvents.ScalarAsync(raw, "select max(seq_id) from ledger.mt_events", ct);
        var position = await SeededEvents.ScalarAsync(raw,
            $"select coalesce((select last_seq_id from ledger.mt_event_progression where name = '{ReadModels.ShardOf(projection)}'), 0)", ct);
        return position == highWater ? null : $"{projection} stopped at position {position}, the high-water mark is {highWater}";
    }

    /// <summary>An async projection that does nothing with the events it is given, with the same page size as the dashboards'.</summary>
    private sealed class NothingProjection : IProjection
    {
        public const string Name = "Nothing";

        public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation) => Task.CompletedTask;
    }
}
