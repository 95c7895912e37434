using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten.Events.Aggregation;

namespace TreatmentLedger.Api.Store;

/// <summary>Folds a case's stream into its <see cref="CaseLedger"/> document. Pure: no clock, no I/O.</summary>
public sealed partial class CaseLedgerProjection : SingleStreamProjection<CaseLedger, Guid>
{
    public override (CaseLedger?, ActionType) DetermineAction(CaseLedger? snapshot, Guid identity, IReadOnlyList<IEvent> events)
    {
        if (events.Count == 0) return (snapshot, ActionType.Nothing);
        // A new document each time: the snapshot may be the identity-mapped instance a writer fetched.
        var entries = new List<History.RecordedEntry>(snapshot?.Entries ?? []);
        entries.AddRange(events.Select(e => e.ToRecordedEntry()));
        return (CaseLedger.Build(identity, entries), ActionType.Store);
    }
}
