using System.Threading.Channels;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using TreatmentLedger.Api.Faults;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Recording;

/// <summary>
/// The one way entries reach the store: writer queues with group commit, one for appends to existing cases
/// (<see cref="Writers"/>) and one for requests that open cases (<see cref="OpeningWriters"/>). The write endpoints hand
/// them what they read from the request; concurrent requests on different cases are decided and stored together, in one
/// transaction:
/// <list type="number">
/// <item>when every request of the batch holds plain clinical entries on a case whose state this writer knows
/// (<see cref="KnownStates"/>), nothing is read: each is decided on that state; otherwise the cases' streams are locked
/// in id order and their states read, but for those it knows at the version locked (<see cref="CaseAppends.LockedStates"/>),
/// with the entries the requests name, by event id, and their latest correction and retraction, in one round trip
/// (<see cref="CaseReads"/>);</item>
/// <item>each request decided on its own by <see cref="Decision"/> (pure), refused ones storing nothing;</item>
/// <item>the events appended with the documents derived from them: to existing cases by one statement for all
/// (<see cref="CaseAppends"/>), a new case's by <see cref="CaseOpenings"/>; and one commit.</item>
/// </list>
/// Two requests on one case never share a transaction: the later one waits for the next. The row locks, and for a batch
/// decided on known states the append statement's check of each stream's version, serialise writers of a case across API processes,
/// so concurrent appends without If-Match all land, once each, with no gap. A batch decided on known states that the
/// store refuses (another process appended to a case, or an entry is sent again) is decided again under the locks. When
/// a shared transaction fails, each of its requests is tried again alone, so that one request's failure is nobody
/// else's; unless the store is out of reach, when every request of it fails at once (503).
/// </summary>
public sealed class CaseWriter : IAsyncDisposable
{
    /// <summary>At most this many requests share a transaction.</summary>
    public const int MaxBatch = 32;

    /// <summary>
    /// Transactions of appends to existing cases in flight at once (each with its own connection), each writer with a queue
    /// of its own, taking the cases whose id hashes to it: the requests that arrive while a writer's transaction is stored
    /// wait for its next, which takes them all together, and two writers never wait for each other's locks. Two: while one
    /// writer's transaction is in PostgreSQL the other decides and sends its own, where one writer left the machine a
    /// third idle; alternating `--only http` runs, 1,558, 1,569 and 1,211 entries/s against 1,245, 1,355 and 1,307 with one.
    /// With four writers sharing a queue, batches held half as many requests as with one and each append cost PostgreSQL a
    /// third more CPU (0.52-0.55 ms against 0.37-0.40) and the API a quarter more, for no higher rate (docs/benchmarks.md).
    /// </summary>
    public const int Writers = 2;

    /// <summary>
    /// Transactions that open cases in flight at once (a case file imported, a case opened): they share no case and no
    /// lock, and an import's COPY keeps PostgreSQL busy for tens of milliseconds, so four run side by side (one writer for
    /// them imported a third slower) and none waits behind appends.
    /// </summary>
    public const int OpeningWriters = 4;

    private readonly IDocumentStore _store;
    private readonly EventRows _rows;
    private readonly CaseOpenings _openings;
    private readonly CaseAppends _appends;
    private readonly WriterConnections _connections;
    private readonly TimeProvider _clock;
    private readonly KnownStates _known = new();
    private readonly Channel<Pending>[] _appendsQueues = [.. Enumerable.Range(0, Writers).Select(_ => Channel.CreateUnbounded<Pending>())];
    private readonly Channel<Pending> _openingsQueue = Channel.CreateUnbounded<Pending>();
    private readonly Task[] _writers;

    public CaseWriter(IDocumentStore store, EventRows rows, CaseOpenings openings, CaseAppends appends, WriterConnections connections,
        TimeProvider clock)
    {
        _store = store;
        _rows = rows;
        _openings = openings;
        _appends = appends;
        _connections = connections;
        _clock = clock;
        _writers =
        [
            .. _appendsQueues.Select(queue => Task.Run(() => WriteBatchesAsync(queue.Reader))),
            .. Enumerable.Range(0, OpeningWriters).Select(_ => Task.Run(() => WriteBatchesAsync(_openingsQueue.Reader))),
        ];
    }

    /// <summary>
    /// Records a submission for <paramref name="hospital"/>: on its case <paramref name="caseId"/> (another hospital's
    /// case is unknown here), or as a new case of that hospital when it is null. With <paramref name="opensCase"/>, the
    /// submission opens the case <paramref name="caseId"/>, or, when that case exists, is judged on it as any other (the
    /// same opening sent again answers as the first time). Answers the decision once stored (what was
    /// written is read from it: <see cref="Decision.Written"/>), or the problem that stored nothing. No HTTP here: the
    /// endpoints answer through <see cref="RecordingAnswer"/>.
    /// </summary>
    public Task<(Decision? Decision, ProblemDetails? Problem)> WriteAsync(string hospital, Guid? caseId, Submission submission, Recorder recorder,
        bool opensCase = false)
    {
        // No case has the all-zero id (the store takes no stream by that id): it is unknown, as any other.
        if (caseId == Guid.Empty) return Task.FromResult<(Decision?, ProblemDetails?)>((null, Problems.CaseNotFound(Guid.Empty)));
        var pending = new Pending(hospital, caseId, submission, recorder, opensCase && caseId is not null);
        var queue = caseId is null || opensCase ? _openingsQueue : _appendsQueues[(int)((uint)caseId.Value.GetHashCode() % Writers)];
        if (!queue.Writer.TryWrite(pending)) throw new InvalidOperationException("the ledger is shutting down");
        return pending.Outcome.Task;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _appendsQueues) queue.Writer.TryComplete();
        _openingsQueue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed class Pending(string hospital, Guid? caseId, Submission submission, Recorder recorder, bool opensCase)
    {
        public string Hospital { get; } = hospital;
        public Guid? CaseId { get; } = caseId;

        /// <summary>Opens the case <see cref="CaseId"/> if it does not exist yet.</summary>
        public bool OpensCase { get; } = opensCase;
        public Submission Submission { get; } = submission;
        public Recorder Recorder { get; } = recorder;
        public Decision? Decision { get; set; }
        public ProblemDetails? Problem { get; set; }

        public TaskCompletionSource<(Decision?, ProblemDetails?)> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Takes what is waiting, of one hospital (a session writes for one tenant), at most one request per case and
    /// <see cref="MaxBatch"/> in all, and stores it together.
    /// </summary>
    private async Task WriteBatchesAsync(ChannelReader<Pending> queue)
    {
        var carried = new List<Pending>();
        while (carried.Count > 0 || await queue.WaitToReadAsync())
        {
            var batch = new List<Pending>();
            var cases = new HashSet<Guid>();
            var later = new List<Pending>();
            foreach (var pending in carried) Take(pending);
            while (batch.Count < MaxBatch && queue.TryRead(out var pending)) Take(pending);
            carried = later;
            // Another writer may have taken what this one was woken for.
            if (batch.Count > 0) await StoreAsync(batch);

            void Take(Pending pending)
            {
                if (batch.Count > 0 && pending.Hospital != batch[0].Hospital) later.Add(pending);
                else if (pending.CaseId is { } id && !cases.Add(id)) later.Add(pending);
                else batch.Add(pending);
            }
        }
    }

    private async Task StoreAsync(List<Pending> batch, bool openedMeanwhile = false, bool mayUseKnown = true)
    {
        var hospital = batch[0].Hospital;
        var onCases = batch.Where(p => p.CaseId is not null).ToList();
        var known = mayUseKnown && onCases.Count > 0 && onCases.All(p => !p.OpensCase)
            ? _known.ContextsFor(hospital, onCases.Select(p => (p.CaseId!.Value, p.Submission.Entries)))
            : null;
        void ForgetCases() => _known.Forget(hospital, onCases.Select(p => p.CaseId!.Value));
        bool stored;
        try
        {
            stored = await StoreTogetherAsync(batch, known);
        }
        catch (Exception e) when (StoreFaults.IsUnreachable(e))
        {
            // Nobody's request is at fault and trying each alone would only wait for the store again: all answer 503.
            ForgetCases();
            foreach (var pending in batch) pending.Outcome.TrySetException(e);
            return;
        }
        catch (Exception) when (known is not null)
        {
            stored = false;
        }
        catch (Exception e) when (batch is [{ OpensCase: true }] && !openedMeanwhile && IsStreamCollision(e))
        {
            // Another transaction (another writer of this process, or another process) opened the same case between this
            // one's read and its append: judged again, on that case.
            await StoreAsync(batch, openedMeanwhile: true);
            return;
        }
        catch (Exception) when (batch.Count > 1)
        {
            ForgetCases();
            foreach (var pending in batch) await StoreAsync([pending]);
            return;
        }
        catch (Exception e)
        {
            ForgetCases();
            batch[0].Outcome.TrySetException(e);
            return;
        }
        if (!stored)
        {
            // Decided on known states and refused: by a rule (the state may be stale, and a refusal stores nothing the
            // store could refuse in turn) or by the store (another process appended to a case, or an entry was sent
            // again). Decided again under the cases' locks, on what the store holds.
            ForgetCases();
            await StoreAsync(batch, openedMeanwhile, mayUseKnown: false);
            return;
        }
        foreach (var pending in batch)
        {
            if (pending.Decision is { } decision) Telemetry.CountAppended(pending.Hospital, decision.Events);
            pending.Outcome.TrySetResult((pending.Decision, pending.Problem));
        }
    }

    /// <summary>The case a transaction opened was opened by another before it committed.</summary>
    private static bool IsStreamCollision(Exception e) => CaseOpenings.IsExistingCase(e);

    /// <summary>
    /// Decides and stores a batch in one transaction: on the <paramref name="known"/> contexts when given (nothing read),
    /// else on the states and entries read under the cases' locks. The states it leaves are remembered once committed.
    /// Answers false, storing nothing, when a request decided on a known state is refused.
    /// </summary>
    private async Task<bool> StoreTogetherAsync(List<Pending> batch, IReadOnlyDictionary<Guid, CaseContext>? known)
    {
        var ct = CancellationToken.None;
        var timeoutSeconds = Store.Configuration.WriteTimeoutFor(batch.Sum(p => p.Submission.Entries.Count));
        // A connection of the writer's own pool (generic plans, WriterConnections), in a transaction the session commits.
        await using var connection = await _connections.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var options = Marten.Services.SessionOptions.ForTransaction(transaction, shouldAutoCommit: true);
        (options.TenantId, options.Timeout) = (batch[0].Hospital, timeoutSeconds);
        await using var session = _store.LightweightSession(options);
        var onCases = batch.Where(p => p.CaseId is not null).ToList();
        IReadOnlyDictionary<Guid, CaseContext> contexts = known ?? new Dictionary<Guid, CaseContext>();
        IReadOnlyDictionary<Guid, CaseState> states = contexts.ToDictionary(c => c.Key, c => c.Value.State!);
        if (known is null && onCases.Count > 0)
        {
            // Every case's stream row locked and the states this writer does not know at the version locked read, and what
            // the rules read beside the states, in one round trip, in the writer's transaction (CaseAppends.LockedStates,
            // CaseReads).
            var query = session.CreateBatchQuery();
            var caseIds = onCases.Select(p => p.CaseId!.Value).ToArray();
            var locked = _appends.LockedStates(query, session.TenantId, caseIds, _known.StatesOf(session.TenantId, caseIds));
            var reads = CaseReads.In(query, _rows, session.TenantId, onCases.Select(p => (p.CaseId!.Value, p.Submission.Entries)));
            await query.Execute(ct);
            states = await locked;
            contexts = await ContextsAsync(connection, session.TenantId, _rows, onCases
                .Where(p => states.ContainsKey(p.CaseId!.Value))
                .Select(p => (p.CaseId!.Value, states[p.CaseId!.Value], p.Submission.Entries)).ToList(), reads, ct);
        }

        var openings = new List<(Guid, IReadOnlyList<IEvent>)>();
        var appends = new List<(CaseState, IReadOnlyList<IEvent>)>();
        foreach (var pending in batch)
        {
            (pending.Decision, pending.Problem) = pending.CaseId is not { } caseId
                ? Decision.ForNewCase(pending.Submission, pending.Recorder, _clock)
                : contexts.TryGetValue(caseId, out var context)
                    ? Decision.OnCase(caseId, context, pending.Submission, pending.Recorder, _clock)
                    : pending.OpensCase
                        ? Decision.ForNewCase(pending.Submission, pending.Recorder, _clock, caseId)
                        : (null, Problems.CaseNotFound(caseId));
            if (pending.Decision is not { } decision)
            {
                if (known is not null) return false;
                continue;
            }
            if (decision.RepeatsWithoutSequence is { Length: > 0 } versions)
                decision.KnowSequences(await _rows.SequencesAsync(connection, decision.CaseId, versions, ct));
            if (decision.Events.Count == 0) continue;
            if (decision.OpensCase) openings.Add((decision.CaseId, decision.Events));
            else appends.Add((states[decision.CaseId], decision.Events));
        }
        var now = _clock.GetUtcNow();
        if (openings.Count > 0)
            await _openings.StoreAsync(session, connection, openings, now, timeoutSeconds, ct);
        var appended = appends.Count > 0 ? _appends.Queue(session, appends, now) : [];
        await session.SaveChangesAsync(ct);
        // What the cases appended to hold now: the states stored, and those read under the locks of cases this batch left
        // as they were. Not a new case's: an imported case is seldom appended to at once, and its state can be large.
        var changed = appended.Select(s => s.Id).ToHashSet();
        _known.Remember(session.TenantId, appended.Concat(states.Values.Where(s => !changed.Contains(s.Id))));
        return true;
    }

    /// <summary>
    /// The contexts that requests on existing cases (one request a case) are judged against: each case's state, the
    /// entries its request names and their latest correction and retraction (<paramref name="reads"/>, read with the
    /// states, under the streams' row locks); and every entry of a case whose request amends a start, a stop or a death,
    /// or adds one anchored before an entry of the case (read in the writer's transaction, on <paramref name="connection"/>).
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, CaseContext>> ContextsAsync(NpgsqlConnection connection, string hospital, EventRows rows,
        IReadOnlyList<(Guid CaseId, CaseState State, IReadOnlyList<Entry> Entries)> requests, CaseReads reads, CancellationToken ct)
    {
        var named = await reads.Named;
        var amendments = await reads.Amendments;
        var contexts = new Dictionary<Guid, CaseContext>();
        foreach (var (caseId, state, entries) in requests)
        {
            var context = new CaseContext(state, named.GetValueOrDefault(caseId) ?? [], amendments.GetValueOrDefault(caseId) ?? []);
            // A request that amends a start, a stop or a death, or adds one before an entry of the case, is judged on the
            // whole case (see NeedsWholeCase).
            if (context.NeedsWholeCase(entries) || await reads.AnchoredAfterEndingAsync(caseId))
            {
                var whole = new List<RecordedEntry>();
                await rows.StreamAsync(connection, hospital, caseId, 0, whole, ct, Store.Configuration.WriteTimeoutSeconds);
                context = CaseContext.Of(caseId, new CaseHistory(whole));
            }
            contexts[caseId] = context;
        }
        return contexts;
    }
}
