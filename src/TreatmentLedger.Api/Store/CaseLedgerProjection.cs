using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten.Events.Aggregation;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Folds a case's stream into its <see cref="CaseLedger"/> document. Pure: no clock, no I/O. The entries keep no
/// sequence: a quick append assigns it after this runs, so a document written by an append and one written by a
/// rebuild (which sees the sequences) would otherwise differ.
/// </summary>
public sealed partial class CaseLedgerProjection : SingleStreamProjection<CaseLedger, Guid>
{
    public override (CaseLedger?, ActionType) DetermineAction(CaseLedger? snapshot, Guid identity, IReadOnlyList<IEvent> events)
    {
        if (events.Count == 0) return (snapshot, ActionType.Nothing);
        // A new document each time: the snapshot may be the identity-mapped instance a writer fetched.
        var entries = new List<History.RecordedEntry>(snapshot?.Entries ?? []);
        entries.AddRange(events.Select(e => e.ToRecordedEntry() with { Sequence = null }));
        return (CaseLedger.Build(identity, entries), ActionType.Store);
    }
}
