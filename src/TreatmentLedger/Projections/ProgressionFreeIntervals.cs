using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

public sealed record IntervalBound(ClinicalDate On, string Reason);

public sealed record ProgressionFreeInterval(IntervalBound From, IntervalBound To, Duration Duration);

public sealed record LineProgressionFreeInterval(int Line, string Regimen, string EndReason, ClinicalDate EndedOn, Duration Duration);

public sealed record ProgressionFreeView(IReadOnlyList<ProgressionFreeInterval> Intervals, IReadOnlyList<LineProgressionFreeInterval> PerLine);

/// <summary>Progression-free intervals, case-level and per line (DOMAIN.md).</summary>
public static class ProgressionFreeIntervals
{
    public static ProgressionFreeView Of(CaseHistory history, ViewPoint point)
    {
        var entries = point.Select(history);
        var perLine = LineFold.Fold(entries)
            .Select(line => Lines.View(line, point))
            .Select(l => new LineProgressionFreeInterval(l.Number, l.Regimen, l.ProgressionFree.EndReason, l.ProgressionFree.EndedOn, l.ProgressionFree.Duration))
            .ToList();
        return new ProgressionFreeView(CaseLevel(entries, point), perLine);
    }

    /// <summary>
    /// The first interval starts at diagnosis (first biopsy-performed, else case-opened); each progression ends the running
    /// interval and starts the next (progressions on one anchor count once); death ends the last, else it is censored.
    /// </summary>
    private static List<ProgressionFreeInterval> CaseLevel(IReadOnlyList<EffectiveEntry> entries, ViewPoint point)
    {
        var intervals = new List<ProgressionFreeInterval>();
        var diagnosis = Diagnosis.DateOf(entries);
        if (diagnosis is null) return intervals;

        var from = new IntervalBound(diagnosis.Value, "diagnosis");
        var progressions = entries
            .Where(e => e.Entry is ProgressionObserved && e.Date.Anchor > from.On.Anchor)
            .Select(e => e.Date)
            .DistinctBy(d => d.Anchor);
        foreach (var on in progressions)
        {
            intervals.Add(new ProgressionFreeInterval(from, new IntervalBound(on, "progression"), Duration.Between(from.On, on)));
            from = new IntervalBound(on, "progression");
        }

        var death = entries.FirstOrDefault(e => e.Entry is PatientDied);
        intervals.Add(death is not null
            ? new ProgressionFreeInterval(from, new IntervalBound(death.Date, "death"), Duration.Between(from.On, death.Date))
            : new ProgressionFreeInterval(from, new IntervalBound(point.CensorDate, "censored"), Duration.Between(from.On, point.CensorDate, censored: true)));
        return intervals;
    }
}
