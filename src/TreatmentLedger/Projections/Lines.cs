using TreatmentLedger.ClinicalDates;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

public sealed record LineProgressionFree(string EndReason, ClinicalDate EndedOn, Duration Duration);

/// <summary>A line of therapy as <c>GET /cases/{id}/lines</c> shows it (API.md).</summary>
public sealed record Line(
    int Number,
    Guid EntryId,
    string Regimen,
    string TherapyClass,
    string? Access,
    ClinicalDate StartedOn,
    ClinicalDate? StoppedOn,
    string? StopReason,
    bool Active,
    Duration Duration,
    IReadOnlyList<LineAgent> Agents,
    IReadOnlyList<DoseChange> DoseChanges,
    int Cycles,
    IReadOnlyList<LineAdverseEvent> AdverseEvents,
    IReadOnlyList<LineResponse> Responses,
    string? BestResponse,
    IReadOnlyList<LineProgression> Progressions,
    IReadOnlyList<LocalTherapy> LocalTherapies,
    LineProgressionFree ProgressionFree);

public static class Lines
{
    /// <summary>RECIST categories from best to worst.</summary>
    private static readonly string[] ResponseRank = ["CR", "PR", "SD", "PD", "NE"];

    public static IReadOnlyList<Line> Of(CaseHistory history, ViewPoint point) =>
        LineFold.Fold(point.Select(history)).Select(line => View(line, point)).ToList();

    public static Line View(LineState line, ViewPoint point)
    {
        var duration = point.DurationOf(line.StartedOn, line.StoppedOn);
        return new Line(
            line.Number, line.EntryId, line.Regimen, line.TherapyClass, line.Access, line.StartedOn, line.StoppedOn, line.StopReason,
            line.Active, duration, line.Agents, line.DoseChanges, line.Cycles, line.AdverseEvents, line.Responses,
            line.Responses.Select(r => r.Response).OrderBy(r => Array.IndexOf(ResponseRank, r)).FirstOrDefault(),
            line.Progressions, line.LocalTherapies, ProgressionFree(line, point));
    }

    /// <summary>
    /// From the line's start to its first progression (progression), or to a death inside it (death),
    /// else censored at its stop or at asOf/today (censored).
    /// </summary>
    private static LineProgressionFree ProgressionFree(LineState line, ViewPoint point)
    {
        if (line.Progressions.FirstOrDefault() is { } first)
            return new LineProgressionFree("progression", first.On, Duration.Between(line.StartedOn, first.On));
        if (line.DiedOn is { } died)
            return new LineProgressionFree("death", died, Duration.Between(line.StartedOn, died));
        var end = line.StoppedOn ?? point.CensorDate;
        return new LineProgressionFree("censored", end, Duration.Between(line.StartedOn, end, censored: true));
    }
}
