using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

/// <summary>One end of a case-level interval; <see cref="InferredFrom"/> is <c>stop-reason</c> for a treatment failure.</summary>
public sealed record IntervalBound(ClinicalDate On, string Reason, string? InferredFrom = null);

public sealed record ProgressionFreeInterval(IntervalBound From, IntervalBound To, Duration Duration);

public sealed record LineProgressionFreeInterval(int Line, string Regimen, string EndReason, ClinicalDate EndedOn, Duration Duration, string? InferredFrom);

public sealed record ProgressionFreeView(
    IReadOnlyList<ProgressionFreeInterval> Intervals,
    IReadOnlyList<LineProgressionFreeInterval> PerLine,
    IReadOnlyList<EstimateUsed> EstimatesUsed);

/// <summary>Progression-free intervals, case-level and per line (DOMAIN.md).</summary>
public static class ProgressionFreeIntervals
{
    public static ProgressionFreeView Of(CaseHistory history, ViewPoint point)
    {
        var course = new Course(history, point);
        var estimates = new EstimatesUsed();
        var perLine = course.Lines
            .Select(line =>
            {
                var free = Lines.ProgressionFree(line, course);
                Lines.UseProgressionFreeEstimates(estimates, line, free, course);
                return new LineProgressionFreeInterval(line.Number, line.Regimen, free.EndReason, free.EndedOn, free.Duration, free.InferredFrom);
            })
            .ToList();
        return new ProgressionFreeView(CaseLevel(course, estimates), perLine, estimates.List());
    }

    /// <summary>A progression event of the case: observed, or a treatment failure inferred from a line's stop.</summary>
    private sealed record ProgressionEvent(ClinicalDate On, ClinicalEntry Entry, string? InferredFrom);

    /// <summary>
    /// The first interval starts at diagnosis (first biopsy-performed, else case-opened); each progression ends the running
    /// interval and starts the next (events on one anchor count once). A line stopped for progression or ineffectiveness
    /// with no progression recorded inside it counts as a progression at its stop. Death ends the last interval; else it is
    /// censored at the last contact.
    /// </summary>
    private static List<ProgressionFreeInterval> CaseLevel(Course course, EstimatesUsed estimates)
    {
        var intervals = new List<ProgressionFreeInterval>();
        if (course.DiagnosisEntry is not { } diagnosis) return intervals;
        estimates.Use(diagnosis, "occurredOn");

        var observed = course.Entries
            .Where(e => e.Entry is ProgressionObserved)
            .Select(e => new ProgressionEvent(e.Date, e.Entry, null));
        var inferred = Lines.FailedWithoutProgression(course.Lines)
            .Select(l => new ProgressionEvent(l.StoppedOn!.Value, l.StoppedBy!, Lines.StopReasonInference));
        // Observed first, so that on a shared anchor the observed progression is the one kept.
        var events = observed.Concat(inferred)
            .Where(p => p.On.Anchor > diagnosis.Date.Anchor)
            .OrderBy(p => p.On.Anchor)
            .DistinctBy(p => p.On.Anchor);

        var from = new IntervalBound(diagnosis.Date, "diagnosis");
        foreach (var progression in events)
        {
            estimates.Use(progression.Entry, "occurredOn", "reason");
            intervals.Add(new ProgressionFreeInterval(from, new IntervalBound(progression.On, "progression", progression.InferredFrom),
                Duration.Between(from.On, progression.On)));
            from = new IntervalBound(progression.On, "progression");
        }

        if (course.Death is { } death)
        {
            estimates.Use(death, "occurredOn");
            intervals.Add(new ProgressionFreeInterval(from, new IntervalBound(death.Date, "death"), Duration.Between(from.On, death.Date)));
        }
        else
        {
            var censoredOn = course.CensorAtLastContact(from.On, estimates);
            intervals.Add(new ProgressionFreeInterval(from, new IntervalBound(censoredOn, "censored"), Duration.Between(from.On, censoredOn, censored: true)));
        }
        return intervals;
    }
}
