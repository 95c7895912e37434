using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

/// <summary>
/// The end of a line's progression-free interval. <see cref="InferredFrom"/> is <c>stop-reason</c> when no progression
/// was recorded inside the line and its stop for progression or ineffectiveness is the event (treatment failure).
/// </summary>
public sealed record LineProgressionFree(string EndReason, ClinicalDate EndedOn, Duration Duration, string? InferredFrom = null);

/// <summary>A line of therapy as <c>GET /cases/{id}/lines</c> shows it (API.md).</summary>
public sealed record Line(
    int Number,
    Guid EntryId,
    string Regimen,
    string TherapyClass,
    string? Access,
    string Phase,
    ClinicalDate StartedOn,
    ClinicalDate? StoppedOn,
    string? StopReason,
    bool Active,
    Duration Duration,
    IReadOnlyList<LineAgent> Agents,
    IReadOnlyList<ConcomitantMedication> Concomitant,
    IReadOnlyList<DoseChange> DoseChanges,
    int Cycles,
    IReadOnlyList<LineAdverseEvent> AdverseEvents,
    IReadOnlyList<LineResponse> Responses,
    string? BestResponse,
    IReadOnlyList<LineProgression> Progressions,
    IReadOnlyList<LocalTherapy> LocalTherapies,
    LineProgressionFree ProgressionFree,
    IReadOnlyList<EstimateUsed> EstimatesUsed);

/// <summary><c>GET /cases/{id}/lines</c>: the lines, and every estimate they rest on.</summary>
public sealed record LinesView(IReadOnlyList<Line> Lines, IReadOnlyList<EstimateUsed> EstimatesUsed)
{
    public static LinesView Of(CaseHistory history, ViewPoint point)
    {
        var lines = Projections.Lines.Of(history, point);
        return new LinesView(lines, new EstimatesUsed().Add(lines.SelectMany(l => l.EstimatesUsed)).List());
    }
}

public static class Lines
{
    public const string StopReasonInference = "stop-reason";

    /// <summary>RECIST categories from best to worst.</summary>
    private static readonly string[] ResponseRank = ["CR", "PR", "SD", "PD", "NE"];

    /// <summary>Stop reasons that are treatment failure: the stop ends progression-free survival as an event.</summary>
    public static bool IsFailure(string? stopReason) => stopReason is "progression" or "ineffective";

    /// <summary>
    /// The lines stopped for treatment failure with no progression recorded inside them: each stop counts as a
    /// progression on its date (DOMAIN.md), for the case-level intervals and the summary's last progression alike.
    /// </summary>
    public static IEnumerable<LineState> FailedWithoutProgression(IEnumerable<LineState> lines) =>
        lines.Where(l => l.Progressions.Count == 0 && IsFailure(l.StopReason));

    public static IReadOnlyList<Line> Of(CaseHistory history, ViewPoint point)
    {
        var course = new Course(history, point);
        return course.Lines.Select(line => View(line, course)).ToList();
    }

    /// <summary>A line seen from the course's view point: its duration runs to its stop, else to asOf or today.</summary>
    public static Line View(LineState line, Course course)
    {
        var progressionFree = ProgressionFree(line, course);
        var estimates = new EstimatesUsed().Add(line.Estimates.List());
        if (progressionFree.EndReason == "censored" && line.Active && course.LastContactEntry is { } contact)
            estimates.Use(contact, "occurredOn");
        return new Line(
            line.Number, line.EntryId, line.Regimen, line.TherapyClass, line.Access, line.Phase, line.StartedOn, line.StoppedOn,
            line.StopReason, line.Active, course.Point.DurationOf(line.StartedOn, line.StoppedOn), line.Agents, line.Concomitant,
            line.DoseChanges, line.Cycles, line.AdverseEvents, line.Responses,
            line.Responses.Select(r => r.Response).OrderBy(r => Array.IndexOf(ResponseRank, r)).FirstOrDefault(),
            line.Progressions, line.LocalTherapies, progressionFree, estimates.List());
    }

    /// <summary>
    /// From the line's start to its first progression (progression), or to a death inside it (death); a line stopped
    /// for progression or ineffectiveness with no progression inside ends at its stop (progression, inferred from the
    /// stop reason); else censored at its stop, or, while active, at the last contact.
    /// </summary>
    /// <summary>
    /// Adds the estimates a line's progression-free interval rests on: its start, and the date of the entry that ends or
    /// censors it (and, for a stop, its reason, which decides between an event and a censoring).
    /// </summary>
    public static void UseProgressionFreeEstimates(EstimatesUsed estimates, LineState line, LineProgressionFree free, Course course)
    {
        estimates.Use(line.StartedBy, "occurredOn");
        var end = free switch
        {
            { EndReason: "progression", InferredFrom: null } => course.Entries.First(e => e.Entry.EntryId == line.Progressions[0].EntryId).Entry,
            { EndReason: "censored" } when line.Active => course.LastContactEntry,
            _ => line.StoppedBy,
        };
        if (end is not null) estimates.Use(end, "occurredOn", "reason");
    }

    public static LineProgressionFree ProgressionFree(LineState line, Course course)
    {
        if (line.Progressions.FirstOrDefault() is { } first)
            return new LineProgressionFree("progression", first.On, Duration.Between(line.StartedOn, first.On));
        if (line.DiedOn is { } died)
            return new LineProgressionFree("death", died, Duration.Between(line.StartedOn, died));
        if (line.StoppedOn is { } stopped && IsFailure(line.StopReason))
            return new LineProgressionFree("progression", stopped, Duration.Between(line.StartedOn, stopped), StopReasonInference);
        var end = line.StoppedOn ?? course.LastContact ?? line.StartedOn;
        return new LineProgressionFree("censored", end, Duration.Between(line.StartedOn, end, censored: true));
    }
}
