using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Replay to a date: <c>GET /cases/{id}/lines?asOf=</c> (a live fold of the stream) on cases of 100, 1,000 and 10,000
/// entries, one call at a time; against a SELECT of the same stream's rows from the plain events table.
/// </summary>
public static class ReplayToDateScenario
{
    public const string Name = "replay to a date";
    public const string Target = "<= 3x baseline";
    public const string GrowthTarget = "no worse than linear (slope <= 1.1)";

    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var results = new List<ScenarioResult>();
        var medians = new List<(int Size, double Ledger, double Baseline)>();
        await using var connection = await ctx.Raw.OpenConnectionAsync(ctx.Ct);
        foreach (var size in v.ReplaySizes)
        {
            var entries = SyntheticCase.Generate(size, seed: 400_000 + size, ctx.Today);
            var id = Guid.CreateVersion7();
            await SeedAsync(ctx, id, entries);
            await RawTables.CopyAsync(connection, entries.Select((e, i) => new RawRow(id, i + 1, e.Type, CaseJson.RawData(e))), ctx.Ct);
            var asOf = entries.OfType<ClinicalEntry>().Max(e => e.Date.Anchor).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var path = $"/cases/{id}/lines?asOf={asOf}";
            var calls = v.ReplayCallsPerRep(size);

            var ledger = new Series($"ledger (GET lines?asOf, {size:N0} entries)");
            var baseline = new Series($"baseline (SELECT stream rows, {size:N0})");
            await Repetitions.RunPairedAsync(ctx.Cpu, $"{Name} {size}", v.ReplayWarmups, v.ReplayReps,
                ledger, rep => LoadRunner.RunSequentialAsync(
                    Enumerable.Repeat((Operation)(ct => ctx.GetAsync(path, ct)), calls).ToList(), ctx.RepLimit, ctx.Ct),
                baseline, rep => LoadRunner.RunSequentialAsync(
                    Enumerable.Repeat((Operation)(ct => SelectStreamAsync(connection, id, size, ct)), calls).ToList(), ctx.RepLimit, ctx.Ct));

            medians.Add((size, ledger.Latency.P50, baseline.Latency.P50));
            var ratio = ledger.Latency.P50 / baseline.Latency.P50;
            results.Add(new ScenarioResult($"{Name}, {size:N0} entries",
                ledger.Latency.ToString(), baseline.Latency.ToString(), $"p50 {Fmt.Ratio(ratio)}", Target, ratio <= 3 && ledger.Failures == 0,
                $"one call at a time; asOf = last entry's day. {ledger.Problems}{baseline.Problems}".Trim(),
                [
                    $"- Case: {size:N0} generated entries spanning {entries[0].OccurredOn} to {asOf}, stored with one `StartStream` (not through the API's recording path, " +
                    $"whose rules check would make seeding a 10,000-entry case quadratic); `GET /cases/{{id}}/lines?asOf={asOf}` computes the lines from all of them, " +
                    "from what the API reads for an asOf request (the stream). The API keeps the streams it read last in memory (up to 10,000 entries): " +
                    "after the first call, each call asks PostgreSQL only for the versions after those held (none here) and folds the kept entries, " +
                    "where the baseline reads and returns every row each time.",
                    $"- One call at a time; {v.ReplayWarmups} warm-up and {v.ReplayReps} measured repetitions of {calls} calls; the whole body is read.",
                    $"- Baseline: `select seq, version, type, data from bench_raw.events where stream = $1 order by version`, every row read (data as text), on one open connection; the same {size:N0} rows.",
                    $"- {ledger.Describe("calls/s")}",
                    $"- {baseline.Describe("calls/s")}",
                    $"- Ratio of p50 latencies ledger/baseline: {Fmt.Ratio(ratio)} (target <= 3); p95 ratio {Fmt.Ratio(ledger.Latency.P95 / baseline.Latency.P95)}.",
                ]));
        }

        if (medians.Count >= 2)
        {
            var slopes = medians.Zip(medians.Skip(1), (a, b) => (From: a.Size, To: b.Size,
                Ledger: Math.Log(b.Ledger / a.Ledger) / Math.Log((double)b.Size / a.Size),
                Baseline: Math.Log(b.Baseline / a.Baseline) / Math.Log((double)b.Size / a.Size))).ToList();
            var last = slopes[^1];
            string Describe(Func<(int From, int To, double Ledger, double Baseline), double> pick) =>
                string.Join("; ", slopes.Select(s => $"{s.From:N0}->{s.To:N0}: {Fmt.Num(pick(s), "0.00")}"));
            results.Add(new ScenarioResult($"{Name}, growth",
                $"slope {Describe(s => s.Ledger)}", $"slope {Describe(s => s.Baseline)}", "n/a", GrowthTarget, slopes.All(s => s.Ledger <= 1.1),
                "log-log slope of p50 latency against entries: 1 = linear",
                [
                    $"- p50 latency by size (ledger / baseline): {string.Join("; ", medians.Select(m => $"{m.Size:N0}: {Fmt.Ms(m.Ledger)} / {Fmt.Ms(m.Baseline)}"))}.",
                    $"- Slope between consecutive sizes, ln(t2/t1)/ln(n2/n1): ledger {Describe(s => s.Ledger)}; baseline {Describe(s => s.Baseline)}. " +
                    $"Met when every ledger slope is at most 1.1 (linear, with 10 % for noise); the largest step is {last.From:N0}->{last.To:N0}.",
                ]));
        }
        return results;
    }

    /// <summary>Stores a whole generated case as one new stream (the inline projection builds its document once).</summary>
    public static async Task SeedAsync(BenchContext ctx, Guid id, IReadOnlyList<Entry> entries)
    {
        await using var session = ctx.Store.LightweightSession(BenchContext.Hospital);
        session.CorrelationId = LedgerWriter.CorrelationId;
        session.LastModifiedBy = LedgerWriter.RecordedBy;
        session.Events.StartStream<CaseState>(id, LedgerEvents.ForNewCase(id, entries));
        await session.SaveChangesAsync(ctx.Ct);
    }

    private static async Task<string?> SelectStreamAsync(NpgsqlConnection connection, Guid id, int expected, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select seq, version, type, data from bench_raw.events where stream = $1 order by version", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = 0;
        long bytes = 0;
        while (await reader.ReadAsync(ct))
        {
            _ = reader.GetInt64(0);
            _ = reader.GetInt32(1);
            _ = reader.GetString(2);
            bytes += reader.GetString(3).Length;
            rows++;
        }
        return rows == expected && bytes > 0 ? null : $"read {rows} rows, expected {expected}";
    }
}
