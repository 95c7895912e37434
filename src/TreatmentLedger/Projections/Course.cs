using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

/// <summary>
/// A case's course as one view sees it: the effective entries at its view point (clinical order), its lines, the death,
/// the diagnosis and the last contact. Folded once and shared by what a view computes from it.
/// </summary>
public sealed class Course
{
    public Course(CaseHistory history, ViewPoint point)
    {
        Point = point;
        Entries = point.Select(history);
        Lines = LineFold.Fold(Entries);
        Death = Entries.FirstOrDefault(e => e.Entry is PatientDied)?.Entry;
        DiagnosisEntry = Projections.Diagnosis.EntryOf(Entries)?.Entry;
        LastContactEntry = Entries.Count == 0 ? null : Entries.MaxBy(e => (e.Date.Anchor, e.Version))!.Entry;
    }

    public ViewPoint Point { get; }
    public IReadOnlyList<EffectiveEntry> Entries { get; }
    public IReadOnlyList<LineState> Lines { get; }
    public ClinicalEntry? Death { get; }

    /// <summary>The first biopsy-performed, else the case-opened.</summary>
    public ClinicalEntry? DiagnosisEntry { get; }

    /// <summary>
    /// The clinical entry with the latest anchor (the last in clinical order among those): the case's last contact, where
    /// open outcome intervals are censored. A follow-up-recorded entry exists to move it.
    /// </summary>
    public ClinicalEntry? LastContactEntry { get; }

    public ClinicalDate? LastContact => LastContactEntry?.Date;

    /// <summary>
    /// Where an outcome interval still open from <paramref name="from"/> is censored: at the last contact (never at
    /// today), whose date estimate the answer then rests on.
    /// </summary>
    public ClinicalDate CensorAtLastContact(ClinicalDate from, EstimatesUsed estimates)
    {
        if (LastContactEntry is null) return from;
        estimates.Use(LastContactEntry, "occurredOn");
        return LastContactEntry.Date;
    }
}
