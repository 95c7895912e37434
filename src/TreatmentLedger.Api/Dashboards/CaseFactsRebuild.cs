using Marten;
using Npgsql;
using TreatmentLedger.Api.CaseBoard;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Cohorts;
using TreatmentLedger.History;
using Weasel.Core;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>
/// Rebuilds the dashboards' read models (<see cref="CaseFactsProjection"/>'s board rows and line facts) from zero, case by
/// case, instead of replaying every event through Marten's daemon: its documents removed and its position set to 0; the
/// high-water mark read while no event is being appended (an exclusive lock on the streams table, held for that one
/// query) and the cases with an event at or below it; then the cases, in the order of their first events, in batches (<see cref="WriteModelRebuild.Batches"/>), two
/// at once: a batch's events read in one query with the columns a fold needs, each case folded by the same domain code as
/// the projection (<see cref="CaseFactsProjection.DocumentsOf"/>), and its documents written by COPY.
/// The position climbs as batches end: it is the sequence before the first event of the first case not yet written, so
/// every event at or below it is in the documents (a case written holds every event it had when read). At the end it is
/// the high-water mark taken at the start, and the daemon, when its agent runs again, goes on from there; an event
/// recorded during the rebuild is above that mark, and the daemon's page holding it writes its case again from the whole
/// history.
/// Marten's daemon loads every event with all its metadata as an <c>IEvent</c>; with a projection that does nothing it
/// reads at about 0.2x the raw scan of the events (docs/benchmarks.md), below the catch-up's target of 0.3x.
/// </summary>
public sealed class CaseFactsRebuild(IDocumentStore store, EventRows rows, StoreConnections connections)
{
    private readonly string _events = store.Options.Schema.ForEvents();
    private readonly string _streams = store.Options.Schema.ForStreams();
    private readonly string _progression = $"{store.Options.Events.DatabaseSchemaName}.mt_event_progression";
    private readonly string _shard = ReadModels.ShardOf(CaseFactsProjection.Name);

    /// <summary>A case to rebuild: its hospital, id, number of events, and the sequence of its first event.</summary>
    private sealed record Case(string Hospital, Guid Id, long Events, long FirstSequence);

    /// <summary>Rebuilds the documents of every case; returns the number of cases. The projection's agent must be stopped.</summary>
    public async Task<long> RunAsync(CancellationToken ct)
    {
        await ResetAsync(ct);
        var (highWater, cases) = await CasesAsync(ct);
        var batches = WriteModelRebuild.Batches(cases, c => c.Events).ToList();
        var position = new Position(batches.Select(b => b[0].FirstSequence - 1).ToArray());
        await Parallel.ForEachAsync(batches.Select((batch, i) => (batch, i)),
            new ParallelOptions { MaxDegreeOfParallelism = WriteModelRebuild.Workers, CancellationToken = ct },
            async (b, token) =>
            {
                await RebuildAsync(b.batch, token);
                if (position.Done(b.i) is { } reached) await MoveAsync(reached, token);
            });

        await MoveAsync(highWater, ct);
        return cases.Count;
    }

    /// <summary>The documents removed and the position set to 0, in one transaction.</summary>
    private async Task ResetAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var truncate = new NpgsqlCommand(
            $"truncate table {store.Options.Schema.For<CaseBoardRow>()}, {store.Options.Schema.For<LineFactRow>()}", connection, transaction))
            await truncate.ExecuteNonQueryAsync(ct);
        await using (var reset = new NpgsqlCommand(
            $"insert into {_progression} (name, last_seq_id) values ($1, 0) " +
            "on conflict (name) do update set last_seq_id = 0, last_updated = transaction_timestamp()", connection, transaction))
        {
            reset.Parameters.AddWithValue(_shard);
            await reset.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The high-water mark, read while no transaction is appending events, so that every event at or below it is
    /// committed; then the cases with an event at or below it, in the order of their first events. Marten's append
    /// function locks the stream's row (or inserts it) before it draws an event's sequence, so an exclusive lock on the
    /// streams table, taken for that one query, waits for every transaction that may hold a drawn sequence and holds
    /// back new ones (plain reads go on). A lock on the events table would not do: the function draws the sequence
    /// before its insert, so a sequence below the mark could still be inserted after it.
    /// </summary>
    private async Task<(long HighWater, List<Case> Cases)> CasesAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        long highWater = 0;
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await using (var exclusive = new NpgsqlCommand($"lock table {_streams} in exclusive mode", connection, transaction))
                await exclusive.ExecuteNonQueryAsync(ct);
            await using (var mark = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {_events}", connection, transaction))
                await connections.ReadAsync(mark, reader => highWater = reader.GetInt64(0), ct);
            await transaction.CommitAsync(ct);
        }
        var cases = new List<Case>();
        await using var listing = new NpgsqlCommand(
            $"select * from (select s.tenant_id, s.id, s.version, " +
            $"(select e.seq_id from {_events} e where e.tenant_id = s.tenant_id and e.stream_id = s.id and e.version = 1) as first " +
            $"from {_streams} s) c where first <= $1 order by first", connection);
        listing.Parameters.AddWithValue(highWater);
        await connections.ReadAsync(listing, reader => cases.Add(new Case(reader.GetString(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetInt64(3))), ct);
        return (highWater, cases);
    }

    /// <summary>
    /// A batch's events read in one query, each case folded as soon as its events are read, and the documents written by
    /// COPY, per hospital. The query's plan (an index scan per case) sends a case's events together: folding each case
    /// then, rather than holding the batch's events until the end, keeps the entries short-lived: in runs of the catch-up
    /// scenario the process's CPU per 1,000 events fell from 10.9 to 7.6 ms, most of it the garbage collector's (see
    /// docs/benchmarks.md). A case whose events came apart is read again alone.
    /// </summary>
    private async Task RebuildAsync(IReadOnlyList<Case> batch, CancellationToken ct)
    {
        var folded = new CasesAsRead<CaseDocuments>(Fold);
        await ReadAsync(batch, folded.Add, ct);
        var documents = folded.Finish();
        if (folded.Apart.Count > 0)
        {
            var whole = folded.Apart.ToDictionary(key => key, _ => new List<RecordedEntry>());
            await ReadAsync(batch.Where(c => folded.Apart.Contains((c.Hospital, c.Id))).ToList(), (key, entry) => whole[key].Add(entry), ct);
            foreach (var (key, all) in whole) documents[key] = Fold(key.Id, all);
        }
        foreach (var hospital in documents.GroupBy(d => d.Key.Hospital))
        {
            var written = hospital.SelectMany(d => d.Value.All).ToList();
            await store.BulkInsertDocumentsAsync(hospital.Key, written, BulkInsertMode.InsertsOnly, batchSize: 5_000, ct);
        }
    }

    /// <summary>The events of these cases, each handed over with its case, in one query.</summary>
    private async Task ReadAsync(IReadOnlyList<Case> cases, Action<(string Hospital, Guid Id), RecordedEntry> row, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var reading = new NpgsqlCommand(
            $"select {EventRows.Columns}, tenant_id, stream_id from {_events} e " +
            "join unnest($1::text[], $2::uuid[]) as c(tenant_id, stream_id) using (tenant_id, stream_id)", connection);
        reading.Parameters.AddWithValue(cases.Select(c => c.Hospital).ToArray());
        reading.Parameters.AddWithValue(cases.Select(c => c.Id).ToArray());
        await connections.ReadAsync(reading, reader => row((reader.GetString(EventRows.AfterColumns), reader.GetGuid(EventRows.AfterColumns + 1)), rows.Read(reader)), ct);
    }

    /// <summary>A case's documents from its entries as read (in any order).</summary>
    private static CaseDocuments Fold(Guid caseId, List<RecordedEntry> entries)
    {
        entries.Sort((a, b) => a.Version.CompareTo(b.Version));
        return CaseFactsProjection.DocumentsOf(caseId, new CaseHistory(entries));
    }

    /// <summary>Moves the position up (never down: two batches may end at once).</summary>
    private async Task MoveAsync(long position, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"update {_progression} set last_seq_id = $2, last_updated = transaction_timestamp() where name = $1 and last_seq_id < $2", connection);
        command.Parameters.AddWithValue(_shard);
        command.Parameters.AddWithValue(position);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The position as batches end in any order: the sequence before the first event of the first batch not yet done
    /// (batches are in the order of their cases' first events); once all are, the caller sets the high-water mark.
    /// </summary>
    private sealed class Position(long[] before)
    {
        private readonly bool[] _done = new bool[before.Length];
        private int _first;

        /// <summary>Marks batch <paramref name="index"/> done; the new position if it moved.</summary>
        public long? Done(int index)
        {
            lock (_done)
            {
                _done[index] = true;
                var was = _first;
                while (_first < _done.Length && _done[_first]) _first++;
                return _first == was || _first == before.Length ? null : before[_first];
            }
        }
    }
}

/// <summary>
/// The entries of cases as a query sends them, each case folded as soon as the next case's rows begin, so that only one
/// case's entries are held at a time. A case whose rows came apart (another case's rows between them) is not folded:
/// it is listed in <see cref="Apart"/>, for the caller to read again whole.
/// </summary>
internal sealed class CasesAsRead<TDocuments>(Func<Guid, List<RecordedEntry>, TDocuments> fold)
{
    private readonly Dictionary<(string Hospital, Guid Id), TDocuments> _folded = [];
    private (string Hospital, Guid Id) _current;
    private List<RecordedEntry> _entries = [];

    public HashSet<(string Hospital, Guid Id)> Apart { get; } = [];

    public void Add((string Hospital, Guid Id) key, RecordedEntry entry)
    {
        if (key != _current) Fold();
        _current = key;
        _entries.Add(entry);
    }

    /// <summary>The documents of every case whose rows came together.</summary>
    public Dictionary<(string Hospital, Guid Id), TDocuments> Finish()
    {
        Fold();
        return _folded;
    }

    private void Fold()
    {
        if (_entries.Count == 0) return;
        if (_folded.Remove(_current) || Apart.Contains(_current)) Apart.Add(_current);
        else _folded[_current] = fold(_current.Id, _entries);
        _entries = [];
    }
}
