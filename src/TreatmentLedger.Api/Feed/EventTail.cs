using System.Threading.Channels;
using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Feed;

/// <summary>
/// This node's tail of the event table, for the live feed: it reads the entries recorded after the last one it
/// delivered, by global sequence, every <see cref="PollInterval"/>, whichever node recorded them, and hands each to every
/// subscriber in sequence order. A sequence missing between delivered ones may belong to a transaction not yet
/// committed: the tail waits for it up to <see cref="GapTimeout"/> (then it was rolled back and is skipped), so a
/// subscriber never sees a later entry before an earlier one, nor loses one.
/// </summary>
public sealed class EventTail(IDocumentStore store, StoreConnections connections, ILogger<EventTail> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(3);
    private const int PageSize = 2_000;

    /// <summary>The entries a subscriber may have waiting before its feed is ended (it resumes from the store).</summary>
    public const int SubscriberBacklog = 100_000;

    private readonly object _gate = new();
    private readonly List<Channel<FeedEntry>> _subscribers = [];
    // The patientRefs of the cases seen last (a few tens of bytes each): at most PatientRefsKept, then forgotten.
    private readonly Dictionary<Guid, string> _patientRefs = [];
    private const int PatientRefsKept = 100_000;
    private readonly Dictionary<string, string> _typeNames =
        store.Options.Events.AllKnownEventTypes().Where(t => t.EventType.IsAssignableTo(typeof(Entry)))
            .ToDictionary(t => t.EventTypeName, t => EntryTypes.NameOf(t.EventType));

    private readonly string _pageSql = PageSql(store, "");
    private readonly string _hospitalPageSql = PageSql(store, " and tenant_id = $2");

    private static string PageSql(IDocumentStore store, string filter) =>
        $"select seq_id, stream_id, tenant_id, version, type, data ->> 'occurredOn', timestamp, user_name, data ->> 'patientRef' " +
        $"from {store.Options.Schema.ForEvents()} where seq_id > $1{filter} order by seq_id limit {PageSize}";

    private readonly string _patientRefsSql =
        $"select id, data -> 'summary' ->> 'patientRef' from {store.Options.Schema.For<CaseState>()} where id = any($1)";

    // LastSequenceAsync's shared queries: the one running (or last run), and the one queued to start after it.
    private readonly Lock _lastSequenceGate = new();
    private Task _runningLastSequence = Task.CompletedTask;
    private TaskCompletionSource<long>? _queuedLastSequence;

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The sequence up to which every entry has been handed to the subscribers.</summary>
    public long Delivered { get; private set; }

    /// <summary>
    /// Subscribes to the entries delivered from now on, and answers the sequence delivered so far: every entry after it
    /// reaches the channel, none at or before it.
    /// </summary>
    public async Task<(ChannelReader<FeedEntry> Entries, long From, Action Unsubscribe)> SubscribeAsync(CancellationToken ct)
    {
        await _started.Task.WaitAsync(ct);
        var channel = Channel.CreateBounded<FeedEntry>(new BoundedChannelOptions(SubscriberBacklog) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
        lock (_gate)
        {
            _subscribers.Add(channel);
            return (channel.Reader, Delivered, () =>
            {
                lock (_gate) _subscribers.Remove(channel);
                channel.Writer.TryComplete();
            });
        }
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        // The feed starts at the end of the table: earlier entries are replayed from the store on request (Last-Event-ID).
        while (!ct.IsCancellationRequested)
        {
            try
            {
                Delivered = await LastSequenceAsync(ct);
                break;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "The live feed waits for the store");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
        _started.TrySetResult();
        DateTimeOffset? gapSince = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await FollowEndWhileUnwatchedAsync(ct))
                {
                    gapSince = null;
                    await Task.Delay(PollInterval, ct);
                    continue;
                }
                var page = await ReadAfterAsync(Delivered, hospital: null, ct);
                var delivered = 0;
                foreach (var entry in page)
                {
                    if (entry.Sequence != Delivered + 1)
                    {
                        gapSince ??= DateTimeOffset.UtcNow;
                        if (DateTimeOffset.UtcNow - gapSince < GapTimeout) break;
                    }
                    gapSince = null;
                    Deliver(entry);
                    delivered++;
                }
                if (delivered == PageSize) continue;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "The live feed could not read the store; it tries again");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            await Task.Delay(PollInterval, ct);
        }
        lock (_gate) foreach (var subscriber in _subscribers) subscriber.Writer.TryComplete();
    }

    /// <summary>
    /// With no subscriber, the tail reads no entries: it keeps <see cref="Delivered"/> at the end of the table, as when the
    /// node started, so that a feed opened later starts from then. A subscriber that came during the query keeps the
    /// sequence it was given, and the tail reads on from there.
    /// </summary>
    private async Task<bool> FollowEndWhileUnwatchedAsync(CancellationToken ct)
    {
        lock (_gate)
            if (_subscribers.Count > 0) return false;
        var last = await LastSequenceAsync(ct);
        lock (_gate)
        {
            if (_subscribers.Count > 0) return false;
            Delivered = Math.Max(Delivered, last);
            return true;
        }
    }

    private void Deliver(FeedEntry entry)
    {
        lock (_gate)
        {
            // A subscriber that has fallen this far behind is ended rather than skipped: its client reconnects with
            // Last-Event-ID and gets the rest from the store, so nothing is lost.
            foreach (var subscriber in _subscribers)
                if (!subscriber.Writer.TryWrite(entry)) subscriber.Writer.TryComplete();
            Delivered = entry.Sequence;
        }
    }

    /// <summary>
    /// The entries recorded after <paramref name="after"/>, in sequence order (a page of them): of every hospital for the
    /// tail, of one hospital for a feed catching up from the store.
    /// </summary>
    public async Task<IReadOnlyList<FeedEntry>> ReadAfterAsync(long after, string? hospital, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(hospital is null ? _pageSql : _hospitalPageSql, connection)
        {
            CommandTimeout = Store.Configuration.ReadTimeoutSeconds,
        };
        command.Parameters.AddWithValue(after);
        if (hospital is not null) command.Parameters.AddWithValue(hospital);
        var rows = new List<FeedEntry>();
        await connections.ReadAsync(command, reader => rows.Add(new FeedEntry(
            reader.GetGuid(1), reader.IsDBNull(8) ? "" : reader.GetString(8), reader.GetInt64(0), reader.GetInt64(3),
            _typeNames.GetValueOrDefault(reader.GetString(4), reader.GetString(4)), reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetString(7)) { Hospital = reader.GetString(2) }), ct);
        if (rows.Count == 0) return rows;

        // Only the case-opened entry carries the patientRef: the others take it from the case's state, remembered per
        // case (up to PatientRefsKept cases, then all forgotten at once and read again as needed).
        var refs = new Dictionary<Guid, string>();
        lock (_gate)
        {
            if (_patientRefs.Count > PatientRefsKept) _patientRefs.Clear();
            foreach (var r in rows)
            {
                if (r.Type == EntryTypes.NameOf<CaseOpened>()) refs[r.CaseId] = r.PatientRef;
                else if (_patientRefs.TryGetValue(r.CaseId, out var known)) refs.TryAdd(r.CaseId, known);
            }
        }
        var unknown = rows.Select(r => r.CaseId).Where(id => !refs.ContainsKey(id)).Distinct().ToArray();
        if (unknown.Length > 0)
        {
            await using var lookup = new NpgsqlCommand(_patientRefsSql, connection) { CommandTimeout = Store.Configuration.ReadTimeoutSeconds };
            lookup.Parameters.AddWithValue(unknown);
            await connections.ReadAsync(lookup, reader => refs[reader.GetGuid(0)] = reader.IsDBNull(1) ? "" : reader.GetString(1), ct);
        }
        lock (_gate) foreach (var (id, patientRef) in refs) _patientRefs[id] = patientRef;
        return rows.Select(r => r with { PatientRef = refs.GetValueOrDefault(r.CaseId, "") }).ToList();
    }

    /// <summary>
    /// The sequence of the last entry in the store, read by a query that started after this call. Concurrent callers share
    /// one query (each new feed asks: a hundred dashboards connecting at once would otherwise open a hundred connections
    /// at once, and some would time out): a caller joins the query queued to start next, never one already running.
    /// </summary>
    public Task<long> LastSequenceAsync(CancellationToken ct)
    {
        TaskCompletionSource<long> queued;
        Task? previous = null;
        lock (_lastSequenceGate)
        {
            if (_queuedLastSequence is null)
            {
                _queuedLastSequence = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                previous = _runningLastSequence;
            }
            queued = _queuedLastSequence;
        }
        if (previous is not null) _ = QueryLastSequenceAfterAsync(previous, queued);
        return queued.Task.WaitAsync(ct);
    }

    /// <summary>Once <paramref name="previous"/> has ended, runs the query of the callers queued on <paramref name="queued"/>.</summary>
    private async Task QueryLastSequenceAfterAsync(Task previous, TaskCompletionSource<long> queued)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lastSequenceGate)
        {
            // From here on, a new caller queues a query of its own.
            _queuedLastSequence = null;
            _runningLastSequence = queued.Task;
        }
        try
        {
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {store.Options.Schema.ForEvents()}", connection);
            queued.SetResult((long)(await command.ExecuteScalarAsync())!);
        }
        catch (Exception e)
        {
            queued.SetException(e);
        }
    }
}
