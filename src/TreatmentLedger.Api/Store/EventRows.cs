using System.Data.Common;
using Marten;
using Marten.Linq.QueryHandlers;
using Npgsql;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using Weasel.Postgresql;
using Weasel.Storage;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Slim reads of the events table: the columns a fold needs, deserialised by Marten's serializer. Marten's
/// FetchStreamAsync reads every metadata column and wraps each row in an IEvent, which costs about three times as much
/// on long streams (see docs/benchmarks.md).
/// </summary>
public sealed class EventRows(IDocumentStore store, StoreConnections connections)
{
    /// <summary>The select list <see cref="Read"/> expects, in order.</summary>
    public const string Columns = "type, data, seq_id, version, timestamp, user_name, correlation_id";

    /// <summary>The ordinal of the first column a query selects after <see cref="Columns"/>.</summary>
    public static readonly int AfterColumns = Columns.Split(',').Length;

    public string Table { get; } = store.Options.Schema.ForEvents();

    private readonly string _streamSql =
        $"select {Columns} from {store.Options.Schema.ForEvents()} where stream_id = $1 and tenant_id = $2 and version > $3 order by version";
    private readonly string _sequencesSql = $"select version, seq_id from {store.Options.Schema.ForEvents()} where stream_id = $1 and version = any($2)";

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
    /// The clinical entries with these entryIds on these cases, as first recorded, by case: one probe each of the unique
    /// index on event ids (<see cref="StoredEvents.IdOf"/>). An item of a writer's batch query, after its streams' locks:
    /// read in the same round trip, and seeing every append committed before the locks were granted.
    /// </summary>
    public IQueryHandler<IReadOnlyDictionary<Guid, List<RecordedEntry>>> Named(IEnumerable<(Guid CaseId, Guid EntryId)> named) =>
        new NamedQuery(this, named.Select(n => StoredEvents.IdOf(n.CaseId, n.EntryId)).ToArray());

    /// <summary>
    /// The entries of a case recorded after <paramref name="afterVersion"/> (0: all of them), in recording order, added to
    /// <paramref name="entries"/>: what a read folds (within <see cref="Configuration.ReadTimeoutSeconds"/>), and a writer's
    /// whole case (on its connection, in its transaction, with its <paramref name="timeoutSeconds"/>).
    /// </summary>
    public async Task StreamAsync(NpgsqlConnection connection, string hospital, Guid caseId, long afterVersion, List<RecordedEntry> entries,
        CancellationToken ct, int timeoutSeconds = Configuration.ReadTimeoutSeconds)
    {
        await using var command = new NpgsqlCommand(_streamSql, connection) { CommandTimeout = timeoutSeconds };
        command.Parameters.AddWithValue(caseId);
        command.Parameters.AddWithValue(hospital);
        command.Parameters.AddWithValue(afterVersion);
        await connections.ReadAsync(command, reader => entries.Add(Read(reader)), ct);
    }

    /// <summary>
    /// Whether the case holds an entry (a correction's replacement included, a retracted or corrected one too) anchored
    /// after <paramref name="day"/>. It reads the case's events in PostgreSQL, and is asked only for a request that adds a
    /// stop or a death; as <see cref="Named"/>, an item of a writer's batch query, after its streams' locks.
    /// </summary>
    public IQueryHandler<bool> AnyAnchoredAfter(string hospital, Guid caseId, DateOnly day) =>
        new AnchoredAfterQuery(Table, hospital, caseId, day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The global sequences of a case's events at these versions, by version (on a writer's connection).</summary>
    public async Task<IReadOnlyDictionary<long, long>> SequencesAsync(NpgsqlConnection connection, Guid caseId, long[] versions, CancellationToken ct)
    {
        var sequences = new Dictionary<long, long>();
        if (versions.Length == 0) return sequences;
        await using var command = new NpgsqlCommand(_sequencesSql, connection) { CommandTimeout = Configuration.WriteTimeoutSeconds };
        command.Parameters.AddWithValue(caseId);
        command.Parameters.AddWithValue(versions);
        await connections.ReadAsync(command, reader => sequences.Add(reader.GetInt64(0), reader.GetInt64(1)), ct);
        return sequences;
    }

    private sealed class NamedQuery(EventRows rows, Guid[] eventIds) : IQueryHandler<IReadOnlyDictionary<Guid, List<RecordedEntry>>>
    {
        public void ConfigureCommand(ICommandBuilder builder, IStorageSession session)
        {
            builder.Append($"select {Columns}, stream_id from {rows.Table} where id = any(");
            builder.AppendParameter(eventIds);
            builder.Append(")");
        }

        public async Task<IReadOnlyDictionary<Guid, List<RecordedEntry>>> HandleAsync(DbDataReader reader, IStorageSession session, CancellationToken token)
        {
            var found = new Dictionary<Guid, List<RecordedEntry>>();
            while (await reader.ReadAsync(token))
            {
                var caseId = reader.GetGuid(AfterColumns);
                if (!found.TryGetValue(caseId, out var entries)) found[caseId] = entries = [];
                entries.Add(rows.Read(reader));
            }
            return found;
        }

        public Task<int> StreamJson(Stream stream, DbDataReader reader, CancellationToken token) => throw new NotSupportedException();
    }

    private sealed class AnchoredAfterQuery(string table, string hospital, Guid caseId, string day) : IQueryHandler<bool>
    {
        // An entry's clinical date as stored (YYYY, YYYY-MM or YYYY-MM-DD; a correction's, its replacement's): in ordinal
        // order after a day's YYYY-MM-DD exactly when its anchor is after that day.
        public void ConfigureCommand(ICommandBuilder builder, IStorageSession session)
        {
            builder.Append($"select exists (select 1 from {table} where stream_id = ");
            builder.AppendParameter(caseId);
            builder.Append(" and tenant_id = ");
            builder.AppendParameter(hospital);
            builder.Append(" and coalesce(data -> 'replacement' ->> 'occurredOn', data ->> 'occurredOn') collate \"C\" > ");
            builder.AppendParameter(day);
            builder.Append(")");
        }

        public async Task<bool> HandleAsync(DbDataReader reader, IStorageSession session, CancellationToken token) =>
            await reader.ReadAsync(token) && reader.GetBoolean(0);

        public Task<int> StreamJson(Stream stream, DbDataReader reader, CancellationToken token) => throw new NotSupportedException();
    }
}
