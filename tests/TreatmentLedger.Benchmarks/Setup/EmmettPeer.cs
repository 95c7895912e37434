using System.Text.Json.Nodes;
using TreatmentLedger.Benchmarks.Measurement;

namespace TreatmentLedger.Benchmarks.Setup;

/// <summary>What the Emmett script measured, or why there is nothing.</summary>
public sealed record PeerOutcome(IReadOnlyList<LoadResult> Append, IReadOnlyList<LoadResult> Replay, string Versions, string? Missing,
    double AppendNodeCpuMsPerEvent = double.NaN, double ReplayNodeCpuMsPerCall = double.NaN)
{
    public static PeerOutcome Absent(string why) => new([], [], "", why);
}

/// <summary>
/// Runs peer/emmett-bench.mjs with Node from the scratch folder where ops/bench installed
/// @event-driven-io/emmett-postgresql 0.42.0 (the script is copied there so that its imports resolve).
/// </summary>
public static class EmmettPeer
{
    public const string Package = "@event-driven-io/emmett-postgresql";
    public const string Version = "0.42.0";

    public static async Task<PeerOutcome> RunAsync(string? peerDir, string url, JsonObject workload, string scratch, TimeSpan timeout, CancellationToken ct)
    {
        if (peerDir is null)
            return PeerOutcome.Absent("no peer folder was given (--peer-dir); ops/bench installs Emmett there with npm");
        var manifest = Path.Combine(peerDir, "node_modules", Package, "package.json");
        if (!File.Exists(manifest))
            return PeerOutcome.Absent($"{Package} is not installed in {peerDir} (ops/bench runs npm install there; see its output for why it failed)");
        var installed = JsonNode.Parse(await File.ReadAllTextAsync(manifest, ct))?["version"]?.GetValue<string>();
        if (installed != Version)
            return PeerOutcome.Absent($"{peerDir} holds {Package} {installed}, not {Version}");

        var script = Path.Combine(AppContext.BaseDirectory, "peer", "emmett-bench.mjs");
        File.Copy(script, Path.Combine(peerDir, "emmett-bench.mjs"), overwrite: true);
        var workloadPath = Path.Combine(scratch, "emmett-workload.json");
        await File.WriteAllTextAsync(workloadPath, workload.ToJsonString(), ct);

        Shell.Result run;
        try
        {
            run = await Shell.RunAsync("node", ["emmett-bench.mjs", url, workloadPath], timeout, peerDir, ct: ct);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return PeerOutcome.Absent($"node could not be started: {e.Message}");
        }
        catch (TimeoutException e)
        {
            return PeerOutcome.Absent(e.Message);
        }
        if (run.ExitCode != 0)
            return PeerOutcome.Absent($"node emmett-bench.mjs exited with code {run.ExitCode}: {Shell.Tail(run.StdErr, 8)}");

        var result = JsonNode.Parse(run.StdOut.Trim().Split('\n')[^1])!;
        var versions = result["versions"]!.AsObject();
        return new PeerOutcome(
            Reps(result["append"]!["reps"]!.AsArray()),
            Reps(result["replay"]!["reps"]!.AsArray()),
            string.Join(", ", versions.Select(v => $"{v.Key} {v.Value}")),
            null,
            CpuPerItem(result["append"]!["reps"]!.AsArray()),
            CpuPerItem(result["replay"]!["reps"]!.AsArray()));
    }

    private static double CpuPerItem(JsonArray reps) =>
        Stats.Median(reps.Select(r => r!["nodeCpuMs"]!.GetValue<double>() / Math.Max(1, r["count"]!.GetValue<int>())));

    private static List<LoadResult> Reps(JsonArray reps) => reps.Select(r => new LoadResult(
        r!["count"]!.GetValue<int>(), 0, r["seconds"]!.GetValue<double>(),
        r["latenciesMs"]!.AsArray().Select(l => l!.GetValue<double>()).ToList(), null, false)).ToList();
}
