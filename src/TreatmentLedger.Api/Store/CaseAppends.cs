using System.Data.Common;
using JasperFx.Events;
using Marten;
using Marten.Internal.Operations;
using Marten.Linq.QueryHandlers;
using Marten.Services.BatchQuerying;
using NpgsqlTypes;
using TreatmentLedger.Recording;
using Weasel.Postgresql;
using IStorageSession = Weasel.Storage.IStorageSession;
using OperationRole = Weasel.Core.OperationRole;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// How entries reach existing cases: every case of a writer's transaction in one statement, sent with the session's
/// other changes in the round trip of <c>SaveChangesAsync</c>. The statement inserts the events (global sequences from
/// Marten's sequence, returned to the events), sets each stream's version, and upserts each case's
/// <see cref="CaseState"/> (what the inline projection would have stored). Marten's quick append took one call of a
/// PL/pgSQL function per case, and its inline projection one upsert function call per case: per append, PostgreSQL
/// spent 127 µs in the function (58 µs of it in its INSERT) and 61 µs in the upsert (pg_stat_statements,
/// docs/benchmarks.md). The caller read the streams' versions under their row locks, or knew them; the statement
/// writes only streams still at those versions, so the versions written follow on without a gap. The rows are the ones Marten writes, as <see cref="CaseOpenings"/> writes them for
/// a new case; a test reads appended cases back through Marten.
/// </summary>
public sealed class CaseAppends
{
    private readonly string _sql;
    private readonly string _lockSql;
    private readonly string _statesSql;
    private readonly string _stateType = typeof(CaseState).FullName!;
    private readonly Dictionary<Type, (string Name, string DotNetName)> _eventTypes;
    private readonly ISerializer _serializer;

    public CaseAppends(IDocumentStore store)
    {
        var events = (Marten.Events.EventGraph)store.Options.Events;
        var schema = events.DatabaseSchemaName;
        var states = store.Options.FindOrResolveDocumentType(typeof(CaseState)).TableName.QualifiedName;
        // Placeholders (?), in order (Append.ConfigureCommand): stream ids, versions, versions before, hospital; hospital,
        // state type, state ids, state JSON, versions; timestamp, hospital; event ids, stream ids, versions, data, type
        // names, .NET type names, correlation ids, headers, user names. Only the streams still at the version the
        // appends were decided on are updated, and only their states and events written: a stream at another version
        // (a state this writer knew had gone stale) leaves its events out of the answer (Append.PostprocessAsync).
        _sql =
            $"with streams as (update {schema}.mt_streams s set version = u.version, timestamp = now() " +
            "from unnest(?::uuid[], ?::bigint[], ?::bigint[]) as u(id, version, before) " +
            "where s.tenant_id = ? and s.id = u.id and s.version = u.before returning s.id), " +
            $"states as (insert into {states} as d (tenant_id, id, data, mt_dotnet_type, mt_version, mt_last_modified) " +
            "select ?, u.id, u.data, ?, u.version, transaction_timestamp() from unnest(?::uuid[], ?::jsonb[], ?::bigint[]) as u(id, data, version) " +
            "where u.id in (select id from streams) " +
            "on conflict (tenant_id, id) do update set data = excluded.data, mt_dotnet_type = excluded.mt_dotnet_type, " +
            "mt_version = excluded.mt_version, mt_last_modified = excluded.mt_last_modified) " +
            $"insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, " +
            "correlation_id, headers, user_name) " +
            $"select nextval('{schema}.mt_events_sequence'), u.id, u.stream_id, u.version, u.data, u.type, ?, ?, u.dotnet_type, " +
            "u.correlation_id, u.headers, u.user_name " +
            "from unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::jsonb[], ?::varchar[], ?::varchar[], ?::varchar[], ?::jsonb[], ?::varchar[]) " +
            "with ordinality as u(id, stream_id, version, data, type, dotnet_type, correlation_id, headers, user_name, n) " +
            "where u.stream_id in (select id from streams) " +
            "order by u.n returning seq_id, id";
        _lockSql = $"select id, version from {schema}.mt_streams where tenant_id = ? and id = any(?) order by id for update";
        _statesSql = $"select d.id, d.data from {states} d join unnest(?::uuid[], ?::bigint[]) as u(id, known) on d.id = u.id " +
                     "where d.tenant_id = ? and d.mt_version <> u.known";
        _eventTypes = StoredEvents.RowTypeNames(events);
        _serializer = store.Options.Serializer();
    }

    /// <summary>
    /// Adds to a writer's batch query, in its transaction: the streams of these cases of <paramref name="hospital"/> locked
    /// in id order (transactions sharing cases cannot deadlock), then their states read, by a later statement that sees
    /// every append committed before the locks were granted. A state the writer knows (<paramref name="known"/>) at the
    /// version its stream holds is not read again: the state is a function of the stream up to its version. A case unknown
    /// here (or another hospital's) has none.
    /// </summary>
    public Task<IReadOnlyDictionary<Guid, CaseState>> LockedStates(IBatchedQuery query, string hospital, Guid[] caseIds,
        IReadOnlyDictionary<Guid, CaseState> known)
    {
        var locked = query.AddItem(new Rows<long>(_lockSql, [(NpgsqlDbType.Varchar, hospital), (NpgsqlDbType.Array | NpgsqlDbType.Uuid, caseIds)],
            reader => reader.GetInt64(1)));
        // Versions no state has, for the cases not known: their states are read whatever they hold.
        var knownVersions = caseIds.Select(id => known.TryGetValue(id, out var state) ? state.Version : -1L).ToArray();
        var read = query.AddItem(new Rows<CaseState>(_statesSql,
            [(NpgsqlDbType.Array | NpgsqlDbType.Uuid, caseIds), (NpgsqlDbType.Array | NpgsqlDbType.Bigint, knownVersions), (NpgsqlDbType.Varchar, hospital)],
            reader => _serializer.FromJson<CaseState>(reader, 1)));
        return StatesAsync(locked, read, known);

        static async Task<IReadOnlyDictionary<Guid, CaseState>> StatesAsync(Task<IReadOnlyDictionary<Guid, long>> locked,
            Task<IReadOnlyDictionary<Guid, CaseState>> read, IReadOnlyDictionary<Guid, CaseState> known)
        {
            var versions = await locked;
            var states = await read;
            var result = new Dictionary<Guid, CaseState>();
            foreach (var (id, version) in versions)
            {
                if (states.TryGetValue(id, out var state)) result[id] = state;
                else if (known.TryGetValue(id, out state) && state.Version == version) result[id] = state;
            }
            return result;
        }
    }

    /// <summary>
    /// Queues, in the session (of one hospital), the events appended to existing cases, each after the state it was
    /// decided on (read under its stream's lock, or known to the writer): the events get their versions and recording
    /// time here, their sequences when the session's changes are saved, which fails if a stream is no longer at its
    /// state's version. Also stores the amendments the inline projection would have stored. Answers the
    /// cases' states after the events.
    /// </summary>
    public IReadOnlyList<CaseState> Queue(IDocumentSession session, IReadOnlyList<(CaseState Before, IReadOnlyList<IEvent> Events)> cases, DateTimeOffset now)
    {
        var hospital = session.TenantId;
        var states = new List<CaseState>();
        var events = new List<IEvent>();
        foreach (var (before, appended) in cases)
        {
            var version = before.Version;
            foreach (var e in appended)
            {
                if (e.Id == Guid.Empty) e.Id = Guid.CreateVersion7();
                (e.StreamId, e.TenantId, e.Version, e.Timestamp) = (before.Id, hospital, ++version, now);
                if (AmendmentProjection.Of(e) is { } amendment) session.Store(amendment);
            }
            states.Add(CaseStateProjection.Fold(before.Id, before, appended));
            events.AddRange(appended);
        }
        session.QueueOperation(new Append(this, hospital, cases.Select(c => c.Before.Version).ToArray(), states, events, now));
        return states;
    }

    /// <summary>A query, its parameters in order, whose rows are (case id, value), by case id.</summary>
    private sealed class Rows<T>(string sql, (NpgsqlDbType Type, object? Value)[] values, Func<DbDataReader, T> read)
        : IQueryHandler<IReadOnlyDictionary<Guid, T>>
    {
        public void ConfigureCommand(ICommandBuilder builder, IStorageSession session)
        {
            builder.AppendTyped(sql, values);
        }

        public async Task<IReadOnlyDictionary<Guid, T>> HandleAsync(DbDataReader reader, IStorageSession session, CancellationToken token)
        {
            var rows = new Dictionary<Guid, T>();
            while (await reader.ReadAsync(token)) rows[reader.GetGuid(0)] = read(reader);
            return rows;
        }

        public Task<int> StreamJson(Stream stream, DbDataReader reader, CancellationToken token) => throw new NotSupportedException();
    }

    private sealed class Append(CaseAppends appends, string hospital, long[] versionsBefore, List<CaseState> states, List<IEvent> events,
        DateTimeOffset now)
        : IStorageOperation
    {
        public Type DocumentType => typeof(CaseState);

        public OperationRole Role() => OperationRole.Events;

        public void ConfigureCommand(ICommandBuilder builder, IStorageSession session)
        {
            var serializer = appends._serializer;
            var types = events.Select(e => appends._eventTypes[e.EventType]).ToList();
            // A case's stream takes the version of its state: the same arrays bound to both.
            var caseIds = states.Select(s => s.Id).ToArray();
            var versions = states.Select(s => s.Version).ToArray();
            object?[] values =
            [
                caseIds, versions, versionsBefore, hospital,
                hospital, appends._stateType, caseIds, states.Select(serializer.ToJson).ToArray(), versions,
                now, hospital,
                events.Select(e => e.Id).ToArray(), events.Select(e => e.StreamId).ToArray(), events.Select(e => e.Version).ToArray(),
                events.Select(e => serializer.ToJson(e.Data)).ToArray(), types.Select(t => t.Name).ToArray(),
                types.Select(t => t.DotNetName).ToArray(), events.Select(e => e.CorrelationId).ToArray(),
                events.Select(e => serializer.ToJson(e.Headers)).ToArray(), events.Select(e => e.UserName).ToArray(),
            ];
            NpgsqlDbType[] dbTypes =
            [
                NpgsqlDbType.Array | NpgsqlDbType.Uuid, NpgsqlDbType.Array | NpgsqlDbType.Bigint, NpgsqlDbType.Array | NpgsqlDbType.Bigint,
                NpgsqlDbType.Varchar,
                NpgsqlDbType.Varchar, NpgsqlDbType.Varchar, NpgsqlDbType.Array | NpgsqlDbType.Uuid, NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
                NpgsqlDbType.Array | NpgsqlDbType.Bigint,
                NpgsqlDbType.TimestampTz, NpgsqlDbType.Varchar,
                NpgsqlDbType.Array | NpgsqlDbType.Uuid, NpgsqlDbType.Array | NpgsqlDbType.Uuid, NpgsqlDbType.Array | NpgsqlDbType.Bigint,
                NpgsqlDbType.Array | NpgsqlDbType.Jsonb, NpgsqlDbType.Array | NpgsqlDbType.Varchar,
                NpgsqlDbType.Array | NpgsqlDbType.Varchar, NpgsqlDbType.Array | NpgsqlDbType.Varchar,
                NpgsqlDbType.Array | NpgsqlDbType.Jsonb, NpgsqlDbType.Array | NpgsqlDbType.Varchar,
            ];
            builder.AppendTyped(appends._sql, dbTypes.Zip(values).ToArray());
        }

        /// <summary>
        /// The events' sequences, as PostgreSQL assigned them. Fails (and so does the transaction) when some were left out:
        /// their case was no longer at the version they were decided on.
        /// </summary>
        public async Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token)
        {
            var byId = events.ToDictionary(e => e.Id);
            var stored = 0;
            for (; await reader.ReadAsync(token); stored++) byId[reader.GetGuid(1)].Sequence = reader.GetInt64(0);
            if (stored < events.Count)
                throw new StaleCaseStateException(events.Count - stored);
        }
    }
}

/// <summary>
/// Appends decided on a case state that the store no longer holds (another process appended to the case since), left
/// out of the transaction, which fails: the writer decides them again on what the store holds.
/// </summary>
public sealed class StaleCaseStateException(int events)
    : Exception($"{events} event(s) were decided on a case version the store no longer holds; nothing was stored");
