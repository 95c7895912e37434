using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;
using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Issue 11, survival curves over a big cohort: <c>GET /cohorts/survival?endpoint=pfs</c> with every regimen of a
/// hospital of 30,000 lines of therapy, one request at a time; against a plain SELECT of the same per-line facts
/// (the three columns the route reads) from the projection's table.
/// </summary>
public static class SurvivalScenario
{
    public const string Name = "dashboards: GET /cohorts/survival";
    public const string Target = "p95 <= 3x a plain select of the same facts";

    /// <summary>The cohort's hospital, which holds nothing else.</summary>
    public const string Hospital = "bench-cohort";

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var ct = ctx.Ct;
        var db = ctx.Dashboards ?? throw new InvalidOperationException("needs the dashboards database and its API process");
        var cohort = Cohort.Generate(v.SurvivalLines, v.SurvivalEntriesPerCase, seed: 800_000, ctx.Today);
        var files = cohort.Cases.Select(CaseJson.CaseFile).ToList();
        var events = cohort.Cases.Sum(c => c.Count);
        using var clinician = ctx.NewClient(Roles.Clinician, Hospital);

        // Loading (not timed): the cases through the import route, then the projection left to catch up.
        var loading = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, v.ImportClients).Select(w => (IReadOnlyList<Operation>)files.Where((_, i) => i % v.ImportClients == w)
            .Select(file => (Operation)(async c => (await BenchContext.PostAsync(clinician, ctx.ApiUri("/cases/import"), file, 201, c)).Failure)).ToList()).ToList();
        var imported = await LoadRunner.RunAsync(workers, TimeSpan.FromMinutes(5), ct);
        if (imported.Failures > 0 || imported.TimedOut) throw new InvalidOperationException($"{imported.Failures} imports failed ({imported.FirstFailure}){(imported.TimedOut ? ", time limit hit" : "")}");
        var importSeconds = loading.Elapsed.TotalSeconds;
        var caughtUp = await db.WaitForLagZeroAsync(ctx, TimeSpan.FromMinutes(v.Quick ? 2 : 4));
        loading.Stop();
        Console.WriteLine($"  {Name}: imported {cohort.Cases.Count:N0} cases ({events:N0} entries) in {Fmt.Seconds(importSeconds)}; " +
                          $"the projection caught up {Fmt.Seconds(caughtUp.TotalSeconds)} later");

        var table = ((Marten.IDocumentStore)ctx.Store).Options.Schema.For<LineFactRow>();
        var keys = cohort.Regimens.Select(RegimenKey.Of).ToArray();
        var rows = await CountAsync(db.Raw, $"select count(*) from {table} where tenant_id = $1", ct);
        if (rows != cohort.Lines) throw new InvalidOperationException($"the projection wrote {rows} line facts for the cohort, the domain counts {cohort.Lines}");

        var path = "/cohorts/survival?endpoint=pfs&" + string.Join('&', cohort.Regimens.Select(r => "regimen=" + Uri.EscapeDataString(r)));
        var uri = ctx.ApiUri(path);
        var (answered, bytes) = await CheckAsync(clinician, uri, cohort, ct);
        var sql = $"select regimen_key, pfs_days, pfs_event from {table} where tenant_id = $1 and regimen_key = any($2)";

        var ledger = new Series("ledger (GET /cohorts/survival)");
        var baseline = new Series("baseline (SELECT of the facts)");
        await using var connection = await db.Raw.OpenConnectionAsync(ct);
        await Repetitions.RunPairedAsync(ctx.Cpu, Name, v.SurvivalWarmups, v.SurvivalReps,
            ledger, _ => LoadRunner.RunSequentialAsync(Enumerable.Repeat((Operation)(c => BenchContext.GetAsync(clinician, uri, c)), v.SurvivalCallsPerRep).ToList(), ctx.RepLimit, ct),
            baseline, _ => LoadRunner.RunSequentialAsync(Enumerable.Repeat((Operation)(async c =>
            {
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.Add(new NpgsqlParameter { Value = Hospital, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter { Value = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                await using var reader = await command.ExecuteReaderAsync(c);
                var facts = new List<(string Key, int Days, bool Event)>(cohort.Lines);
                while (await reader.ReadAsync(c)) facts.Add((reader.GetString(0), reader.GetInt32(1), reader.GetBoolean(2)));
                return facts.Count == cohort.Lines ? null : $"{facts.Count} rows, expected {cohort.Lines}";
            }), v.SurvivalCallsPerRep).ToList(), ctx.RepLimit, ct));

        var ratio = ledger.Latency.P95 / baseline.Latency.P95;
        return new ScenarioResult(Name,
            ledger.Latency.ToString(),
            baseline.Latency.ToString(),
            $"p95 {Fmt.Ratio(ratio)}", Target, ratio <= 3 && ledger.Failures == 0 && baseline.Failures == 0,
            $"{(v.Quick ? "quick volume: " : "")}{cohort.Lines:N0} lines of {cohort.Cases.Count:N0} cases, {cohort.Regimens.Count} regimens asked for (all of them); " +
            $"one request at a time, p95 ratio ledger/baseline. {ledger.Problems}{baseline.Problems}".Trim(),
            [
                $"- Cohort: {cohort.Cases.Count:N0} generated cases of {v.SurvivalEntriesPerCase} entries (half ending with a death; {events:N0} entries), " +
                $"generated until their lines, counted by the domain's `LineFacts`, reached {v.SurvivalLines:N0}: {cohort.Lines:N0} lines of {cohort.Regimens.Count} regimens " +
                $"({string.Join(", ", cohort.Regimens)}); {cohort.Skipped:N0} generated cases with a line of a combined regimen (a start joined to an active line) were left out, " +
                "so that the regimens asked for cover every line; " +
                $"in hospital `{Hospital}`, which holds nothing else, of database `{DashboardsDatabase.Database}` (its own API process, see the lag row). " +
                $"Loaded (not timed) through `POST /cases/import`, {v.ImportClients} clients, in {Fmt.Seconds(importSeconds)}; the {CaseFactsProjection.Name} projection " +
                $"reached lag 0 (`GET /projections`) {Fmt.Seconds(caughtUp.TotalSeconds)} after the last import; then `{table}` held {rows:N0} rows for the hospital, as counted.",
                $"- Ledger: `GET {path}` with a clinician's token of the hospital, one request at a time, the whole body read " +
                $"({Fmt.Bytes(bytes)}; its groups' n add up to {answered:N0}, checked once before timing). The route reads the read model's position, " +
                "selects the three columns of every line of those regimens, and computes each Kaplan–Meier curve (Greenwood band, median, numbers at risk) and the log-rank test.",
                $"- Baseline: plain Npgsql `{sql}` with the same hospital and regimen keys, on one open connection, every row read into a list: the facts the route computes from, without the API.",
                $"- {v.SurvivalWarmups} warm-up repetition(s), {v.SurvivalReps} measured, of {v.SurvivalCallsPerRep} calls each, the ledger then the baseline in each.",
                $"- {ledger.Describe("calls/s")}",
                $"- {baseline.Describe("calls/s")}",
                $"- Ratio of p95 latencies ledger/baseline: {Fmt.Ratio(ratio)} (target <= 3); p50 ratio {Fmt.Ratio(ledger.Latency.P50 / baseline.Latency.P50)}.",
            ]);
    }

    /// <summary>One request before timing: the groups' n must add up to the cohort's lines (every line is in one of the regimens asked for).</summary>
    private static async Task<(long Lines, long Bytes)> CheckAsync(HttpClient client, Uri uri, Cohort cohort, CancellationToken ct)
    {
        using var response = await client.GetAsync(uri, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {uri.PathAndQuery} answered {(int)response.StatusCode} {BenchContext.Shorten(text)}");
        var lines = JsonNode.Parse(text)!["groups"]!.AsArray().Sum(g => g!["n"]!.GetValue<long>());
        if (lines != cohort.Lines) throw new InvalidOperationException($"GET {uri.PathAndQuery} counted {lines} lines, the cohort has {cohort.Lines}");
        return (lines, System.Text.Encoding.UTF8.GetByteCount(text));
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = Hospital, NpgsqlDbType = NpgsqlDbType.Text });
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
