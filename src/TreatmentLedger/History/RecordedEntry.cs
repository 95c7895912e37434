using TreatmentLedger.Entries;

namespace TreatmentLedger.History;

/// <summary>An entry as the store recorded it: the entry itself and the metadata the server adds (never payload).</summary>
/// <param name="Sequence">
/// The store's global sequence number, which the audit log shows. Null where it is not known: the case state is
/// written in the append's own statement, before PostgreSQL assigns the sequence, so it
/// keeps none; reads of the stream have it. Nothing orders by it: within one case the version gives the same order.
/// </param>
/// <param name="Version">The entry's position in its case (1, 2, ...): the order of recording within the case.</param>
public sealed record RecordedEntry(
    Entry Entry,
    long? Sequence,
    long Version,
    DateTimeOffset RecordedAt,
    string? RecordedBy,
    string? CorrelationId);

/// <summary>
/// A clinical entry as it counts now: after corrections, placed by its own occurredOn and the original's place in the
/// recording order (its version; within a case the same order as the sequence).
/// </summary>
public sealed record EffectiveEntry(ClinicalEntry Entry, long Version)
{
    public ClinicalDates.ClinicalDate Date => Entry.Date;
}

public static class EntryStatus
{
    public const string Active = "active";
    public const string Retracted = "retracted";
    public const string Corrected = "corrected";
}

/// <summary>
/// Where a recorded entry stands: active, retracted or corrected, and by which later entries (their sequences; null
/// when the entry was not read from the stream: the audit log reads the stream).
/// </summary>
public sealed record EntryState(string Status, long? CorrectedBy, long? RetractedBy);
