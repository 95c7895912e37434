using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten.Events.Aggregation;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Keeps each case's <see cref="CaseState"/> inline, in the transaction of every append: the domain's fold over the
/// appended events. Pure: no clock, no I/O. A correction's event says which version it corrects (<see cref="StoredEvents.TargetVersion"/>).
/// </summary>
public sealed partial class CaseStateProjection : SingleStreamProjection<CaseState, Guid>
{
    public override (CaseState?, ActionType) DetermineAction(CaseState? snapshot, Guid identity, IReadOnlyList<IEvent> events) =>
        events.Count == 0 ? (snapshot, ActionType.Nothing) : (Fold(identity, snapshot, events), ActionType.Store);

    /// <summary>The state after <paramref name="events"/>: what this projection stores, and what the writer stores (<see cref="CaseOpenings"/>, <see cref="CaseAppends"/>).</summary>
    public static CaseState Fold(Guid identity, CaseState? snapshot, IReadOnlyList<IEvent> events)
    {
        // The entries keep no sequence: the insert assigns it after this runs, and a rebuild sees it.
        var appended = events.Select(e => new AppendedEntry(e.ToRecordedEntry() with { Sequence = null }, StoredEvents.TargetVersionOf(e))).ToList();
        return CaseState.Fold(identity, snapshot, appended);
    }
}
