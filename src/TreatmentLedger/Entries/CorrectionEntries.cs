namespace TreatmentLedger.Entries;

/// <summary>The entry named by <see cref="Entry.EntryId"/> counts for nothing from now on.</summary>
public sealed record EntryRetracted : CorrectionEntry;

/// <summary>
/// The entry named by <see cref="Entry.EntryId"/> counts as <see cref="Replacement"/> from now on,
/// placed by the replacement's occurredOn and the original's place in the recording order. The latest correction wins.
/// </summary>
public sealed record EntryCorrected : CorrectionEntry
{
    /// <summary>Always a <see cref="ClinicalEntry"/>; typed as <see cref="Entry"/> so that JSON carries its type.</summary>
    public Entry Replacement { get; init; } = null!;

    [System.Text.Json.Serialization.JsonIgnore]
    public ClinicalEntry ClinicalReplacement => (ClinicalEntry)Replacement;
}
