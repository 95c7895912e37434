using System.Data.Common;
using Marten;
using Npgsql;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Slim reads of the events table: the columns a fold needs, deserialised by Marten's serializer. Marten's
/// FetchStreamAsync reads every metadata column and wraps each row in an IEvent, which costs about three times as much
/// on long streams (see docs/benchmarks.md).
/// </summary>
public sealed class EventRows(IDocumentStore store)
{
    /// <summary>The select list <see cref="Read"/> expects, in order.</summary>
    public const string Columns = "type, data, seq_id, version, timestamp, user_name, correlation_id";

    public string Table { get; } = store.Options.Schema.ForEvents();

    private readonly Dictionary<string, Type> _entryTypeByAlias =
        store.Options.Events.AllKnownEventTypes().Where(t => t.EventType.IsAssignableTo(typeof(Entry))).ToDictionary(t => t.EventTypeName, t => t.EventType);

    private readonly ISerializer _serializer = store.Options.Serializer();

    /// <summary>The recorded entry of a row selected with <see cref="Columns"/>.</summary>
    public RecordedEntry Read(DbDataReader reader)
    {
        var entry = (Entry)_serializer.FromJson(_entryTypeByAlias[reader.GetString(0)], reader, 1);
        return new RecordedEntry(entry, reader.GetInt64(2), reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));
    }

    /// <summary>
    /// The clinical entries of a case with these entryIds, as first recorded: one probe each of the unique index on event
    /// ids (<see cref="StoredEvents.IdOf"/>), on the given connection (a writer's, in its transaction).
    /// </summary>
    public async Task<IReadOnlyList<RecordedEntry>> NamedAsync(NpgsqlConnection connection, Guid caseId, IReadOnlySet<Guid> entryIds, CancellationToken ct)
    {
        if (entryIds.Count == 0) return [];
        await using var command = new NpgsqlCommand($"select {Columns} from {Table} where id = any($1) and stream_id = $2", connection);
        command.Parameters.AddWithValue(entryIds.Select(id => StoredEvents.IdOf(caseId, id)).ToArray());
        command.Parameters.AddWithValue(caseId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var named = new List<RecordedEntry>();
        while (await reader.ReadAsync(ct)) named.Add(Read(reader));
        return named;
    }

    /// <summary>The global sequences of a case's events at these versions, by version.</summary>
    public async Task<IReadOnlyDictionary<long, long>> SequencesAsync(NpgsqlConnection connection, Guid caseId, long[] versions, CancellationToken ct)
    {
        var sequences = new Dictionary<long, long>();
        if (versions.Length == 0) return sequences;
        await using var command = new NpgsqlCommand($"select version, seq_id from {Table} where stream_id = $1 and version = any($2)", connection);
        command.Parameters.AddWithValue(caseId);
        command.Parameters.AddWithValue(versions);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) sequences.Add(reader.GetInt64(0), reader.GetInt64(1));
        return sequences;
    }
}
