using Marten;
using Npgsql;
using TreatmentLedger.History;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Rebuilds the write model, the <see cref="CaseState"/> of every case and its <see cref="Amendment"/> documents, from the
/// events by the same fold as the inline projections (<see cref="CaseState.Rebuilt"/>), and may run while the ledger
/// records. Cases are taken in batches (<see cref="Batches"/>), in id order per hospital, two batches at once: a batch's
/// stream rows are locked as a writer locks them, its events read, and its documents written in the same transaction (the
/// case states by <c>COPY</c>, <see cref="CaseStateRows"/>), so that an append to one of its cases waits for the batch and
/// then folds onto the rebuilt state. Each document written replaces the one of the same key.
/// A state reads, of its entries, only those of the outline's types (<see cref="CaseState.OutlineTypes"/>), and of the
/// others their versions and recording times: their JSON is not sent or parsed. Marten's projection daemon would load
/// every event with all its metadata as an <c>IEvent</c> (docs/benchmarks.md: its floor alone is below a rebuild's target).
/// </summary>
public sealed class WriteModelRebuild(IDocumentStore store, EventRows rows, CaseStateRows states, StoreConnections connections)
{
    /// <summary>Cases per transaction at most; the outline entries of a batch are held in memory.</summary>
    public const int CasesPerBatch = 500;

    /// <summary>Events per transaction at most (but one case a batch whatever its length), so that long cases make small batches.</summary>
    public const int EventsPerBatch = 50_000;

    /// <summary>Batches rebuilt at once, each in a transaction of its own: one is read and folded while another is written.</summary>
    public const int Workers = 2;

    /// <summary>Seconds a statement of a batch may take.</summary>
    private const int TimeoutSeconds = 60;

    private readonly string _streams = store.Options.Schema.ForStreams();

    private readonly string[] _outlineTypeNames = store.Options.Events.AllKnownEventTypes()
        .Where(t => CaseState.OutlineTypes.Contains(t.EventType)).Select(t => t.EventTypeName).ToArray();

    /// <summary>Rebuilds the documents of every case there is when it starts; returns the number of cases.</summary>
    public async Task<long> RunAsync(CancellationToken ct)
    {
        long cases = 0;
        foreach (var (hospital, streams) in await CasesAsync(ct))
        {
            await Parallel.ForEachAsync(Batches(streams, s => s.Events).Select(b => b.Select(s => s.Id).ToArray()), new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = ct },
                async (batch, token) => await RebuildAsync(hospital, batch, token));
            cases += streams.Count;
        }
        return cases;
    }

    /// <summary>Consecutive cases, up to <see cref="CasesPerBatch"/> and <see cref="EventsPerBatch"/> a batch.</summary>
    public static IEnumerable<T[]> Batches<T>(IEnumerable<T> cases, Func<T, long> eventsOf)
    {
        var batch = new List<T>();
        long events = 0;
        foreach (var item in cases)
        {
            var count = eventsOf(item);
            if (batch.Count > 0 && (batch.Count == CasesPerBatch || events + count > EventsPerBatch))
            {
                yield return batch.ToArray();
                (batch, events) = ([], 0);
            }
            batch.Add(item);
            events += count;
        }
        if (batch.Count > 0) yield return batch.ToArray();
    }

    private async Task RebuildAsync(string hospital, Guid[] ids, CancellationToken ct)
    {
        await using var session = store.LightweightSession(new Marten.Services.SessionOptions { TenantId = hospital, Timeout = TimeoutSeconds });
        await session.BeginTransactionAsync(ct);
        var connection = session.Connection!;
        await using (var locking = new NpgsqlCommand($"select id from {_streams} where tenant_id = $1 and id = any($2) order by id for update", connection))
        {
            locking.Parameters.AddWithValue(hospital);
            locking.Parameters.AddWithValue(ids);
            await connections.ReadAsync(locking, _ => { }, ct);
        }

        // Every event of the batch's cases, for each case's version and last recording time; the entry itself (the JSON)
        // only of the outline's types.
        var cases = new Dictionary<Guid, (long Version, DateTimeOffset LastRecordedAt, List<AppendedEntry> Outline)>(ids.Length);
        await using (var reading = new NpgsqlCommand(
            $"select type, case when type = any($3) then data end, seq_id, version, timestamp, user_name, correlation_id, stream_id, " +
            $"headers ->> '{StoredEvents.TargetVersion}' from {rows.Table} where tenant_id = $1 and stream_id = any($2)", connection))
        {
            reading.Parameters.AddWithValue(hospital);
            reading.Parameters.AddWithValue(ids);
            reading.Parameters.AddWithValue(_outlineTypeNames);
            await connections.ReadAsync(reading, reader =>
            {
                var caseId = reader.GetGuid(7);
                var (version, recordedAt) = (reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4));
                var known = cases.TryGetValue(caseId, out var found) ? found : (0, DateTimeOffset.MinValue, []);
                cases[caseId] = (Math.Max(known.Version, version), recordedAt > known.LastRecordedAt ? recordedAt : known.LastRecordedAt, known.Outline);
                if (reader.IsDBNull(1)) return;
                var target = reader.IsDBNull(8) ? (long?)null : long.Parse(reader.GetString(8), System.Globalization.CultureInfo.InvariantCulture);
                known.Outline.Add(new AppendedEntry(rows.Read(reader) with { Sequence = null }, target));
            }, ct);
        }

        var rebuilt = new List<CaseState>(cases.Count);
        foreach (var (caseId, (version, lastRecordedAt, outline)) in cases)
        {
            outline.Sort((a, b) => a.Recorded.Version.CompareTo(b.Recorded.Version));
            rebuilt.Add(CaseState.Rebuilt(caseId, outline, version, lastRecordedAt));
            // The latest correction and the retraction of each entry, as the inline projection leaves them.
            foreach (var amended in CaseContext.AmendmentsOf(outline.Select(o => o.Recorded)))
                session.Store(Amendment.Of(caseId, amended.Entry, amended.Version));
        }
        await states.ReplaceAsync(connection, hospital, rebuilt, TimeoutSeconds, ct);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>The cases of every hospital, in id order, with their numbers of events (their stream versions).</summary>
    private async Task<List<(string Hospital, List<(Guid Id, long Events)> Streams)>> CasesAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select tenant_id, id, version from {_streams} order by tenant_id, id", connection);
        var cases = new List<(string Hospital, List<(Guid Id, long Events)> Streams)>();
        await connections.ReadAsync(command, reader =>
        {
            var hospital = reader.GetString(0);
            if (cases.Count == 0 || cases[^1].Hospital != hospital) cases.Add((hospital, []));
            cases[^1].Streams.Add((reader.GetGuid(1), reader.GetInt64(2)));
        }, ct);
        return cases;
    }
}
