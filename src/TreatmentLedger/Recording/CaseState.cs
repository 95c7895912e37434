using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Recording;

/// <summary>
/// The compact write model of one case, kept inline with every append (what a writer loads, and what
/// <c>GET /cases/{id}</c> and <c>GET /cases</c> read):
/// <list type="bullet">
/// <item>its version;</item>
/// <item>its <see cref="Outline"/>: the entries that shape its course, as corrections leave them;</item>
/// <item>the summary facts, computed from the outline.</item>
/// </list>
/// Cycles, visits, doses, imaging and the like are not held, nor corrections and retractions: recording them does not
/// make the state grow. A writer finds the entries a request names, and their latest correction and retraction, by key
/// instead (<see cref="CaseContext"/>).
/// </summary>
public sealed class CaseState
{
    public Guid Id { get; set; }
    public long Version { get; set; }

    /// <summary>
    /// The effective entries that <see cref="Shapes"/> the course, in clinical order, each at its original's version,
    /// without their free-text note and source.
    /// </summary>
    public List<EffectiveEntry> Outline { get; set; } = [];

    public CaseFacts Summary { get; set; } = null!;
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// The entry types that shape the course: the case-opened, biopsies and re-reads (diagnosis), starts and stops of
    /// systemic therapy and the death (lines), progressions (the 28-day combination window, the last progression). The
    /// line and death rules and the summary facts read these and nothing else.
    /// </summary>
    public static readonly IReadOnlySet<Type> ShapingTypes = new HashSet<Type>
    {
        typeof(CaseOpened), typeof(BiopsyPerformed), typeof(BiopsyReread), typeof(SystemicTherapyStarted), typeof(SystemicTherapyStopped),
        typeof(ProgressionObserved), typeof(PatientDied),
    };

    /// <summary>
    /// The entry types the outline is folded from: those that shape the course, and the corrections and retractions
    /// that change it. Of the other entries a state keeps only the version and the recording time (<see cref="Rebuilt"/>).
    /// </summary>
    public static readonly IReadOnlySet<Type> OutlineTypes = ShapingTypes.Append(typeof(EntryCorrected)).Append(typeof(EntryRetracted)).ToHashSet();

    /// <summary>Whether an entry shapes the course (<see cref="ShapingTypes"/>).</summary>
    public static bool Shapes(ClinicalEntry entry) => ShapingTypes.Contains(entry.GetType());

    /// <summary>
    /// The state after <paramref name="appended"/> (in recording order). Pure: <paramref name="before"/> is left as it is.
    /// </summary>
    public static CaseState Fold(Guid id, CaseState? before, IReadOnlyList<AppendedEntry> appended)
    {
        var (outline, version, updatedAt) = FoldOutline(before, appended);
        return Of(id, version, outline, updatedAt);
    }

    /// <summary>
    /// The state of a case from the entries of its history whose types are <see cref="OutlineTypes"/> (in recording
    /// order; others may be among them), its version and the time its last entry was recorded: what <see cref="Fold"/>
    /// of the whole history gives, since no other entry changes the outline. A rebuild reads no other entry.
    /// </summary>
    public static CaseState Rebuilt(Guid id, IReadOnlyList<AppendedEntry> outlineEntries, long version, DateTimeOffset lastRecordedAt) =>
        Of(id, version, FoldOutline(null, outlineEntries).Outline, lastRecordedAt);

    /// <summary>The outline, version and last recording time after <paramref name="appended"/>, from those of <paramref name="before"/>.</summary>
    private static (List<EffectiveEntry> Outline, long Version, DateTimeOffset UpdatedAt) FoldOutline(CaseState? before, IReadOnlyList<AppendedEntry> appended)
    {
        var outline = new List<EffectiveEntry>(before?.Outline ?? []);
        var version = before?.Version ?? 0;
        var updatedAt = before?.UpdatedAt ?? DateTimeOffset.MinValue;
        foreach (var (recorded, targetVersion) in appended)
        {
            switch (recorded.Entry)
            {
                case ClinicalEntry clinical:
                    if (Shapes(clinical)) outline.Add(Outlined(clinical, recorded.Version));
                    break;
                case EntryCorrected corrected:
                    var place = outline.FindIndex(e => e.Entry.EntryId == corrected.EntryId);
                    // The corrected entry's version: the outline has it when the entry shapes the course, else the event says.
                    var targetAt = place >= 0 ? outline[place].Version : targetVersion;
                    if (place >= 0) outline.RemoveAt(place);
                    if (Shapes(corrected.ClinicalReplacement))
                        outline.Add(Outlined(corrected.ClinicalReplacement, targetAt
                            ?? throw new InvalidOperationException($"the correction at version {recorded.Version} does not say which version it corrects")));
                    break;
                case EntryRetracted retracted:
                    outline.RemoveAll(e => e.Entry.EntryId == retracted.EntryId);
                    break;
            }
            version = Math.Max(version, recorded.Version);
            if (recorded.RecordedAt > updatedAt) updatedAt = recorded.RecordedAt;
        }
        return (outline, version, updatedAt);
    }

    /// <summary>The state of a whole history at once: what folding its appends one by one must give.</summary>
    public static CaseState Of(Guid id, CaseHistory history) =>
        Of(id, history.Version, history.Effective.Where(e => Shapes(e.Entry)).Select(e => Outlined(e.Entry, e.Version)), history.Recorded.Max(r => r.RecordedAt));

    /// <summary>An entry as the outline keeps it: without its free-text note and source, which no rule or summary fact reads.</summary>
    private static EffectiveEntry Outlined(ClinicalEntry entry, long version) => new(entry with { Note = null, Source = null }, version);

    private static CaseState Of(Guid id, long version, IEnumerable<EffectiveEntry> outline, DateTimeOffset updatedAt)
    {
        var ordered = outline.OrderBy(e => e.Date.Anchor).ThenBy(e => e.Version).ToList();
        return new CaseState
        {
            Id = id,
            Version = version,
            Outline = ordered,
            Summary = CaseFacts.Of(ordered, version),
            UpdatedAt = updatedAt,
        };
    }
}

/// <summary>An entry appended to a case, and for a correction the version of the entry it corrects (stored with the event).</summary>
public sealed record AppendedEntry(RecordedEntry Recorded, long? TargetVersion);

/// <summary>A correction or retraction and its version: what a writer finds, by key, of the entries a request names.</summary>
public sealed record AmendedBy(CorrectionEntry Entry, long Version);
