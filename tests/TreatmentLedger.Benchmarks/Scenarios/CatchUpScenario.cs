using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using TreatmentLedger.Api.CaseBoard;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Issue 11, daemon catch-up from zero: the dashboards' async projection (<see cref="CaseFactsProjection"/>) rebuilt by
/// Marten's daemon from the first event to the high-water mark of the rebuild scenario's event store; against the
/// rebuild scenario's raw scan of the same events.
/// </summary>
public static class CatchUpScenario
{
    public const string Name = "dashboards: daemon catch-up from zero";
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
                using var daemon = await store.BuildProjectionDaemonAsync();
                await daemon.RebuildProjectionAsync(CaseFactsProjection.Name, timeout, ct);
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
            $"{seeded.Cases:N0} board rows and {lines:N0} line facts written; Marten's floor (its daemon replaying the same events through a projection that does nothing) {Fmt.Ratio(floorRatio)}.",
            [
                $"- Data: the rebuild scenario's event store, made once for both: {seeded.Description}",
                $"- Ledger: `using var daemon = await store.BuildProjectionDaemonAsync(); await daemon.RebuildProjectionAsync(\"{CaseFactsProjection.Name}\", timeout, ct)` " +
                "on a bare DocumentStore configured as the API's, in the harness's process (the API runs the same projection under Wolverine's distribution; " +
                "here no other daemon runs on this database). Marten resets the projection (its documents deleted, its progress set to 0) and replays every event " +
                $"through it, page by page ({Api.Dashboards.Configuration.AsyncProjections.Count} async projection, its daemon's page 5,000 events), until it reaches the high-water mark; " +
                "the clock stops when the call returns. Then, untimed, the projection's progress row is checked to equal `max(seq_id)` (position = high-water mark), " +
                $"and the documents counted: one `{boardTable}` row per case, and the `{lineTable}` rows (one per line of therapy).",
                $"- Baseline: the rebuild scenario's raw scan, {SeededEvents.ScanDescription}.",
                $"- {v.CatchUpWarmups} warm-up catch-up(s) and scan(s), then {v.CatchUpReps} measured, alternating. {runs.Times}",
                $"- {runs.CpuPerThousand}",
                $"- Ratio catch-up/raw scan (entries/s): {Fmt.Ratio(ratio)} (target >= 0.3).",
                $"- Marten's floor: the same daemon over the same events rebuilding `{NothingProjection.Name}`, an async projection whose `ApplyAsync` returns at once " +
                $"(a store configured as the API's plus that projection; {v.CatchUpReps} rebuild(s) after the catch-ups, alternating with raw scans as they do): {floor.Times} " +
                $"Median {floor.LedgerFigure}, {Fmt.Ratio(floorRatio)} the raw scan. The catch-up runs at {Fmt.Ratio(runs.LedgerRate / floor.LedgerRate)} its floor.",
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
