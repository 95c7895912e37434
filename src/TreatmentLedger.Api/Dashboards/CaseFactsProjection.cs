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
/// </summary>
public sealed class CaseFactsProjection : IProjection
{
    public const string Name = "CaseFacts";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var streams = events.GroupBy(e => e.StreamId).Select(s => s.OrderBy(e => e.Version).ToList()).ToList();
        var before = await EarlierEventsAsync(operations, streams, cancellation);
        foreach (var page in streams)
        {
            var caseId = page[0].StreamId;
            var history = new CaseHistory(before[caseId].Concat(page).Select(e => e.ToRecordedEntry()));
            operations.Store(CaseBoardRow.Of(caseId, history));
            var lines = LineFacts.Of(history);
            foreach (var line in lines) operations.Store(LineFactRow.Of(caseId, line));
            // Only a correction or a retraction can take a line away (a start retracted, or corrected into a joining one).
            if (page.Any(e => e.Data is EntryCorrected or EntryRetracted))
                operations.DeleteWhere<LineFactRow>(r => r.CaseId == caseId && r.LineNumber > lines.Count);
        }
    }

    /// <summary>
    /// The events recorded on the page's cases before the page, by case, in one query. An event of such a case that is not
    /// in the page lies below the page's first sequence (a page holds every event of its range); a case whose first
    /// event is in the page (most cases during a rebuild) needs none.
    /// </summary>
    private static async Task<ILookup<Guid, IEvent>> EarlierEventsAsync(IDocumentOperations operations, IReadOnlyList<List<IEvent>> streams,
        CancellationToken cancellation)
    {
        var continued = streams.Where(s => s[0].Version > 1).Select(s => s[0].StreamId).ToArray();
        if (continued.Length == 0) return Array.Empty<IEvent>().ToLookup(e => e.StreamId);
        var floor = streams.Min(s => s[0].Sequence);
        var earlier = await operations.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(continued) && e.Sequence < floor)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellation);
        return earlier.ToLookup(e => e.StreamId);
    }
}
