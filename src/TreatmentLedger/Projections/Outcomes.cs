using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

public static class EndReasons
{
    public const string Death = "death";
    public const string NextLine = "next-line";
    public const string Progression = "progression";
    public const string Censored = "censored";
}

/// <summary>
/// An outcome endpoint: a duration (as API.md writes one) from <see cref="From"/> to <see cref="To"/>, with the event that
/// ends it, or <c>censored</c> at the last contact.
/// </summary>
public sealed record OutcomeInterval(
    ClinicalDate From,
    ClinicalDate To,
    string EndReason,
    int Days,
    int MinDays,
    int MaxDays,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(Duration.OneDecimal))] double Months,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(Duration.OneDecimal))] double MinMonths,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(Duration.OneDecimal))] double MaxMonths,
    bool Censored)
{
    public static OutcomeInterval Ended(ClinicalDate from, ClinicalDate to, string endReason) => Of(from, to, endReason, Duration.Between(from, to));

    public static OutcomeInterval CensoredAt(ClinicalDate from, ClinicalDate to) =>
        Of(from, to, EndReasons.Censored, Duration.Between(from, to, censored: true));

    private static OutcomeInterval Of(ClinicalDate from, ClinicalDate to, string endReason, Duration d) =>
        new(from, to, endReason, d.Days, d.MinDays, d.MaxDays, d.Months, d.MinMonths, d.MaxMonths, d.Censored);
}

public sealed record LineOutcomes(
    int Line,
    string Regimen,
    OutcomeInterval TimeToNextTreatment,
    OutcomeInterval? TreatmentFreeInterval,
    OutcomeInterval? Pfs2);

/// <summary><c>GET /cases/{caseId}/outcomes</c> (DOMAIN.md, Outcomes).</summary>
public sealed record OutcomesView(
    OutcomeInterval? OverallSurvival,
    OutcomeInterval? SurvivalFromFirstMetastasis,
    IReadOnlyList<LineOutcomes> Lines,
    IReadOnlyList<EstimateUsed> EstimatesUsed);

/// <summary>
/// Outcome endpoints of one case. Every interval still open is censored at the last contact, never at today: a patient
/// not seen since is not known to be alive or progression-free since.
/// </summary>
public static class Outcomes
{
    private static readonly HashSet<string> MetastaticScopes = ["metastatic", "oligometastatic"];

    /// <remarks>
    /// Estimates: each line adds its own start and stop dates (so the next line's start is added by that line); the
    /// death's date is added by overall survival, since the diagnosis (at least the case-opened) is always there.
    /// </remarks>
    public static OutcomesView Of(CaseHistory history, ViewPoint point)
    {
        var course = new Course(history, point);
        var estimates = new EstimatesUsed();
        var overall = course.DiagnosisEntry is { } diagnosis ? ToDeath(diagnosis, course, estimates) : null;
        var firstMetastasis = course.Entries.Select(e => e.Entry).OfType<ProgressionObserved>().FirstOrDefault(p => MetastaticScopes.Contains(p.Scope));
        var fromMetastasis = firstMetastasis is null ? null : ToDeath(firstMetastasis, course, estimates);
        var lines = course.Lines.Select((line, i) => OfLine(line, i + 1 < course.Lines.Count ? course.Lines[i + 1] : null, course, estimates)).ToList();
        return new OutcomesView(overall, fromMetastasis, lines, estimates.List());
    }

    /// <summary>From an entry's date to the death, else censored at the last contact.</summary>
    private static OutcomeInterval ToDeath(ClinicalEntry start, Course course, EstimatesUsed estimates)
    {
        estimates.Use(start, "occurredOn");
        if (course.Death is { } death)
        {
            estimates.Use(death, "occurredOn");
            return OutcomeInterval.Ended(start.Date, death.Date, EndReasons.Death);
        }
        return OutcomeInterval.CensoredAt(start.Date, course.CensorAtLastContact(start.Date, estimates));
    }

    /// <summary>
    /// Time to next treatment: start to the next line's start, or to death; treatment-free interval: stop to the next
    /// line's start (null while active); PFS2: start to the end of the next line's progression-free interval when that
    /// end is a progression or a death, censored there otherwise (null when no line follows).
    /// </summary>
    private static LineOutcomes OfLine(LineState line, LineState? next, Course course, EstimatesUsed estimates)
    {
        estimates.Use(line.StartedBy, "occurredOn");
        if (line.StoppedBy is not null) estimates.Use(line.StoppedBy, "occurredOn");

        OutcomeInterval timeToNext;
        if (next is not null) timeToNext = OutcomeInterval.Ended(line.StartedOn, next.StartedOn, EndReasons.NextLine);
        else if (course.Death is { } death) timeToNext = OutcomeInterval.Ended(line.StartedOn, death.Date, EndReasons.Death);
        else timeToNext = OutcomeInterval.CensoredAt(line.StartedOn, course.CensorAtLastContact(line.StartedOn, estimates));

        OutcomeInterval? treatmentFree = line.StoppedOn is not { } stopped ? null
            : next is not null ? OutcomeInterval.Ended(stopped, next.StartedOn, EndReasons.NextLine)
            : OutcomeInterval.CensoredAt(stopped, course.CensorAtLastContact(stopped, estimates));

        OutcomeInterval? pfs2 = null;
        if (next is not null)
        {
            var nextFree = Lines.ProgressionFree(next, course);
            pfs2 = nextFree.EndReason is EndReasons.Progression or EndReasons.Death
                ? OutcomeInterval.Ended(line.StartedOn, nextFree.EndedOn, nextFree.EndReason)
                : OutcomeInterval.CensoredAt(line.StartedOn, nextFree.EndedOn);
            Lines.UseProgressionFreeEstimates(estimates, next, nextFree, course);
        }
        return new LineOutcomes(line.Number, line.Regimen, timeToNext, treatmentFree, pfs2);
    }
}
