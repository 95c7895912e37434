using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using TreatmentLedger.Api.CaseBoard;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Cohorts;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>
/// The dashboards' async projection: for every case an entry of a page touched, its board row and its lines' facts,
/// computed by the domain's folds from the case's whole history up to that page (corrections and retractions applied,
/// as known then). Each document is a function of the case's events alone, so a rebuild writes what the live daemon
/// wrote, and a page replayed after a crash writes the same documents again.
/// Marten's daemon runs it, in pages, per hospital (a session of the events' tenant), on one node of the cluster.
/// The histories of the cases it saw last are kept in memory (<see cref="RecentHistories"/>): a page touching a case
/// seen before reads none of its earlier events again.
/// </summary>
public sealed class CaseFactsProjection : IProjection
{
    public const string Name = "CaseFacts";

    /// <summary>
    /// Recorded entries kept in memory across pages: two thousand cases being recorded at 20 entries each. Only cases
    /// recorded over time are kept (<see cref="RecordedOverTime"/>): with every case kept, the batch imports' 500-entry
    /// cases filled 50,000 entries and the API's peak memory in the benchmark rose from about 300 to 430 MB. With 60,000
    /// the API peaked at 389-411 MB once the benchmark's HTTP append let its code settle for 20 s on cases of its own
    /// (1,000 cases of about 30 entries), 333 MB with 40,000 (docs/benchmarks.md).
    /// </summary>
    public const int KeptEntries = 40_000;

    private readonly RecentHistories _recent = new(KeptEntries);

    private sealed record Page(Guid CaseId, List<RecordedEntry> Entries);

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var tenant = operations.TenantId;
        var pages = events.GroupBy(e => e.StreamId)
            .Select(s => new Page(s.Key, s.OrderBy(e => e.Version).Select(e => e.ToRecordedEntry()).ToList()))
            .ToList();
        var kept = pages.ToDictionary(p => p.CaseId, p => _recent.EarlierThan(tenant, p.CaseId, p.Entries[0].Version));
        var read = await EarlierEventsAsync(operations, kept.Where(k => k.Value is null).Select(k => k.Key).ToArray(),
            events.Min(e => e.Sequence), cancellation);
        var boards = new List<CaseBoardRow>(pages.Count);
        var lines = new List<LineFactRow>(pages.Count);
        var shortened = new List<(Guid CaseId, int Lines)>();
        foreach (var page in pages)
        {
            var earlier = kept[page.CaseId] ?? read[page.CaseId].Select(e => e.ToRecordedEntry()).ToList();
            var history = new CaseHistory(earlier.Concat(page.Entries));
            if (RecordedOverTime(history)) _recent.Keep(tenant, page.CaseId, history.Recorded);
            var documents = DocumentsOf(page.CaseId, history);
            boards.Add(documents.Board);
            lines.AddRange(documents.Lines);
            if (LinesTakenAway(earlier, page, documents.Lines.Count)) shortened.Add((page.CaseId, documents.Lines.Count));
        }
        var rows = Rows(operations.DocumentStore.Options);
        operations.QueueOperation(rows.Board.Upsert(tenant, boards));
        if (lines.Count > 0) operations.QueueOperation(rows.Lines.Upsert(tenant, lines));
        foreach (var (caseId, count) in shortened)
            operations.DeleteWhere<LineFactRow>(r => r.CaseId == caseId && r.LineNumber > count);
    }

    private (PageRows<CaseBoardRow> Board, PageRows<LineFactRow> Lines)? _rows;

    /// <summary>The statements that write a page's documents, built once (the projection is registered before its store exists).</summary>
    private (PageRows<CaseBoardRow> Board, PageRows<LineFactRow> Lines) Rows(IReadOnlyStoreOptions options) =>
        _rows ??= (DashboardRows.Board(options), DashboardRows.Lines(options));

    /// <summary>The documents of a case: its board row and a fact per line (also what <see cref="CaseFactsRebuild"/> writes).</summary>
    public static CaseDocuments DocumentsOf(Guid caseId, CaseHistory history)
    {
        var course = CaseBoardRow.CourseOf(history);
        return new(CaseBoardRow.Of(caseId, history, course), LineFacts.Of(course).Select(line => LineFactRow.Of(caseId, line)).ToList());
    }

    /// <summary>
    /// Whether more than one transaction recorded the case, which is what earns it a place among the kept histories: a
    /// case being recorded visit by visit comes back page after page, while an imported one (one transaction, however
    /// many pages it spans) seldom does, and keeping it would push out the cases that do. Round-robin appends over more
    /// cases than are kept would otherwise read every case's history again on every page.
    /// </summary>
    public static bool RecordedOverTime(CaseHistory history) =>
        history.Recorded.Count > 0 && history.Recorded[0].RecordedAt != history.Recorded[^1].RecordedAt;

    /// <summary>
    /// Whether the case had more lines before the page than after it, so that rows written for it earlier are left over.
    /// Only a correction or a retraction can take a line away (a start retracted, or corrected into a joining one), and
    /// the rows of a case are always those of its history as far as the last page that touched it: its earlier entries.
    /// A catch-up, whose pages nearly always hold a case from its first entry, deletes nothing.
    /// </summary>
    private static bool LinesTakenAway(IReadOnlyList<RecordedEntry> earlier, Page page, int lines) =>
        earlier.Count > 0
        && page.Entries.Any(e => e.Entry is EntryCorrected or EntryRetracted)
        && LineFacts.Of(new CaseHistory(earlier)).Count > lines;

    /// <summary>
    /// The events recorded on the given cases before the page, by case, in one query. An event of such a case that is
    /// not in the page lies below the page's first sequence (a page holds every event of its range).
    /// </summary>
    private static async Task<ILookup<Guid, IEvent>> EarlierEventsAsync(IDocumentOperations operations, Guid[] cases, long floor,
        CancellationToken cancellation)
    {
        if (cases.Length == 0) return Array.Empty<IEvent>().ToLookup(e => e.StreamId);
        var earlier = await operations.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(cases) && e.Sequence < floor)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellation);
        return earlier.ToLookup(e => e.StreamId);
    }
}

/// <summary>What the dashboards' projection writes for a case: its board row and its lines' facts.</summary>
public sealed record CaseDocuments(CaseBoardRow Board, List<LineFactRow> Lines)
{
    public IEnumerable<object> All => Lines.Prepend<object>(Board);
}
