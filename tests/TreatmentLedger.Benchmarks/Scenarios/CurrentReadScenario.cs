using NpgsqlTypes;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Current read: <c>GET /cases/{id}</c> by 16 concurrent readers over the cases of the HTTP append scenario; against a
/// single-row SELECT by primary key of the same case state documents copied into a plain table.
/// </summary>
public static class CurrentReadScenario
{
    public const string Name = "current read";
    public const string Target = "p95 <= 2x baseline p95";

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var ids = ctx.HttpCases?.Ids ?? throw new InvalidOperationException("needs the cases of the HTTP append scenario, which did not run");
        await RawTables.ExecuteAsync(ctx.Raw,
            "insert into bench_raw.case_docs(id, data) select id, data from ledger.mt_doc_casestate on conflict (id) do nothing", ctx.Ct);
        var perClient = v.ReadsPerRep / v.Clients;

        IReadOnlyList<IReadOnlyList<Guid>> Picks(int rep) => Enumerable.Range(0, v.Clients)
            .Select(w => { var rng = new Random(rep * 1000 + w); return (IReadOnlyList<Guid>)Enumerable.Range(0, perClient).Select(_ => ids[rng.Next(ids.Length)]).ToList(); })
            .ToList();

        var ledger = new Series("ledger (GET /cases/{id})");
        var baseline = new Series("baseline (SELECT by key)");
        await Repetitions.RunPairedAsync(ctx.Cpu, Name, v.ReadWarmups, v.ReadReps,
            ledger, rep => LoadRunner.RunAsync(
                Picks(rep).Select(picks => picks.Select(id => (Operation)(ct => ctx.GetAsync($"/cases/{id}", ct))).ToList()).ToList<IReadOnlyList<Operation>>(),
                ctx.RepLimit, ctx.Ct),
            baseline, async rep =>
            {
                var connections = await RawTables.OpenConnectionsAsync(ctx.Raw, v.Clients, ctx.Ct);
                try
                {
                    return await LoadRunner.RunAsync(Picks(rep).Select((picks, w) => picks.Select(id => (Operation)(async ct =>
                    {
                        await using var command = new Npgsql.NpgsqlCommand("select data from bench_raw.case_docs where id = $1", connections[w]);
                        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
                        await using var reader = await command.ExecuteReaderAsync(ct);
                        return await reader.ReadAsync(ct) && reader.GetString(0).Length > 0 ? null : "no row";
                    })).ToList()).ToList<IReadOnlyList<Operation>>(), ctx.RepLimit, ctx.Ct);
                }
                finally
                {
                    await RawTables.CloseAsync(connections);
                }
            });

        var ratio = ledger.Latency.P95 / baseline.Latency.P95;
        return new ScenarioResult(Name,
            $"{ledger.Latency}; {Fmt.Rate(ledger.Rate, "reads/s")}",
            $"{baseline.Latency}; {Fmt.Rate(baseline.Rate, "reads/s")}",
            $"p95 {Fmt.Ratio(ratio)}", Target, ratio <= 2 && ledger.Failures == 0,
            $"{v.Clients} readers, p95 ratio ledger/baseline. {ledger.Problems}{baseline.Problems}".Trim(),
            [
                $"- Workload: {v.Clients} readers, {perClient * v.Clients:N0} reads per repetition of cases picked at random among the {ids.Length:N0} cases of the HTTP append scenario " +
                $"({v.AppendEntriesPerCase} entries each by then); the whole body is read. {v.ReadWarmups} warm-up repetition(s), {v.ReadReps} measured.",
                "- Baseline: `select data from bench_raw.case_docs where id = $1` (primary key), one connection per reader, on a plain copy of the ledger's " +
                "case state documents (`ledger.mt_doc_casestate`, the whole `data` column): one row by key, without the API or Marten.",
                $"- {ledger.Describe("reads/s")}",
                $"- {baseline.Describe("reads/s")}",
                $"- Ratio of p95 latencies ledger/baseline: {Fmt.Ratio(ratio)} (target <= 2); p50 ratio {Fmt.Ratio(ledger.Latency.P50 / baseline.Latency.P50)}.",
            ]);
    }
}
