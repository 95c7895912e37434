using System.Buffers;
using JasperFx.Events;
using Marten;
using Npgsql;
using NpgsqlTypes;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// How a new case reaches the store: its stream row, its events by binary <c>COPY</c>, and the documents the inline
/// projections derive from them (its <see cref="CaseState"/>, the <see cref="Amendment"/> of each entry it corrects or
/// retracts), all in the writer's transaction, committed with the rest of it. Marten's quick append inserts a stream's
/// events one by one in a PL/pgSQL function, after parsing them from array parameters: PostgreSQL spent 20–23 ms of
/// CPU per imported 500-entry file through it, 16–17 ms with <c>COPY</c> (paired benchmark runs, docs/benchmarks.md).
/// Appends to an existing case are written by <see cref="CaseAppends"/>, at the version the writer read or knew.
/// The rows are the ones Marten writes: the same columns, global sequence, event type names, metadata and timestamps (the
/// app's clock, as <see cref="EventAppendMode.QuickWithServerTimestamps"/> takes them), so that Marten, the dashboards'
/// daemon and the ledger's own reads cannot tell them apart; a test reads an opened case back through Marten.
/// </summary>
public sealed class CaseOpenings
{
    private readonly string _insertStreams;
    private readonly string _nextSequences;
    private readonly string _copyEvents;
    private readonly string _streamType;
    private readonly Dictionary<Type, (string Name, string DotNetName)> _eventTypes;
    private readonly ISerializer _serializer;
    private readonly StoreConnections _connections;

    public CaseOpenings(IDocumentStore store, StoreConnections connections)
    {
        _connections = connections;
        var events = (Marten.Events.EventGraph)store.Options.Events;
        var schema = events.DatabaseSchemaName;
        _insertStreams = $"insert into {schema}.mt_streams (tenant_id, id, type, version) select $1, unnest($2::uuid[]), $3, unnest($4::bigint[])";
        _nextSequences = $"select nextval('{schema}.mt_events_sequence') from generate_series(1, $1)";
        _copyEvents = $"copy {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, " +
                      "correlation_id, headers, user_name) from stdin binary";
        _streamType = events.AggregateAliasFor(typeof(CaseState));
        _eventTypes = StoredEvents.RowTypeNames(events);
        _serializer = store.Options.Serializer();
    }

    /// <summary>
    /// Stores new cases, each with its events in order (the first its case-opened), in the session's transaction on
    /// <paramref name="connection"/> (a writer's, begun by the caller): the events get their versions, sequences and
    /// recording time. Fails on a case that exists (a stream row of that hospital and id: see <see cref="IsExistingCase"/>).
    /// </summary>
    public async Task StoreAsync(IDocumentSession session, NpgsqlConnection connection, IReadOnlyList<(Guid CaseId, IReadOnlyList<IEvent> Events)> cases,
        DateTimeOffset now, int timeoutSeconds, CancellationToken ct)
    {
        await _connections.WriteAsync(() => CopyAsync(connection, session.TenantId, cases, now, timeoutSeconds, ct));

        // What the inline projections would have stored for these events.
        foreach (var (caseId, events) in cases)
        {
            session.Store(CaseStateProjection.Fold(caseId, null, events));
            foreach (var e in events)
                if (AmendmentProjection.Of(e) is { } amendment) session.Store(amendment);
        }
    }

    private async Task CopyAsync(NpgsqlConnection connection, string hospital, IReadOnlyList<(Guid CaseId, IReadOnlyList<IEvent> Events)> cases,
        DateTimeOffset now, int timeoutSeconds, CancellationToken ct)
    {
        var count = cases.Sum(c => c.Events.Count);

        // The stream rows and the events' global sequences, in one round trip.
        var sequences = new long[count];
        await using (var batch = new NpgsqlBatch(connection) { Timeout = timeoutSeconds })
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(_nextSequences) { Parameters = { new() { Value = count } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(_insertStreams)
            {
                Parameters =
                {
                    new() { Value = hospital },
                    new() { Value = cases.Select(c => c.CaseId).ToArray() },
                    new() { Value = _streamType },
                    new() { Value = cases.Select(c => (long)c.Events.Count).ToArray() },
                },
            });
            await using var reader = await batch.ExecuteReaderAsync(ct);
            for (var i = 0; await reader.ReadAsync(ct); i++) sequences[i] = reader.GetInt64(0);
            await reader.NextResultAsync(ct);
        }

        // Each event's JSON is written as UTF-8 into one buffer, sent from there: made as a .NET string, then transcoded by
        // Npgsql, it was a twentieth of what the API allocated importing case files (docs/benchmarks.md).
        var json = new ArrayBufferWriter<byte>(1024);
        var next = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(_copyEvents, ct))
        {
            copy.Timeout = TimeSpan.FromSeconds(timeoutSeconds);
            foreach (var (caseId, events) in cases)
            {
                var version = 0L;
                foreach (var e in events)
                {
                    if (e.Id == Guid.Empty) e.Id = Guid.CreateVersion7();
                    (e.StreamId, e.TenantId, e.Version, e.Sequence, e.Timestamp) = (caseId, hospital, ++version, sequences[next++], now);
                    var (name, dotNetName) = _eventTypes[e.EventType];
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(e.Id, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(caseId, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(e.Version, NpgsqlDbType.Bigint, ct);
                    json.ResetWrittenCount();
                    _serializer.WriteTo(json, e.Data);
                    await copy.WriteAsync(json.WrittenMemory, NpgsqlDbType.Jsonb, ct);
                    await copy.WriteAsync(name, NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(hospital, NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync(dotNetName, NpgsqlDbType.Varchar, ct);
                    await WriteNullableAsync(copy, e.CorrelationId, ct);
                    await copy.WriteAsync(_serializer.ToJson(e.Headers), NpgsqlDbType.Jsonb, ct);
                    await WriteNullableAsync(copy, e.UserName, ct);
                }
            }
            await copy.CompleteAsync(ct);
        }
    }

    /// <summary>The failure of <see cref="StoreAsync"/> on a case that another transaction opened first.</summary>
    public static bool IsExistingCase(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "pkey_mt_streams_tenant_id_id" };

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct)
    {
        if (value is null) await copy.WriteNullAsync(ct);
        else await copy.WriteAsync(value, NpgsqlDbType.Varchar, ct);
    }
}
