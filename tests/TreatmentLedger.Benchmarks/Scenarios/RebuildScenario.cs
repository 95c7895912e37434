using System.Diagnostics;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Rebuild: every read model (the <see cref="CaseStateProjection"/> documents) rebuilt by Marten's projection daemon
/// from all the events of a database of its own in the same cluster; against a sequential read of the same rows with
/// plain Npgsql and their JSON deserialisation into the entry records.
/// </summary>
public static class RebuildScenario
{
    public const string Name = "rebuild";
    public const string Target = ">= 0.3x baseline";
    private const string Database = "rebuild";

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var ct = ctx.Ct;
        await ctx.Cluster.CreateDatabaseAsync(Database, ct);
        var cs = ctx.Cluster.ConnectionStringFor(Database);
        await using var store = await BenchCluster.OpenStoreAsync(cs, ct);
        await using var raw = NpgsqlDataSource.Create(cs);

        var seeding = Stopwatch.StartNew();
        await using (var seeder = SeedingStore(cs))
            await SeedAsync(ctx, seeder, v.RebuildCases, v.RebuildEntriesPerCase);
        seeding.Stop();
        // A database that has lived has statistics; right after a bulk load it has none until autovacuum gets to it,
        // and the daemon's page query then sorts every remaining event per page (see the report). Analyse first.
        await RawTables.ExecuteAsync(raw, "analyze", ct);
        var events = await ScalarAsync(raw, "select count(*) from ledger.mt_events", ct);
        Console.WriteLine($"  {Name}: seeded {events:N0} events in {Fmt.Seconds(seeding.Elapsed.TotalSeconds)}");
        var typeByAlias = EntryTypes.All.Select(t => t.Type).ToDictionary(t => t.GetEventTypeName(), t => t);

        var rebuilds = new List<double>();
        var reads = new List<double>();
        var rebuildCpu = new List<CpuMonitor.Load>();
        var readCpu = new List<CpuMonitor.Load>();
        var shardTimeout = v.Quick ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(10);
        for (var rep = 0; rep < v.RebuildWarmups + v.RebuildReps; rep++)
        {
            var before = ctx.Cpu.Take();
            var clock = Stopwatch.StartNew();
            using (var daemon = await store.BuildProjectionDaemonAsync())
            {
                await daemon.RebuildProjectionAsync<CaseStateProjection>(shardTimeout, ct);
            }
            clock.Stop();
            var rebuildLoad = CpuMonitor.Between(before, ctx.Cpu.Take());
            var documents = await ScalarAsync(raw, "select count(*) from ledger.mt_doc_casestate", ct);
            if (documents != v.RebuildCases) throw new InvalidOperationException($"the rebuild left {documents} case documents, expected {v.RebuildCases}");
            var rebuildSeconds = clock.Elapsed.TotalSeconds;

            before = ctx.Cpu.Take();
            clock.Restart();
            var read = await ReadAndDeserialiseAsync(raw, typeByAlias, ct);
            clock.Stop();
            var readLoad = CpuMonitor.Between(before, ctx.Cpu.Take());
            if (read != events) throw new InvalidOperationException($"the baseline read {read} events, expected {events}");
            var readSeconds = clock.Elapsed.TotalSeconds;

            var warm = rep < v.RebuildWarmups;
            Console.WriteLine($"  {Name} {(warm ? "warm-up" : "rep " + (rep + 1 - v.RebuildWarmups))}: rebuild {Fmt.Seconds(rebuildSeconds)}, baseline {Fmt.Seconds(readSeconds)}");
            if (warm) continue;
            rebuilds.Add(rebuildSeconds);
            reads.Add(readSeconds);
            rebuildCpu.Add(rebuildLoad);
            readCpu.Add(readLoad);
        }

        var ledgerRate = events / Stats.Median(rebuilds);
        var baselineRate = events / Stats.Median(reads);
        var ratio = ledgerRate / baselineRate;
        var volume = $"{v.RebuildCases:N0} cases x {v.RebuildEntriesPerCase} = {events:N0} entries";
        return new ScenarioResult(Name,
            $"{Fmt.Rate(ledgerRate, "entries/s")} ({Fmt.Seconds(Stats.Median(rebuilds))})",
            $"{Fmt.Rate(baselineRate, "entries/s")} ({Fmt.Seconds(Stats.Median(reads))})",
            Fmt.Ratio(ratio), Target, ratio >= 0.3,
            v.Quick ? $"quick volume: {volume} (the full run uses 20,000 x 50)" : volume,
            [
                $"- Data: {volume}, generated cases appended with `StartStream`, {SeedCasesPerSession} cases per `SaveChanges`, in database `{Database}` of the same cluster " +
                $"(so that nothing else is in its event store), by a store with quick append and the projection left out (setup only), then `ANALYZE`d; seeding took {Fmt.Seconds(seeding.Elapsed.TotalSeconds)} ({Fmt.Rate(events / seeding.Elapsed.TotalSeconds, "entries/s")}; not part of the figure).",
                "- Ledger: `using var daemon = await store.BuildProjectionDaemonAsync(); await daemon.RebuildProjectionAsync<CaseStateProjection>(timeout, ct)` " +
                "on a bare DocumentStore configured as the API's; it deletes and rebuilds every case document.",
                "- Baseline: plain Npgsql `select type, data from ledger.mt_events order by seq_id`, read sequentially, each `data` deserialised with System.Text.Json " +
                "(EntryJson.Options) into its entry record (type from the event type name).",
                $"- {v.RebuildWarmups} warm-up rebuild(s) and read(s), then {v.RebuildReps} measured, alternating. Rebuild times: {string.Join(", ", rebuilds.Select(Fmt.Seconds))}; " +
                $"baseline times: {string.Join(", ", reads.Select(Fmt.Seconds))}.",
                $"- CPU per 1,000 entries (median): rebuild: harness {Fmt.Ms(Stats.Median(rebuildCpu.Select(c => c.HarnessCpu * 1e6 / events)))}, " +
                $"PostgreSQL {Fmt.Ms(Stats.Median(rebuildCpu.Select(c => c.PostgresCpu * 1e6 / events)))}; baseline: harness {Fmt.Ms(Stats.Median(readCpu.Select(c => c.HarnessCpu * 1e6 / events)))}, " +
                $"PostgreSQL {Fmt.Ms(Stats.Median(readCpu.Select(c => c.PostgresCpu * 1e6 / events)))}.",
                $"- Ratio ledger/baseline (entries/s): {Fmt.Ratio(ratio)} (target >= 0.3).",
            ]);
    }

    private const int SeedCasesPerSession = 100;

    /// <summary>
    /// For seeding only: the API's configuration, but with Marten's quick append (one function call per stream) and the
    /// case projection left to the daemon, so that the million events go in fast; the rebuild itself runs on a store
    /// configured exactly as the API's.
    /// </summary>
    private static DocumentStore SeedingStore(string connectionString) => DocumentStore.For(o =>
    {
        Configuration.ConfigureStore(o, connectionString);
        o.Events.AppendMode = EventAppendMode.Quick;
        o.Projections.All.Clear();
    });

    /// <summary>Appends the generated cases in big batches, two sessions at a time (setup, not measured).</summary>
    private static async Task SeedAsync(BenchContext ctx, DocumentStore store, int cases, int entriesPerCase)
    {
        var batches = Enumerable.Range(0, (cases + SeedCasesPerSession - 1) / SeedCasesPerSession).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ctx.Ct }, async (batch, ct) =>
        {
            await using var session = store.LightweightSession(BenchContext.Hospital);
            session.CorrelationId = LedgerWriter.CorrelationId;
            session.LastModifiedBy = LedgerWriter.RecordedBy;
            for (var c = batch * SeedCasesPerSession; c < Math.Min(cases, (batch + 1) * SeedCasesPerSession); c++)
            {
                var id = Guid.CreateVersion7();
                session.Events.StartStream<CaseState>(id, LedgerEvents.ForNewCase(id, SyntheticCase.Generate(entriesPerCase, 600_000 + c, ctx.Today)));
            }
            await session.SaveChangesAsync(ct);
        });
    }

    private static async Task<long> ReadAndDeserialiseAsync(NpgsqlDataSource raw, Dictionary<string, Type> typeByAlias, CancellationToken ct)
    {
        await using var command = raw.CreateCommand("select type, data from ledger.mt_events order by seq_id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            var type = typeByAlias[reader.GetString(0)];
            var entry = (Entry?)JsonSerializer.Deserialize(reader.GetString(1), type, EntryJson.Options) ?? throw new InvalidOperationException("null event");
            if (entry.EntryId != Guid.Empty) count++;
        }
        return count;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
