using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

public sealed record DiagnosisView(ClinicalDate On, string? Text);

public static class Diagnosis
{
    /// <summary>Diagnosis is the first biopsy-performed, else case-opened.</summary>
    public static ClinicalDate? DateOf(IEnumerable<EffectiveEntry> entries) => EntryOf(entries)?.Date;

    /// <summary>The entry that dates the diagnosis: the first biopsy-performed, else the case-opened.</summary>
    public static EffectiveEntry? EntryOf(IEnumerable<EffectiveEntry> entries)
    {
        EffectiveEntry? opened = null;
        foreach (var e in entries)
        {
            if (e.Entry is BiopsyPerformed) return e;
            if (e.Entry is CaseOpened) opened ??= e;
        }
        return opened;
    }

    /// <summary>The diagnosis date, and the latest diagnosis text given by a biopsy or an expert re-read.</summary>
    public static DiagnosisView? Of(IReadOnlyList<EffectiveEntry> entries) =>
        DateOf(entries) is { } on ? new DiagnosisView(on, TextOf(TextEntryOf(entries)?.Entry)) : null;

    /// <summary>The latest biopsy or expert re-read that gives a diagnosis text.</summary>
    public static EffectiveEntry? TextEntryOf(IReadOnlyList<EffectiveEntry> entries) => entries.LastOrDefault(e => TextOf(e.Entry) is not null);

    private static string? TextOf(ClinicalEntry? entry) => entry switch
    {
        BiopsyReread reread => reread.Diagnosis,
        BiopsyPerformed biopsy => biopsy.Diagnosis,
        _ => null,
    };
}
