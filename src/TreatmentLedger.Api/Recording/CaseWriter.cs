using System.Threading.Channels;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using TreatmentLedger.History;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Recording;

/// <summary>
/// The one way entries reach the store: a writer queue with group commit. The write endpoints hand it what they read
/// from the request; concurrent requests on different cases are decided and stored together, in one transaction:
/// <list type="number">
/// <item>the cases' streams locked in id order and their states read, in one round trip;</item>
/// <item>the entries the requests name read by event id, in one round trip (and their latest correction and
/// retraction, in one more, only when a named entry is found);</item>
/// <item>each request decided on its own by <see cref="Decision"/> (pure), refused ones storing nothing;</item>
/// <item>the events appended (Marten's quick append, one call per case) with the inline projections, and one commit.</item>
/// </list>
/// Two requests on one case never share a transaction: the later one waits for the next. The row locks serialise
/// writers of a case across transactions and API processes, so concurrent appends without If-Match all land, once
/// each, with no gap. When a shared transaction fails, each of its requests is tried again alone, so that one
/// request's failure is nobody else's.
/// </summary>
public sealed class CaseWriter : IAsyncDisposable
{
    /// <summary>At most this many requests share a transaction.</summary>
    public const int MaxBatch = 32;

    /// <summary>Transactions in flight at once (each with its own connection).</summary>
    public const int Writers = 4;

    private readonly IDocumentStore _store;
    private readonly EventRows _rows;
    private readonly TimeProvider _clock;
    private readonly ISerializer _serializer;
    private readonly string _lockSql;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly Task[] _writers;

    public CaseWriter(IDocumentStore store, EventRows rows, TimeProvider clock)
    {
        _store = store;
        _rows = rows;
        _clock = clock;
        _serializer = store.Options.Serializer();
        _lockSql = $"select s.id, s.version, d.data from {store.Options.Schema.ForStreams()} s " +
                   $"left join {store.Options.Schema.For<CaseState>()} d on d.id = s.id where s.id = any($1) order by s.id for update of s";
        _writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteBatchesAsync)).ToArray();
    }

    /// <summary>
    /// Records a submission: on the case <paramref name="caseId"/>, or as a new case when it is null. Answers the
    /// decision once stored (its answer is built from it), or the problem that stored nothing.
    /// </summary>
    public Task<(Decision? Decision, ProblemDetails? Problem)> WriteAsync(Guid? caseId, Submission submission, Recorder recorder)
    {
        var pending = new Pending(caseId, submission, recorder);
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("the ledger is shutting down");
        return pending.Outcome.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed class Pending(Guid? caseId, Submission submission, Recorder recorder)
    {
        public Guid? CaseId { get; } = caseId;
        public Submission Submission { get; } = submission;
        public Recorder Recorder { get; } = recorder;
        public Decision? Decision { get; set; }
        public ProblemDetails? Problem { get; set; }

        public TaskCompletionSource<(Decision?, ProblemDetails?)> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Takes what is waiting, at most one request per case and <see cref="MaxBatch"/> in all, and stores it together.</summary>
    private async Task WriteBatchesAsync()
    {
        var carried = new List<Pending>();
        while (carried.Count > 0 || await _queue.Reader.WaitToReadAsync())
        {
            var batch = new List<Pending>();
            var cases = new HashSet<Guid>();
            var later = new List<Pending>();
            foreach (var pending in carried) Take(pending);
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending)) Take(pending);
            carried = later;
            await StoreAsync(batch);

            void Take(Pending pending)
            {
                if (pending.CaseId is { } id && !cases.Add(id)) later.Add(pending);
                else batch.Add(pending);
            }
        }
    }

    private async Task StoreAsync(List<Pending> batch)
    {
        try
        {
            await StoreTogetherAsync(batch);
        }
        catch (Exception) when (batch.Count > 1)
        {
            foreach (var pending in batch) await StoreAsync([pending]);
            return;
        }
        catch (Exception e)
        {
            batch[0].Outcome.TrySetException(e);
            return;
        }
        foreach (var pending in batch) pending.Outcome.TrySetResult((pending.Decision, pending.Problem));
    }

    private async Task StoreTogetherAsync(List<Pending> batch)
    {
        var ct = CancellationToken.None;
        await using var session = _store.LightweightSession();
        var onCases = batch.Where(p => p.CaseId is not null).ToList();
        var states = new Dictionary<Guid, CaseState?>();
        IReadOnlyDictionary<Guid, List<RecordedEntry>> named = new Dictionary<Guid, List<RecordedEntry>>();
        IReadOnlyDictionary<Guid, List<AmendedBy>> amendments = new Dictionary<Guid, List<AmendedBy>>();
        if (onCases.Count > 0)
        {
            await session.BeginTransactionAsync(ct);
            var connection = session.Connection!;
            states = await LockAsync(connection, onCases.Select(p => p.CaseId!.Value).ToArray(), ct);
            var names = onCases.Where(p => states.GetValueOrDefault(p.CaseId!.Value) is not null)
                .SelectMany(p => CaseContext.NamedBy(p.Submission.Entries).Select(id => (p.CaseId!.Value, id))).ToList();
            named = await _rows.NamedAsync(connection, names, ct);
            amendments = await Amendment.OfAsync(session, named.SelectMany(n => n.Value.Select(r => (n.Key, r.Entry.EntryId))).ToList(), ct);
        }

        foreach (var pending in batch)
        {
            (pending.Decision, pending.Problem) = pending.CaseId is not { } caseId
                ? Decision.ForNewCase(pending.Submission, pending.Recorder, _clock)
                : states.GetValueOrDefault(caseId) is not { } state
                    ? (null, Problems.CaseNotFound(caseId))
                    : Decision.OnCase(caseId, new CaseContext(state, named.GetValueOrDefault(caseId) ?? [], amendments.GetValueOrDefault(caseId) ?? []),
                        pending.Submission, pending.Recorder, _clock);
            if (pending.Decision is not { } decision) continue;
            if (decision.RepeatsWithoutSequence is { Length: > 0 } versions)
                decision.KnowSequences(await _rows.SequencesAsync(session.Connection!, decision.CaseId, versions, ct));
            if (decision.Events.Count == 0) continue;
            var events = decision.Events.Cast<object>().ToArray();
            if (decision.OpensCase) session.Events.StartStream<CaseState>(decision.CaseId, events);
            // With the version it reaches, so that Marten numbers the events before the inline projections see them.
            else session.Events.Append(decision.CaseId, decision.VersionAfter, events);
        }
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Locks the cases' streams in id order (so that transactions sharing cases cannot deadlock) and reads their states.</summary>
    private async Task<Dictionary<Guid, CaseState?>> LockAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
    {
        var states = new Dictionary<Guid, CaseState?>();
        await using var command = new NpgsqlCommand(_lockSql, connection);
        command.Parameters.AddWithValue(caseIds);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (reader.IsDBNull(2))
            {
                states[reader.GetGuid(0)] = null;
                continue;
            }
            // The stream's version is the case's: Marten keeps an aggregate's version in its own column, not in the JSON.
            var state = (CaseState)_serializer.FromJson(typeof(CaseState), reader, 2);
            state.Version = reader.GetInt64(1);
            states[reader.GetGuid(0)] = state;
        }
        return states;
    }
}
