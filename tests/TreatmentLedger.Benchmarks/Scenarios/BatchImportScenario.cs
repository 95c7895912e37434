using Marten;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Batch import: <c>POST /cases/import</c> of case files of 500 entries (plus their case-opened) by 4 clients; against a
/// binary COPY of the same rows into the plain events table, 4 connections. Then Marten's floor for a new stream: the same
/// entries started as streams of a store with no projection, in process.
/// </summary>
public static class BatchImportScenario
{
    public const string Name = "batch import";
    public const string Target = ">= 0.3x baseline";

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var rowsPerFile = v.ImportEntries + 1;
        var files = Enumerable.Range(0, v.ImportWarmups + v.ImportReps).Select(rep => Enumerable.Range(0, v.ImportClients).Select(client =>
            Enumerable.Range(0, v.ImportFilesPerClient).Select(f =>
            {
                var seed = 300_000 + (rep * v.ImportClients + client) * v.ImportFilesPerClient + f;
                var entries = SyntheticCase.Generate(rowsPerFile, seed, ctx.Today, endWithDeath: seed % 2 == 0);
                var stream = Guid.CreateVersion7();
                return (Body: CaseJson.CaseFile(entries), Entries: entries,
                        Rows: entries.Select((e, i) => new RawRow(stream, i + 1, e.Type, CaseJson.RawData(e))).ToList());
            }).ToList()).ToList()).ToList();
        var bytes = files.SelectMany(r => r.SelectMany(c => c.Select(f => (double)f.Body.Length))).ToList();

        var ledger = new Series("ledger (POST /cases/import)", rowsPerFile);
        var floor = new Series("Marten's floor (StartStream)", rowsPerFile);
        var baseline = new Series("baseline (COPY)", rowsPerFile);
        await Repetitions.RunPairedAsync(ctx.Cpu, Name, v.ImportWarmups, v.ImportReps,
            ledger, rep => LoadRunner.RunAsync(
                files[rep].Select(client => client.Select(file => (Operation)(async ct => (await ctx.PostAsync("/cases/import", file.Body, 201, ct)).Failure)).ToList())
                    .ToList<IReadOnlyList<Operation>>(), ctx.RepLimit, ctx.Ct),
            baseline, async rep =>
            {
                var connections = await RawTables.OpenConnectionsAsync(ctx.Raw, v.ImportClients, ctx.Ct);
                try
                {
                    return await LoadRunner.RunAsync(files[rep].Select((client, w) => client.Select(file => (Operation)(async ct =>
                    {
                        await RawTables.CopyAsync(connections[w], file.Rows, ct);
                        return null;
                    })).ToList()).ToList<IReadOnlyList<Operation>>(), ctx.RepLimit, ctx.Ct);
                }
                finally
                {
                    await RawTables.CloseAsync(connections);
                }
            });

        // Marten's floor runs in this process, where its code compiles and its garbage is collected while it runs: after
        // the ledger's and the baseline's repetitions, not between them, so that it takes no CPU from their minutes.
        await using var floorStore = await StoreAppendScenario.FloorStoreAsync(ctx);
        await Repetitions.RunInTurnAsync(ctx.Cpu, $"{Name}, Marten's floor", v.ImportWarmups, v.ImportReps,
            (floor, rep => LoadRunner.RunAsync(
                files[rep].Select(client => client.Select(file => (Operation)(async ct =>
                {
                    await using var session = floorStore.LightweightSession(BenchContext.Hospital);
                    session.Events.StartStream(Guid.CreateVersion7(), file.Entries.Cast<object>().ToArray());
                    await session.SaveChangesAsync(ct);
                    return null;
                })).ToList()).ToList<IReadOnlyList<Operation>>(), ctx.RepLimit, ctx.Ct)));

        var ratio = ledger.Rate / baseline.Rate;
        var ofFloor = ledger.Rate / floor.Rate;
        var floorRatio = floor.Rate / baseline.Rate;
        return new ScenarioResult(Name,
            $"{Fmt.Rate(ledger.Rate, "entries/s")}; {Fmt.Ms(ledger.Latency.P50)} per file (p50)",
            $"{Fmt.Rate(baseline.Rate, "entries/s")}; {Fmt.Ms(baseline.Latency.P50)} per file (p50)",
            Fmt.Ratio(ratio), Target, ratio >= 0.3 && ledger.Failures == 0,
            $"{v.ImportClients} clients, {v.ImportEntries}-entry files; Marten's floor (StartStream of the same entries, no projection) " +
            $"{Fmt.Rate(floor.Rate, "entries/s")}, {Fmt.Ratio(floorRatio)} of COPY: ledger {Fmt.Ratio(ofFloor)} of it. {ledger.Problems}{floor.Problems}{baseline.Problems}".Trim(),
            [
                $"- Workload: generated case files of {v.ImportEntries} entries plus the case-opened ({rowsPerFile} entries stored each; half end with a death), " +
                $"median {Fmt.Num(Stats.Median(bytes) / 1024, "0")} KiB of JSON; {v.ImportClients} clients, {v.ImportFilesPerClient} file(s) each per repetition " +
                $"({v.ImportClients * v.ImportFilesPerClient * rowsPerFile:N0} entries); {v.ImportWarmups} warm-up repetition(s), {v.ImportReps} measured. Every import makes a new case.",
                $"- Baseline: the same {rowsPerFile} rows per file (case-file JSON of each entry as jsonb) by binary COPY (NpgsqlBinaryImporter) into bench_raw.events, one COPY per file, {v.ImportClients} connections.",
                $"- {ledger.Describe("entries/s")} (latency = one whole file)",
                $"- Marten's floor, measured after the ledger's and the baseline's repetitions (it runs in the harness's process): {StoreAppendScenario.FloorStore}, " +
                "one `session.Events.StartStream(id, entries)` and `SaveChangesAsync` per file (the same entries as the ledger's, as a new stream): " +
                "no HTTP, no case file to read, no rules, no case state, no dashboards.",
                $"- {floor.Describe("entries/s")} (latency = one whole file)",
                $"- {baseline.Describe("entries/s")} (latency = one whole file)",
                $"- Ratio ledger/baseline: {Fmt.Ratio(ratio)} (target >= 0.3); Marten's floor/baseline: {Fmt.Ratio(floorRatio)}; ledger/floor: {Fmt.Ratio(ofFloor)}.",
            ]);
    }
}
