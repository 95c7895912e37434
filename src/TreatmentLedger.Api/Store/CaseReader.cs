using Marten;
using Npgsql;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Loads what read routes fold. The current view is one document load; a replay (asOf or knownAt) folds the stream
/// live, up to knownAt when given, from the store's own timestamps.
/// </summary>
public sealed class CaseReader(IDocumentStore store, TimeProvider clock)
{
    private readonly string _summarySql = $"select data -> 'summary' from {store.Options.Schema.For<CaseLedger>()} where id = ?";

    private readonly string _streamSql =
        $"select type, data, seq_id, version, timestamp, user_name, correlation_id from {store.Options.Schema.ForEvents()} " +
        "where stream_id = $1 and timestamp <= $2 order by version";

    private readonly Dictionary<string, Type> _entryTypeByAlias =
        store.Options.Events.AllKnownEventTypes().Where(t => t.EventType.IsAssignableTo(typeof(Entry))).ToDictionary(t => t.EventTypeName, t => t.EventType);

    private readonly ISerializer _serializer = store.Options.Serializer();

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>
    /// The case as known at knownAt and seen from asOf: the current read is the document's recorded entries; a replay
    /// (asOf or knownAt) folds the stream live, up to knownAt when given.
    /// </summary>
    public async Task<CaseHistory?> LoadAsync(Guid caseId, ReadParameters parameters, CancellationToken ct)
    {
        if (parameters is { AsOf: null, KnownAt: null })
        {
            await using var session = store.QuerySession();
            return (await session.LoadAsync<CaseLedger>(caseId, ct))?.History();
        }
        return await ReadStreamAsync(caseId, parameters.KnownAt ?? DateTimeOffset.MaxValue, ct);
    }

    /// <summary>
    /// The stream's entries recorded at or before <paramref name="knownAt"/>, with their global sequences (which the
    /// case document does not keep), null when there are none (a case not yet recorded then is unknown then). One slim
    /// query of the columns a fold needs, deserialised by Marten's serializer: Marten's FetchStreamAsync reads every
    /// metadata column and wraps each row in an IEvent, which costs about three times as much on long streams (see
    /// docs/benchmarks.md).
    /// </summary>
    public async Task<CaseHistory?> ReadStreamAsync(Guid caseId, DateTimeOffset knownAt, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(_streamSql, connection);
        command.Parameters.AddWithValue(caseId);
        command.Parameters.AddWithValue(knownAt);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var entries = new List<RecordedEntry>();
        while (await reader.ReadAsync(ct))
        {
            var entry = (Entry)_serializer.FromJson(_entryTypeByAlias[reader.GetString(0)], reader, 1);
            entries.Add(new RecordedEntry(entry, reader.GetInt64(2), reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return entries.Count == 0 ? null : new CaseHistory(entries);
    }

    /// <summary>
    /// The summary facts of <c>GET /cases/{caseId}</c>, null for an unknown case. A current read loads only the facts the
    /// case document keeps (not its entries); a replay computes them from the case as known at knownAt and seen from asOf.
    /// </summary>
    public async Task<CaseFacts?> SummaryFactsAsync(Guid caseId, ReadParameters parameters, CancellationToken ct)
    {
        if (parameters is { AsOf: null, KnownAt: null })
        {
            // Plain SQL: the hottest read route skips LINQ translation, and PostgreSQL sends the summary alone.
            await using var session = store.QuerySession();
            var rows = await session.QueryAsync<CaseFacts>(_summarySql, ct, caseId);
            return rows.Count == 0 ? null : rows[0];
        }
        return await LoadAsync(caseId, parameters, ct) is { } history ? CaseFacts.Of(history, parameters.AsOf) : null;
    }
}

/// <summary>Where a read stands: <c>asOf</c> (clinical time, a day) and <c>knownAt</c> (an instant of record time).</summary>
public sealed record ReadParameters(DateOnly? AsOf, DateTimeOffset? KnownAt);
