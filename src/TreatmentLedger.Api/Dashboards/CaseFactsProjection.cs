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
        foreach (var stream in events.GroupBy(e => e.StreamId))
        {
            var page = stream.OrderBy(e => e.Version).ToList();
            // The events of the case before this page are read from the store; a case whose events all lie in the page
            // (most cases during a rebuild) needs no read.
            var before = page[0].Version > 1
                ? await operations.Events.FetchStreamAsync(stream.Key, page[0].Version - 1, token: cancellation)
                : [];
            var history = new CaseHistory(before.Concat(page).Select(e => e.ToRecordedEntry()));
            operations.Store(CaseBoardRow.Of(stream.Key, history));
            var lines = LineFacts.Of(history);
            foreach (var line in lines) operations.Store(LineFactRow.Of(stream.Key, line));
            // Only a correction or a retraction can take a line away (a start retracted, or corrected into a joining one).
            if (page.Any(e => e.Data is EntryCorrected or EntryRetracted))
                operations.DeleteWhere<LineFactRow>(r => r.CaseId == stream.Key && r.LineNumber > lines.Count);
        }
    }
}
