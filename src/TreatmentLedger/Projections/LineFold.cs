using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

public sealed record LineAgent(string Drug, decimal? Dose, string? Unit, string? Frequency, decimal? DailyDoseMg, bool Interrupted);

public sealed record DoseChange(Guid EntryId, ClinicalDate On, string Drug, string Direction, decimal? Dose, string? Unit, decimal? DailyDoseMg, string? Reason);

public sealed record LineAdverseEvent(Guid EntryId, ClinicalDate On, string Term, int Grade, string? AttributedTo);

public sealed record LineResponse(Guid EntryId, ClinicalDate On, string Response, string Method, string? Description);

public sealed record LineProgression(Guid EntryId, ClinicalDate On, string Scope, IReadOnlyList<string> Sites, bool? NewLesions);

public sealed record LocalTherapy(Guid EntryId, ClinicalDate On, string Type, string Site, string Description);

/// <summary>A daily dose in mg held from one anchor on, for oral exposure.</summary>
public sealed record DoseSegment(string Drug, ClinicalDate From, decimal DailyDoseMg);

/// <summary>A line of systemic therapy as the fold leaves it: facts only, no duration (that needs a censor date).</summary>
public sealed class LineState
{
    public required int Number { get; init; }
    public required Guid EntryId { get; init; }
    public required string Regimen { get; init; }
    public required string TherapyClass { get; init; }
    public string? Access { get; init; }
    public required ClinicalDate StartedOn { get; init; }
    public ClinicalDate? StoppedOn { get; set; }
    public string? StopReason { get; set; }
    public bool Active => StoppedOn is null;
    public List<LineAgent> Agents { get; } = [];
    public List<DoseChange> DoseChanges { get; } = [];
    public int Cycles { get; set; }
    public List<LineAdverseEvent> AdverseEvents { get; } = [];
    public List<LineResponse> Responses { get; } = [];
    public List<LineProgression> Progressions { get; } = [];
    public List<LocalTherapy> LocalTherapies { get; } = [];
    public List<DoseSegment> DoseSegments { get; } = [];

    /// <summary>The death that ended this line, if one did.</summary>
    public ClinicalDate? DiedOn { get; set; }
}

/// <summary>
/// Folds entries in clinical order into lines of therapy (DOMAIN.md): each systemic-therapy-started opens line n+1,
/// ending an active line as <c>switched</c>; patient-died ends it as <c>death</c>; what falls after a line's start,
/// up to and including its stop, belongs to it.
/// </summary>
public static class LineFold
{
    public static IReadOnlyList<LineState> Fold(IEnumerable<EffectiveEntry> clinicalOrder)
    {
        var lines = new List<LineState>();
        LineState? current = null;
        foreach (var effective in clinicalOrder)
        {
            var on = effective.Date;
            switch (effective.Entry)
            {
                case SystemicTherapyStarted started:
                    if (current is not null) Stop(current, on, "switched");
                    current = Open(lines.Count + 1, started);
                    lines.Add(current);
                    break;
                case SystemicTherapyStopped stopped when current is not null:
                    Stop(current, on, stopped.Reason);
                    current = null;
                    break;
                case PatientDied when current is not null:
                    Stop(current, on, "death");
                    current.DiedOn = on;
                    current = null;
                    break;
                case CycleAdministered when current is not null:
                    current.Cycles++;
                    break;
                case DoseAdjusted adjusted when current is not null:
                    Adjust(current, adjusted);
                    break;
                case AdverseEventObserved ae when current is not null:
                    current.AdverseEvents.Add(new LineAdverseEvent(ae.EntryId, on, ae.Term, ae.Grade, ae.AttributedTo));
                    break;
                case ResponseAssessed response when current is not null:
                    current.Responses.Add(new LineResponse(response.EntryId, on, response.Response, response.Method, response.Description));
                    break;
                case ProgressionObserved progression when current is not null:
                    current.Progressions.Add(new LineProgression(progression.EntryId, on, progression.Scope, progression.Sites ?? [], progression.NewLesions));
                    break;
                case SurgeryPerformed surgery when current is not null:
                    current.LocalTherapies.Add(new LocalTherapy(surgery.EntryId, on, surgery.Type, surgery.Site, $"{surgery.Procedure} ({surgery.Margin})"));
                    break;
                case RadiotherapyDelivered rt when current is not null:
                    current.LocalTherapies.Add(new LocalTherapy(rt.EntryId, on, rt.Type, rt.Site, $"{rt.Technique} {rt.TotalDoseGy} Gy / {rt.Fractions} fractions"));
                    break;
                case EmbolizationPerformed embolization when current is not null:
                    current.LocalTherapies.Add(new LocalTherapy(embolization.EntryId, on, embolization.Type, embolization.Site,
                        embolization.Vessels is { } vessels ? $"embolization of {vessels} vessels" : "embolization"));
                    break;
            }
        }
        return lines;
    }

    public static bool SameName(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static LineState Open(int number, SystemicTherapyStarted started)
    {
        var line = new LineState
        {
            Number = number,
            EntryId = started.EntryId,
            Regimen = started.Regimen,
            TherapyClass = started.TherapyClass,
            Access = started.Access,
            StartedOn = started.Date,
        };
        foreach (var agent in started.Agents ?? [])
        {
            line.Agents.Add(new LineAgent(agent.Drug, agent.Dose, agent.Unit, agent.Frequency, agent.DailyDoseMg, false));
            if (agent.DailyDoseMg is { } daily) line.DoseSegments.Add(new DoseSegment(agent.Drug, started.Date, daily));
        }
        return line;
    }

    private static void Stop(LineState line, ClinicalDate on, string reason)
    {
        line.StoppedOn = on;
        line.StopReason = reason;
    }

    /// <summary>
    /// A dose change updates the named agent's current dose. Interrupted holds the drug (0 mg/day); resumed restores
    /// the dose held before the interruption unless it names a new one.
    /// </summary>
    private static void Adjust(LineState line, DoseAdjusted adjusted)
    {
        line.DoseChanges.Add(new DoseChange(adjusted.EntryId, adjusted.Date, adjusted.Drug, adjusted.Direction,
            adjusted.Dose, adjusted.Unit, adjusted.DailyDoseMg, adjusted.Reason));
        var index = line.Agents.FindIndex(a => SameName(a.Drug, adjusted.Drug));
        if (index < 0) return;
        var agent = line.Agents[index];
        var updated = agent with
        {
            Dose = adjusted.Dose ?? agent.Dose,
            Unit = adjusted.Unit ?? agent.Unit,
            DailyDoseMg = adjusted.DailyDoseMg ?? agent.DailyDoseMg,
            Interrupted = adjusted.Direction switch
            {
                "interrupted" => true,
                "resumed" => false,
                _ => agent.Interrupted,
            },
        };
        line.Agents[index] = updated;
        if (agent.DailyDoseMg is not null || adjusted.DailyDoseMg is not null)
            line.DoseSegments.Add(new DoseSegment(agent.Drug, adjusted.Date, updated.Interrupted ? 0 : updated.DailyDoseMg ?? 0));
    }
}
