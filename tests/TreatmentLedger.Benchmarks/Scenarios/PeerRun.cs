using System.Text.Json.Nodes;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Runs the Emmett peer once for both peer rows, on the same workloads as the ledger's: the entries of the store-level
/// append scenario (same seed, same shape: 16 in flight, one event per append), and the 100-entry replay case.
/// </summary>
public static class PeerRun
{
    public const int ReplaySeed = 500_000;

    public static async Task<PeerOutcome> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var streams = CaseStreams.Generate(v.AppendCases, v.AppendEntriesPerCase, StoreAppendScenario.Seed, ctx.Today);
        var replay = SyntheticCase.Generate(v.PeerReplayEntries, ReplaySeed, ctx.Today);
        var workload = new JsonObject
        {
            ["concurrency"] = v.Clients,
            ["appendWarmups"] = v.AppendWarmups,
            ["appendReps"] = v.AppendReps,
            ["appendRoundsPerRep"] = v.AppendRoundsPerRep,
            ["streams"] = new JsonArray(streams.Cases.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = $"case-{Guid.NewGuid()}",
                ["events"] = new JsonArray(c.Select(e => (JsonNode)CaseJson.EmmettEvent(e)).ToArray()),
            }).ToArray()),
            ["replay"] = new JsonObject
            {
                ["streamId"] = $"case-{Guid.NewGuid()}",
                ["events"] = new JsonArray(replay.Select(e => (JsonNode)CaseJson.EmmettEvent(e)).ToArray()),
                ["warmupCalls"] = v.PeerReplayWarmupCalls,
                ["reps"] = v.PeerReplayReps,
                ["callsPerRep"] = v.PeerReplayCallsPerRep,
            },
        };
        var timeout = v.Quick ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(8);
        var outcome = await EmmettPeer.RunAsync(ctx.PeerDir, ctx.Cluster.Url(), workload, ctx.Cluster.Root, timeout, ctx.Ct);
        Console.WriteLine(outcome.Missing is null ? $"  peer ran: {outcome.Versions}" : $"  peer missing: {outcome.Missing}");
        return outcome;
    }
}
