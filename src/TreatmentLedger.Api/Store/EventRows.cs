using System.Data.Common;
using Marten;
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
}
