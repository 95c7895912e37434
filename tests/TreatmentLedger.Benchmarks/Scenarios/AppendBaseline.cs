using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// The raw baseline of the append scenarios: the same entries, one single-row INSERT committed per request into
/// bench_raw.events, one connection per client.
/// </summary>
public static class AppendBaseline
{
    public const string Description = "Npgsql single-row INSERT + commit per entry into bench_raw.events (jsonb payload, unique (stream, version)), one connection per client";

    /// <summary>Mirrors the opened cases (version 1: their case-opened) so that versions line up with the ledger's.</summary>
    public static async Task OpenAsync(BenchContext ctx, CaseStreams streams)
    {
        await using var connection = await ctx.Raw.OpenConnectionAsync(ctx.Ct);
        await RawTables.CopyAsync(connection,
            streams.Cases.Select((entries, c) => new RawRow(streams.Ids[c], 1, entries[0].Type, CaseJson.RawData(entries[0]))), ctx.Ct);
    }

    public static async Task<LoadResult> RunAsync(BenchContext ctx, CaseStreams streams, IReadOnlyList<IReadOnlyList<(int Case, int Entry)>> plan)
    {
        var connections = await RawTables.OpenConnectionsAsync(ctx.Raw, plan.Count, ctx.Ct);
        try
        {
            var workers = plan.Select((items, w) => items.Select(item =>
            {
                var entry = streams.Cases[item.Case][item.Entry];
                var row = new RawRow(streams.Ids[item.Case], item.Entry + 1, entry.Type, CaseJson.RawData(entry));
                var connection = connections[w];
                return (Operation)(async ct =>
                {
                    await RawTables.InsertAsync(connection, row, ct);
                    return null;
                });
            }).ToList()).ToList<IReadOnlyList<Operation>>();
            return await LoadRunner.RunAsync(workers, ctx.RepLimit, ctx.Ct);
        }
        finally
        {
            await RawTables.CloseAsync(connections);
        }
    }

}
