using TreatmentLedger.Entries;

namespace TreatmentLedger.History;

/// <summary>An entry as the store recorded it: the entry itself and the metadata the server adds (never payload).</summary>
public sealed record RecordedEntry(
    Entry Entry,
    long Sequence,
    long Version,
    DateTimeOffset RecordedAt,
    string? RecordedBy,
    string? CorrelationId);

/// <summary>A clinical entry as it counts now: after corrections, placed by its own occurredOn and the original's sequence.</summary>
public sealed record EffectiveEntry(ClinicalEntry Entry, long Sequence)
{
    public ClinicalDates.ClinicalDate Date => Entry.Date;
}

public static class EntryStatus
{
    public const string Active = "active";
    public const string Retracted = "retracted";
    public const string Corrected = "corrected";
}

/// <summary>Where a recorded entry stands: active, retracted or corrected, and by which later entries (their sequences).</summary>
public sealed record EntryState(string Status, long? CorrectedBy, long? RetractedBy);
