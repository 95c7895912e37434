using Marten;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>
/// The ledger's write steps in process, as the generated code of <c>POST /cases</c> and <c>POST /cases/{id}/entries</c>
/// runs them (Internal/Generated), without HTTP and Wolverine's pipeline: a session, the stream fetched under its row
/// lock, the named entries looked up and the request decided (<see cref="Decision"/>), the events appended and committed.
/// </summary>
public sealed class LedgerWriter(IDocumentStore store)
{
    public const string RecordedBy = "bench";
    public const string CorrelationId = "bench-run";

    private readonly EventRows _rows = new(store);

    /// <summary>Opens a case; answers its id, or why it was refused.</summary>
    public async Task<(Guid CaseId, string? Refused)> StartAsync(IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        var (decision, problem) = Decision.ForNewCase(new Submission(entries, null, Submission.CaseFileField), TimeProvider.System);
        if (decision is null) return (Guid.Empty, problem.Detail);
        await using var session = Open();
        session.Events.StartStream<CaseState>(decision.CaseId, decision.Events.Cast<object>().ToArray());
        await session.SaveChangesAsync(ct);
        return (decision.CaseId, null);
    }

    /// <summary>Appends entries to a case; answers why they were refused, null when stored.</summary>
    public async Task<string?> AppendAsync(Guid caseId, IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        await using var session = Open();
        var stream = await session.Events.FetchForExclusiveWriting<CaseState>(caseId, ct);
        if (stream.Aggregate is null) return $"no case {caseId}";
        var (decision, problem) = await Decision.OnCaseAsync(caseId, stream, new Submission(entries, null, _ => ""), session, _rows, TimeProvider.System, ct);
        if (decision is null) return problem.Detail;
        stream.AppendMany(decision.Events);
        await session.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// The other concurrency style, for comparison only: the stream fetched without a lock (Marten checks at commit that
    /// its version has not moved), and the whole request decided again when it has (or when another writer stored the
    /// same entryId meanwhile: the unique event-id index refuses the second). Answers why the entries were refused, null
    /// when stored, and how many times it had to start again.
    /// </summary>
    public async Task<(string? Refused, int Retries)> AppendOptimisticAsync(Guid caseId, IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        for (var retries = 0; ; retries++)
        {
            await using var session = Open();
            var stream = await session.Events.FetchForWriting<CaseState>(caseId, ct);
            if (stream.Aggregate is null) return ($"no case {caseId}", retries);
            var (decision, problem) = await Decision.OnCaseAsync(caseId, stream, new Submission(entries, null, _ => ""), session, _rows, TimeProvider.System, ct);
            if (decision is null) return (problem.Detail, retries);
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

    /// <summary>Marten's concurrency exceptions, or a unique violation (the event-id index: the same entryId stored meanwhile).</summary>
    private static bool IsLostRace(Exception e) =>
        e.GetType().Name.Contains("Concurrency", StringComparison.Ordinal) || e.GetType().Name.Contains("UnexpectedMaxEventId", StringComparison.Ordinal)
        || e is Npgsql.PostgresException { SqlState: "23505" } || e.InnerException is { } inner && IsLostRace(inner);

    private IDocumentSession Open()
    {
        var session = store.LightweightSession();
        session.CorrelationId = CorrelationId;
        session.LastModifiedBy = RecordedBy;
        return session;
    }
}
