using JasperFx.Events;
using Marten;
using Marten.Services.BatchQuerying;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>
/// The ledger's write path in process, without HTTP: the API's own writer queue (<see cref="CaseWriter"/>, group
/// commit); and, for the concurrency-style comparison, the two per-request styles it replaced, one transaction per
/// request: the stream locked before it is read (Wolverine's <c>[WriteAggregate(LoadStyle = Exclusive)]</c>), or read
/// without a lock and decided again after a lost race (optimistic versioning with retries).
/// </summary>
public sealed class LedgerWriter : IAsyncDisposable
{
    public const string RecordedBy = "bench";
    public const string CorrelationId = "bench-run";

    private static readonly Recorder Recorder = new(RecordedBy, CorrelationId);
    private readonly IDocumentStore _store;
    private readonly EventRows _rows;
    private readonly WriterConnections _writerConnections;
    private readonly CaseWriter _queue;

    public LedgerWriter(IDocumentStore store, string connectionString)
    {
        _store = store;
        _writerConnections = new WriterConnections(connectionString);
        var connections = new StoreConnections(store, _writerConnections);
        _rows = new EventRows(store, connections);
        _queue = new CaseWriter(store, _rows, new CaseOpenings(store, connections), new CaseAppends(store), _writerConnections, TimeProvider.System);
    }

    /// <summary>Opens a case through the writer queue; answers its id, or why it was refused.</summary>
    public async Task<(Guid CaseId, string? Refused)> StartAsync(IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        var (decision, problem) = await _queue.WriteAsync(BenchContext.Hospital, null, new Submission(entries, null, Submission.CaseFileField), Recorder);
        return decision is null ? (Guid.Empty, problem!.Detail) : (decision.CaseId, null);
    }

    /// <summary>Appends entries to a case through the writer queue; answers why they were refused, null when stored.</summary>
    public async Task<string?> AppendAsync(Guid caseId, IReadOnlyList<Entry> entries, CancellationToken ct) =>
        (await _queue.WriteAsync(BenchContext.Hospital, caseId, new Submission(entries, null, _ => ""), Recorder)).Problem?.Detail;

    /// <summary>One transaction per request, the stream locked before it is read.</summary>
    public async Task<string?> AppendExclusiveAsync(Guid caseId, IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        await using var session = _store.LightweightSession(BenchContext.Hospital);
        var (stream, decision, problem) = await DecideAsync(session, caseId, entries, events => events.FetchForExclusiveWriting<CaseState>(caseId), ct);
        if (decision is null) return problem;
        stream.AppendMany(decision.Events);
        await session.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// One transaction per request, the stream read without a lock (Marten checks at commit that its version has not
    /// moved), and the whole request decided again when it has (or when another writer stored the same entryId
    /// meanwhile: the unique event-id index refuses the second). Answers how many times it had to start again.
    /// </summary>
    public async Task<(string? Refused, int Retries)> AppendOptimisticAsync(Guid caseId, IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        for (var retries = 0; ; retries++)
        {
            await using var session = _store.LightweightSession(BenchContext.Hospital);
            var (stream, decision, problem) = await DecideAsync(session, caseId, entries, events => events.FetchForWriting<CaseState>(caseId), ct);
            if (decision is null) return (problem, retries);
            stream.AppendMany(decision.Events);
            try
            {
                await session.SaveChangesAsync(ct);
                return (null, retries);
            }
            catch (Exception e) when (IsLostRace(e) && retries < MaxRetries)
            {
            }
        }
    }

    public const int MaxRetries = 100;

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _writerConnections.DisposeAsync();
    }

    /// <summary>
    /// The case's stream fetched by <paramref name="fetch"/> (with or without its lock) and what the rules read beside its
    /// state, in one round trip as the writer queue reads them; then the request decided.
    /// </summary>
    private async Task<(IEventStream<CaseState> Stream, Decision? Decision, string? Problem)> DecideAsync(IDocumentSession session, Guid caseId,
        IReadOnlyList<Entry> entries, Func<IBatchEvents, Task<IEventStream<CaseState>>> fetch, CancellationToken ct)
    {
        var query = session.CreateBatchQuery();
        var fetched = fetch(query.Events);
        var reads = CaseReads.In(query, _rows, BenchContext.Hospital, [(caseId, entries)]);
        await query.Execute(ct);
        var stream = await fetched;
        if (stream.Aggregate is not { } state) return (stream, null, $"no case {caseId}");
        var contexts = await CaseWriter.ContextsAsync(session.Connection!, session.TenantId, _rows, [(caseId, state, entries)], reads, ct);
        var (decision, problem) = Decision.OnCase(caseId, contexts[caseId], new Submission(entries, null, _ => ""), Recorder, TimeProvider.System);
        return (stream, decision, problem?.Detail);
    }

    /// <summary>Marten's concurrency exceptions, or a unique violation (the event-id index: the same entryId stored meanwhile).</summary>
    private static bool IsLostRace(Exception e) =>
        e.GetType().Name.Contains("Concurrency", StringComparison.Ordinal) || e.GetType().Name.Contains("UnexpectedMaxEventId", StringComparison.Ordinal)
        || e is Npgsql.PostgresException { SqlState: "23505" } || e.InnerException is { } inner && IsLostRace(inner);
}
