using System.Diagnostics;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>
/// The event store of the rebuild scenarios (<see cref="Scenarios.RebuildScenario"/>, <see cref="Scenarios.CatchUpScenario"/>):
/// generated cases appended in database <see cref="Database"/> of the bench cluster, so that nothing else is in its
/// event store; seeded once a run by whichever of them runs first. Also the raw baseline both compare with: a
/// sequential read of every event row with plain Npgsql and the JSON deserialisation of each entry.
/// </summary>
public sealed record SeededEvents(string ConnectionString, int Cases, int EntriesPerCase, long Events, TimeSpan Seeding)
{
    public const string Database = "rebuild";
    private const int CasesPerSession = 100;

    public string Volume => $"{Cases:N0} cases x {EntriesPerCase} = {Events:N0} entries";

    /// <summary>How the events were made, for the details of a scenario.</summary>
    public string Description =>
        $"{Volume}, generated cases appended with `StartStream`, {CasesPerSession} cases per `SaveChanges`, in database `{Database}` of the same cluster " +
        $"(so that nothing else is in its event store), by a store with quick append and the projections left out (setup only), then `VACUUM ANALYZE`d and checkpointed; " +
        $"seeding took {Fmt.Seconds(Seeding.TotalSeconds)} ({Fmt.Rate(Events / Seeding.TotalSeconds, "entries/s")}; not part of any figure).";

    /// <summary>The baseline's query, as the details quote it.</summary>
    public const string ScanSql = "select type, data from ledger.mt_events order by seq_id";

    public const string ScanDescription =
        $"plain Npgsql `{ScanSql}`, read sequentially, each `data` deserialised with System.Text.Json (EntryJson.Options) into its entry record (type from the event type name)";

    /// <summary>The run's seeded database, made by the first scenario that needs it.</summary>
    public static async Task<SeededEvents> EnsureAsync(BenchContext ctx)
    {
        if (ctx.SeededEvents is { } seeded) return seeded;
        var v = ctx.Volumes;
        var ct = ctx.Ct;
        await ctx.Cluster.CreateDatabaseAsync(Database, ct);
        var cs = ctx.Cluster.ConnectionStringFor(Database);
        // The schema as the API's (the rebuilds run on a store configured as the API's), applied before seeding.
        await using (var _ = await BenchCluster.OpenStoreAsync(cs, ct)) { }
        var seeding = Stopwatch.StartNew();
        await using (var seeder = SeedingStore(cs))
            await SeedAsync(ctx, seeder, v.RebuildCases, v.RebuildEntriesPerCase);
        seeding.Stop();
        await using var raw = NpgsqlDataSource.Create(cs);
        // A database that has lived has statistics and has been vacuumed; right after a bulk load it has no statistics
        // until autovacuum gets to it (the daemon's page query then sorts every remaining event per page), and autovacuum's
        // pass over the million new rows would take a core during the measurements; so would the checkpoint that writes
        // the load and that pass out. All three are done first.
        await RawTables.ExecuteAsync(raw, "vacuum analyze", ct);
        await RawTables.ExecuteAsync(raw, "checkpoint", ct);
        var events = await ScalarAsync(raw, "select count(*) from ledger.mt_events", ct);
        Console.WriteLine($"  seeded {events:N0} events in database {Database} in {Fmt.Seconds(seeding.Elapsed.TotalSeconds)}");
        return ctx.SeededEvents = new SeededEvents(cs, v.RebuildCases, v.RebuildEntriesPerCase, events, seeding.Elapsed);
    }

    /// <summary>
    /// For seeding only: the API's configuration, but with Marten's quick append (one function call per stream) and every
    /// projection left out, so that the million events go in fast; the rebuilds run on a store configured exactly as the API's.
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
        var batches = Enumerable.Range(0, (cases + CasesPerSession - 1) / CasesPerSession).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ctx.Ct }, async (batch, ct) =>
        {
            await using var session = store.LightweightSession(BenchContext.Hospital);
            session.CorrelationId = LedgerWriter.CorrelationId;
            session.LastModifiedBy = LedgerWriter.RecordedBy;
            for (var c = batch * CasesPerSession; c < Math.Min(cases, (batch + 1) * CasesPerSession); c++)
            {
                var id = Guid.CreateVersion7();
                session.Events.StartStream<CaseState>(id, LedgerEvents.ForNewCase(id, SyntheticCase.Generate(entriesPerCase, 600_000 + c, ctx.Today)));
            }
            await session.SaveChangesAsync(ct);
        });
    }

    private static readonly Dictionary<string, Type> TypeByAlias = EntryTypes.All.Select(t => t.Type).ToDictionary(t => t.GetEventTypeName(), t => t);

    /// <summary>The raw baseline: every event row read in order and its entry deserialised; answers how many were read.</summary>
    public static async Task<long> ScanAsync(NpgsqlDataSource raw, CancellationToken ct)
    {
        await using var command = raw.CreateCommand(ScanSql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            var type = TypeByAlias[reader.GetString(0)];
            var entry = (Entry?)JsonSerializer.Deserialize(reader.GetString(1), type, EntryJson.Options) ?? throw new InvalidOperationException("null event");
            if (entry.EntryId != Guid.Empty) count++;
        }
        return count;
    }

    public static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
