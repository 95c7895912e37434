using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Peer replay: the ledger folds a 100-entry case to its lines of therapy live (the API's replay read of the stream, corrections applied,
/// line fold; no cached document), one call at a time; against Emmett's aggregateStream of the same 100 events.
/// </summary>
public static class PeerReplayScenario
{
    public const string Name = "peer: replay";
    public const string Target = ">= 2x peer";

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx, PeerOutcome peer)
    {
        var v = ctx.Volumes;
        var entries = SyntheticCase.Generate(v.PeerReplayEntries, PeerRun.ReplaySeed, ctx.Today);
        var id = Guid.CreateVersion7();
        await ReplayToDateScenario.SeedAsync(ctx, id, entries);
        var point = new ViewPoint(ctx.Today, ctx.Today);
        // Live, as the API folds a stream for a replay (GET .../lines?asOf=): the stream's entries, never the case document.
        // A reader of its own per call: the API's reader keeps the streams it read, and a second call would read no row.
        var connections = new StoreConnections(ctx.Store);
        var rows = new EventRows(ctx.Store, connections);
        var replay = new ReadParameters(ctx.Today, KnownAt: null);
        Operation fold = async ct =>
        {
            var reader = new CaseReader(ctx.Store, rows, new StoreConnections(ctx.Store), TimeProvider.System);
            var history = await reader.LoadAsync(BenchContext.Hospital, id, replay, ct);
            if (history?.Recorded.Count != entries.Count) return $"read {history?.Recorded.Count ?? 0} entries";
            return Lines.Of(history, point).Count > 0 ? null : "no lines";
        };

        var ledger = new Series("ledger (live fold to lines)");
        for (var rep = 0; rep < 1 + v.PeerReplayReps; rep++)
        {
            var calls = rep == 0 ? v.PeerReplayWarmupCalls : v.PeerReplayCallsPerRep;
            var (result, cpu) = await Repetitions.MeasuredAsync(ctx.Cpu, () => LoadRunner.RunSequentialAsync(Enumerable.Repeat(fold, calls).ToList(), ctx.RepLimit, ctx.Ct));
            Console.WriteLine($"  {Name} {(rep == 0 ? "warm-up" : "rep " + rep)}: ledger {result.Latency}");
            if (rep > 0) ledger.Add(result, cpu);
        }
        if (peer.Missing is not null)
            return new ScenarioResult(Name, $"{Fmt.Rate(ledger.Rate, "folds/s")}; {ledger.Latency}", "not measured", "", Target, null,
                "Emmett did not run: " + peer.Missing, [$"- {ledger.Describe("folds/s")}", $"- Emmett did not run: {peer.Missing}"]);

        var emmett = new Series("Emmett aggregateStream");
        foreach (var rep in peer.Replay) emmett.Add(rep);
        var ledgerRate = ledger.Rate;
        var peerRate = emmett.Rate;
        var ratio = ledgerRate / peerRate;
        return new ScenarioResult(Name,
            $"{Fmt.Rate(ledgerRate, "folds/s")}; {ledger.Latency}",
            $"{Fmt.Rate(peerRate, "folds/s")}; {emmett.Latency}",
            Fmt.Ratio(ratio), Target, ratio >= 2 && ledger.Failures == 0,
            $"baseline column = the peer (Emmett 0.42.0); {v.PeerReplayEntries} entries, one call at a time",
            [
                $"- Ledger: `CaseReader.LoadAsync(hospital, id, asOf: today)`, the API's replay path (one query of the stream's rows, each entry deserialised by Marten's serializer; never the case document), by a reader made for the call (the API's reader keeps the streams it read last, and would read no row after the first call), then `Lines.Of(history, viewPoint)`, " +
                $"in the harness process on a bare DocumentStore; a generated {v.PeerReplayEntries}-entry case stored with one `StartStream`.",
                $"- Peer: {peer.Versions}; `aggregateStream('case-<uuid>', {{ evolve: (s, e) => ({{ count: s.count + 1, lastType: e.type }}), initialState }})` over the same {v.PeerReplayEntries} events.",
                $"- Both: warm-up of {v.PeerReplayWarmupCalls} calls, then {v.PeerReplayReps} repetitions of {v.PeerReplayCallsPerRep} calls, one at a time; folds/s = calls / wall time of a repetition, median over repetitions.",
                $"- {ledger.Describe("folds/s")}",
                $"- {emmett.Describe("folds/s")}; Node CPU per call {Fmt.Ms(peer.ReplayNodeCpuMsPerCall)}",
                $"- Ratio ledger/peer (folds/s): {Fmt.Ratio(ratio)} (target >= 2).",
            ]);
    }
}
