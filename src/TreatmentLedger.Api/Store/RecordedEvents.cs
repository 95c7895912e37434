using JasperFx.Events;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Api.Store;

public static class RecordedEvents
{
    /// <summary>A stored event as the domain sees it: the entry and the metadata the store recorded.</summary>
    public static RecordedEntry ToRecordedEntry(this IEvent e) =>
        new((Entry)e.Data, e.Sequence, e.Version, ToMicroseconds(e.Timestamp), e.UserName, e.CorrelationId);

    /// <summary>
    /// PostgreSQL keeps timestamps to the microsecond. The case state is folded from the .NET timestamp before it is
    /// stored, so both are cut to microseconds: the case state and a live fold then agree on every recordedAt.
    /// </summary>
    private static DateTimeOffset ToMicroseconds(DateTimeOffset instant) =>
        new(instant.Ticks - instant.Ticks % (TimeSpan.TicksPerMillisecond / 1000), instant.Offset);
}
