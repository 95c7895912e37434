using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>Peer append: the ledger's store-level append figure against Emmett's appendToStream on the same workload.</summary>
public static class PeerAppendScenario
{
    public const string Name = "peer: append";
    public const string Target = ">= 2x peer";

    public static ScenarioResult Result(BenchContext ctx, PeerOutcome peer)
    {
        var v = ctx.Volumes;
        if (ctx.StoreAppend is null) return ScenarioResult.Missing(Name, Target, "the store-level append scenario did not run, so there is no ledger figure to compare");
        if (peer.Missing is not null) return ScenarioResult.Missing(Name, Target, "Emmett did not run: " + peer.Missing);

        var ledger = new Series("ledger (the write steps in process, from the store-level append scenario)");
        foreach (var rep in ctx.StoreAppend) ledger.Add(rep);
        var emmett = new Series("Emmett appendToStream");
        foreach (var rep in peer.Append) emmett.Add(rep);
        var ratio = ledger.Rate / emmett.Rate;
        var floor = new Series("Marten's floor (bare append, from the store-level append scenario)");
        foreach (var rep in ctx.StoreFloor ?? []) floor.Add(rep);
        var floorNote = floor.Reps.Count == 0 ? "" : $"; Marten's floor (a bare append) {Fmt.Rate(floor.Rate, "entries/s")}, {Fmt.Ratio(floor.Rate / emmett.Rate)} peer";
        return new ScenarioResult(Name,
            $"{Fmt.Rate(ledger.Rate, "entries/s")}; {ledger.Latency}",
            $"{Fmt.Rate(emmett.Rate, "events/s")}; {emmett.Latency}",
            Fmt.Ratio(ratio), Target, ratio >= 2,
            $"baseline column = the peer (Emmett 0.42.0), {v.Clients} in flight{floorNote}",
            [
                $"- Peer: {peer.Versions}; `getPostgreSQLEventStore(url, {{ connectionOptions: {{ pool }} }})` with a pg.Pool of {v.Clients} connections, " +
                "schema migrated before timing; `appendToStream('case-<uuid>', [event])` without expected version, one event per call.",
                $"- Same workload as the store-level append: the same generated entries ({v.AppendCases:N0} streams opened by their case-opened, not timed; " +
                $"{v.AppendRoundsPerRep} event(s) per stream per repetition; {v.Clients} workers each owning every {v.Clients}th stream), in the same database (Emmett's tables in schema public). " +
                $"{v.AppendWarmups} warm-up repetition(s), {v.AppendReps} measured.",
                $"- {ledger.Describe("entries/s")}",
                $"- {emmett.Describe("events/s")}; Node CPU per event {Fmt.Ms(peer.AppendNodeCpuMsPerEvent)} (PostgreSQL's share not split out for the peer)",
                .. floor.Reps.Count == 0 ? Array.Empty<string>() : [$"- {floor.Describe("entries/s")}: {StoreAppendScenario.FloorDescription}."],
                $"- Ratio ledger/peer: {Fmt.Ratio(ratio)} (target >= 2)" + (floor.Reps.Count == 0 ? "." : $"; Marten's floor/peer: {Fmt.Ratio(floor.Rate / emmett.Rate)}."),
            ]);
    }
}
