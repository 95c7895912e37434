using TreatmentLedger.ClinicalDates;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Cohorts;

/// <summary>The <see cref="LineFact"/>s of a case, from the lines of DOMAIN.md.</summary>
public static class LineFacts
{
    /// <summary>
    /// No asOf: every entry counts. A view point needs a today, which only sets an active line's
    /// <see cref="Line.Duration"/>; the facts never read it, so the last representable day stands in for it.
    /// </summary>
    private static readonly ViewPoint AsKnownNow = new(AsOf: null, Today: DateOnly.MaxValue);

    public const int SevereGrade = 3;

    public static IReadOnlyList<LineFact> Of(CaseHistory history) => Of(new Course(history, AsKnownNow));

    /// <summary>The facts of a course folded for another view as known now (no asOf): its today does not change them.</summary>
    public static IReadOnlyList<LineFact> Of(Course course) =>
        course.Lines.Select(line => Of(Lines.View(line, course), course.LastContact)).ToList();

    /// <summary>
    /// pfs: start to the per-line progression-free end, an event when that end is a progression (inferred from a stop
    /// reason included) or a death. ttd: start to the stop, an event whatever the reason; an active line is censored at
    /// the last contact.
    /// </summary>
    private static LineFact Of(Line line, ClinicalDate? lastContact)
    {
        var free = line.ProgressionFree;
        var pfs = new TimeToEvent(free.Duration.Days, free.EndReason is EndReasons.Progression or EndReasons.Death);
        var ttdEnd = line.StoppedOn ?? lastContact ?? line.StartedOn;
        var ttd = new TimeToEvent(Duration.Between(line.StartedOn, ttdEnd).Days, line.StoppedOn is not null);
        var severe = line.AdverseEvents.Where(ae => ae.Grade >= SevereGrade).Select(ae => ae.Term).ToList();
        return new LineFact(line.Number, line.Regimen, RegimenKey.Of(line.Regimen), line.StartedOn, line.Active, line.StopReason,
            pfs, ttd, line.BestResponse, severe);
    }
}
