using System.Diagnostics;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Cold start to first 201: from starting <c>dotnet TreatmentLedger.Api.dll</c> until the first
/// <c>POST /cases/{id}/entries</c> answers 201 (posted every 10 ms until the API listens), on an existing case.
/// </summary>
public static class ColdStartScenario
{
    public const string Name = "cold start to first 201";

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var entries = SyntheticCase.Generate(v.ColdStarts + 3, seed: 7, ctx.Today);
        var (caseId, refused) = await ctx.Writer.StartAsync([entries[0]], ctx.Ct);
        if (refused is not null) throw new InvalidOperationException("could not open the cold-start case: " + refused);
        var path = $"/cases/{caseId}/entries";

        var measured = new List<double>();
        var toHealthy = new List<string>();
        for (var run = 0; run < 1 + v.ColdStarts; run++)
        {
            var body = CaseJson.EntryBody(entries[run + 1]);
            await using var api = ApiProcess.Start(ctx.ApiDll, ctx.Cluster.ConnectionString, ctx.ApiDataDirectory, Path.Combine(ctx.Cluster.Root, "api-cold-start.log"));
            var previous = ctx.Api;
            ctx.Api = api;
            try
            {
                var ms = await FirstCreatedAsync(ctx, api, path, body);
                ctx.ColdStartPeaks.Add(api.PeakRssBytes());
                Console.WriteLine($"  cold start {(run == 0 ? "warm-up" : "run " + run)}: {Fmt.Ms(ms)} to first 201");
                if (run > 0) measured.Add(ms);
                else toHealthy.Add(Fmt.Ms(ms));
            }
            finally
            {
                ctx.Api = previous;
            }
        }

        var median = Stats.Median(measured);
        return new ScenarioResult(Name, $"median {Fmt.Ms(median)}", "n/a", "n/a", "measured (no target)", null,
            "process start to first 201, schema already in place",
            [
                $"- {v.ColdStarts} measured starts after 1 warm-up start (not counted: {string.Join(", ", toHealthy)}); Marten's schema was already applied by the harness, so each start only checks it.",
                $"- Each: `dotnet {Path.GetFileName(ctx.ApiDll)}` (Release) with LEDGER_CONNECTION_STRING at the bench cluster, LEDGER_DEMO=0; " +
                "the clock starts just before the process starts and stops when `POST /cases/{id}/entries` (retried every 10 ms while the port refuses) answers 201.",
                $"- Measured: {string.Join(", ", measured.Select(Fmt.Ms))}; median {Fmt.Ms(median)}, min {Fmt.Ms(measured.Min())}, max {Fmt.Ms(measured.Max())}.",
                $"- Peak RSS of these processes (VmHWM at their first 201): {string.Join(", ", ctx.ColdStartPeaks.Select(Fmt.MiB))}.",
            ]);
    }

    private static async Task<double> FirstCreatedAsync(BenchContext ctx, ApiProcess api, string path, byte[] body)
    {
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (api.HasExited) throw new InvalidOperationException($"the API exited during start-up; see {api.LogPath}");
            try
            {
                var (failure, _) = await ctx.PostAsync(path, body, 201, ctx.Ct);
                if (failure is null) return Stopwatch.GetElapsedTime(api.StartedAt).TotalMilliseconds;
                throw new InvalidOperationException($"the first POST answered {failure}");
            }
            catch (HttpRequestException)
            {
                await Task.Delay(10, ctx.Ct);
            }
        }
        throw new TimeoutException($"no 201 within 2 minutes of start; see {api.LogPath}");
    }
}
