using JasperFx.Events;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Api.Store;

public static class RecordedEvents
{
    /// <summary>A stored event as the domain sees it: the entry and the metadata the store recorded.</summary>
    public static RecordedEntry ToRecordedEntry(this IEvent e) =>
        new((Entry)e.Data, e.Sequence, e.Version, e.Timestamp, e.UserName, e.CorrelationId);
}
