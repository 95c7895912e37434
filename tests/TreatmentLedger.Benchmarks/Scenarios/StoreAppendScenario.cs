using Marten;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Append in the store: the ledger's write steps in process (<see cref="LedgerWriter"/>) on a bare DocumentStore configured as the API's, one entry per
/// transaction, 16 in flight, over 1,000 cases; against the same raw INSERT baseline, and (issue 9's target) against
/// Marten's floor, a bare append on the same entries.
/// </summary>
public static class StoreAppendScenario
{
    public const string Name = "append in the store";
    public const string Target = ">= 0.8x Marten's floor";

    /// <summary>The seed of the store cases; the peer appends the very same entries.</summary>
    public const int Seed = 200_000;

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var writer = ctx.Writer;
        var streams = CaseStreams.Generate(v.AppendCases, v.AppendEntriesPerCase, Seed, ctx.Today);

        var open = Enumerable.Range(0, v.Clients).Select(w => Enumerable.Range(0, streams.Cases.Count).Where(c => c % v.Clients == w).Select(c =>
            (Operation)(async ct =>
            {
                var (caseId, refused) = await writer.StartAsync([streams.Cases[c][0]], ct);
                streams.Ids[c] = caseId;
                return refused;
            })).ToList()).ToList<IReadOnlyList<Operation>>();
        var opened = await LoadRunner.RunAsync(open, ctx.RepLimit, ctx.Ct);
        if (opened.Failures > 0) throw new InvalidOperationException($"{opened.Failures} cases could not be opened: {opened.FirstFailure}");
        await AppendBaseline.OpenAsync(ctx, streams);

        await using var floorStore = await FloorStoreAsync(ctx);
        var floorStreams = await OpenFloorAsync(ctx, floorStore);

        var ledger = new Series("ledger (the write steps in process)");
        var floor = new Series("Marten's floor (bare append)");
        var baseline = new Series("baseline (INSERT)");
        IReadOnlyList<IReadOnlyList<(int Case, int Entry)>> plan = [];
        // The ledger, Marten's floor and the raw INSERT take turns in every repetition: the ratio the target reads
        // compares two runs of the same minute, on the same cluster, in the same process.
        await Repetitions.RunInTurnAsync(ctx.Cpu, Name, v.AppendWarmups, v.AppendReps,
            (ledger, async _ =>
            {
                plan = streams.NextRounds(v.Clients, v.AppendRoundsPerRep);
                var workers = plan.Select(items => items.Select(item =>
                {
                    var id = streams.Ids[item.Case];
                    var entry = streams.Cases[item.Case][item.Entry];
                    return (Operation)(async ct => await writer.AppendAsync(id, [entry], ct));
                }).ToList()).ToList<IReadOnlyList<Operation>>();
                return await LoadRunner.RunAsync(workers, ctx.RepLimit, ctx.Ct);
            }),
            (floor, _ => FloorRepAsync(ctx, floorStore, floorStreams)),
            (baseline, _ => AppendBaseline.RunAsync(ctx, streams, plan)));
        ctx.StoreAppend = ledger.Reps;
        ctx.StoreFloor = floor.Reps;

        var ratio = ledger.Rate / baseline.Rate;
        var floorRatio = floor.Rate / baseline.Rate;
        var ofFloor = ledger.Rate / floor.Rate;
        return new ScenarioResult(Name,
            $"{Fmt.Rate(ledger.Rate, "entries/s")}; {ledger.Latency}",
            $"{Fmt.Rate(floor.Rate, "entries/s")}; {floor.Latency}",
            Fmt.Ratio(ofFloor), Target, ofFloor >= 0.8 && ledger.Failures == 0,
            $"{v.Clients} in flight, {v.AppendCases:N0} cases; baseline column = Marten's floor (a bare append: no read, no rules, no projection). " +
            $"Raw INSERT {Fmt.Rate(baseline.Rate, "entries/s")}: ledger {Fmt.Ratio(ratio)}, floor {Fmt.Ratio(floorRatio)} of it. {ledger.Problems}{baseline.Problems}{floor.Problems}".Trim(),
            [
                $"- Workload: {v.AppendCases:N0} generated cases opened with the ledger's write steps (`LedgerWriter.StartAsync`) (not timed); each repetition appends the next " +
                $"{v.AppendRoundsPerRep} entr{(v.AppendRoundsPerRep == 1 ? "y" : "ies")} of every case with `LedgerWriter.AppendAsync` (one entry per request, through the API's " +
                $"writer queue: requests on different cases share a transaction, each case's stream row-locked and its state read, the named entries read, " +
                $"each request decided, the events appended with their case states in one statement, one commit), {v.Clients} tasks in flight, each owning every {v.Clients}th case. " +
                $"{v.AppendWarmups} warm-up repetition(s), {v.AppendReps} measured.",
                "- Store: `DocumentStore.For(o => Configuration.ConfigureStore(o, cs))` in the harness process (no HTTP, no Wolverine).",
                $"- Baseline: {AppendBaseline.Description}, the same entries right after each repetition of the ledger and of Marten's floor.",
                $"- {ledger.Describe("entries/s")}",
                $"- {baseline.Describe("entries/s")}",
                $"- Marten's floor, on the same cluster, its repetitions taking turns with the ledger's (each ledger repetition followed by one of the floor's): " +
                $"{FloorDescription}, the same generated entries (cases opened untimed, {v.Clients} tasks in flight).",
                $"- {floor.Describe("entries/s")}",
                $"- Ratio ledger/floor: {Fmt.Ratio(ofFloor)} (target >= 0.8); ledger/baseline (INSERT): {Fmt.Ratio(ratio)} (issue 4's target, >= 0.6); Marten's floor/baseline: {Fmt.Ratio(floorRatio)}.",
            ]);
    }

    /// <summary>The store of Marten's floor, in this scenario and in the batch import's.</summary>
    public const string FloorStore = "a store with the ledger's settings (quick append, metadata, the unique index on event ids) in its own schema but no projection";

    public const string FloorDescription =
        FloorStore + ", one `session.Events.Append(id, entry)` " +
        "and `SaveChangesAsync` per entry: no stream lock, no case document read or written, no rules";

    /// <summary>
    /// What Marten itself costs per entry on this machine: the lowest an append through it can cost, whatever the
    /// ledger does around it. A store of its own (no projection), on which the same entries as the ledger's are appended.
    /// </summary>
    public static async Task<DocumentStore> FloorStoreAsync(BenchContext ctx)
    {
        var store = DocumentStore.For(o =>
        {
            Configuration.ConfigureStore(o, ctx.Cluster.ConnectionString);
            o.DatabaseSchemaName = "ledger_floor";
            o.Projections.All.Clear();
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return store;
    }

    /// <summary>The floor's streams, opened by their case-opened (not timed).</summary>
    private static async Task<CaseStreams> OpenFloorAsync(BenchContext ctx, DocumentStore store)
    {
        var v = ctx.Volumes;
        var streams = CaseStreams.Generate(v.AppendCases, v.AppendEntriesPerCase, Seed, ctx.Today);
        await using var session = store.LightweightSession(BenchContext.Hospital);
        for (var c = 0; c < streams.Cases.Count; c++)
            session.Events.StartStream(streams.Ids[c] = Guid.CreateVersion7(), streams.Cases[c][0]);
        await session.SaveChangesAsync(ctx.Ct);
        return streams;
    }

    /// <summary>One repetition of the floor: the next entries of every stream, one bare append per session.</summary>
    private static Task<LoadResult> FloorRepAsync(BenchContext ctx, DocumentStore store, CaseStreams streams)
    {
        var v = ctx.Volumes;
        var workers = streams.NextRounds(v.Clients, v.AppendRoundsPerRep).Select(items => items.Select(item =>
        {
            var id = streams.Ids[item.Case];
            var entry = streams.Cases[item.Case][item.Entry];
            return (Operation)(async ct =>
            {
                await using var session = store.LightweightSession(BenchContext.Hospital);
                session.Events.Append(id, entry);
                await session.SaveChangesAsync(ct);
                return null;
            });
        }).ToList()).ToList<IReadOnlyList<Operation>>();
        return LoadRunner.RunAsync(workers, ctx.RepLimit, ctx.Ct);
    }
}
