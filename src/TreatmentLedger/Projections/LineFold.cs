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

/// <summary>A supportive medication (therapyClass supportive) that started inside a line: listed, never a line itself.</summary>
public sealed record ConcomitantMedication(Guid EntryId, string Regimen, IReadOnlyList<string> Drugs, ClinicalDate StartedOn, ClinicalDate? EndedOn);

/// <summary>A cycle given on a line, with the line's start whose body surface area held then (for doses given in mg).</summary>
public sealed record LineCycle(CycleAdministered Entry, SystemicTherapyStarted? BsaGivenBy);

public static class LinePhase
{
    public const string Induction = "induction";
    public const string Maintenance = "maintenance";
}

public static class LineIntent
{
    public const string NewLine = "new-line";
    public const string AddToLine = "add-to-line";
    public const string Maintenance = "maintenance";

    /// <summary>The combination window of real-world line-of-therapy rules: a start this close to the line's joins it.</summary>
    public const int CombinationWindowDays = 28;
}

/// <summary>A line of systemic therapy as the fold leaves it: facts only, no duration (that needs a censor date).</summary>
public sealed class LineState
{
    public required int Number { get; init; }
    public required Guid EntryId { get; init; }
    public required string Regimen { get; set; }
    public required string TherapyClass { get; init; }
    public string? Access { get; init; }
    public string Phase { get; set; } = LinePhase.Induction;
    public required ClinicalDate StartedOn { get; init; }

    /// <summary>The systemic-therapy-started that opened the line.</summary>
    public required SystemicTherapyStarted StartedBy { get; init; }

    public ClinicalDate? StoppedOn { get; set; }
    public string? StopReason { get; set; }

    /// <summary>The entry that stopped the line: a systemic-therapy-stopped, the next line's start (switched) or the death.</summary>
    public ClinicalEntry? StoppedBy { get; set; }

    public bool Active => StoppedOn is null;
    public List<LineAgent> Agents { get; } = [];
    public List<DoseChange> DoseChanges { get; } = [];
    public List<LineCycle> CycleEntries { get; } = [];

    /// <summary>cyclesGiven of the stop: the cycles given when they were not recorded one by one.</summary>
    public int? CyclesGiven { get; set; }

    /// <summary>The number of cycle-administered, or the stop's cyclesGiven when that is larger.</summary>
    public int Cycles => Math.Max(CycleEntries.Count, CyclesGiven ?? 0);

    /// <summary>The non-supportive starts that make up the line: the one that opened it, then those that joined or continued it.</summary>
    public List<SystemicTherapyStarted> Starts { get; } = [];

    /// <summary>The line's latest start that gave a body surface area.</summary>
    public SystemicTherapyStarted? BsaGivenBy { get; set; }

    public List<ConcomitantMedication> Concomitant { get; } = [];
    public List<LineAdverseEvent> AdverseEvents { get; } = [];
    public List<LineResponse> Responses { get; } = [];
    public List<LineProgression> Progressions { get; } = [];
    public List<LocalTherapy> LocalTherapies { get; } = [];
    public List<DoseSegment> DoseSegments { get; } = [];

    /// <summary>The estimated fields of the entries that make up the line.</summary>
    public EstimatesUsed Estimates { get; } = new();

    /// <summary>The death that ended this line, if one did.</summary>
    public ClinicalDate? DiedOn { get; set; }
}

/// <summary>
/// Folds entries in clinical order into lines of therapy (DOMAIN.md). A supportive start never opens, joins or ends a
/// line (it is listed as concomitant when it starts inside one). Any other start while a line is active acts by its
/// lineIntent: add-to-line joins the line, maintenance continues it with new agents, new-line ends it as
/// <c>switched</c> and opens line n+1; without lineIntent, a start within 28 days of the line's start with no
/// progression since joins it, any other opens a new line. patient-died ends a line as <c>death</c>; what falls after a
/// line's start, up to and including its stop, belongs to it.
/// </summary>
public static class LineFold
{
    public const string Supportive = "supportive";

    public static IReadOnlyList<LineState> Fold(IEnumerable<EffectiveEntry> clinicalOrder)
    {
        var lines = new List<LineState>();
        LineState? current = null;
        foreach (var effective in clinicalOrder)
        {
            var entry = effective.Entry;
            if (entry is SystemicTherapyStarted started && started.TherapyClass != Supportive)
            {
                var intent = IntentOf(started, current);
                if (current is not null && intent == LineIntent.AddToLine) Join(current, started);
                else if (current is not null && intent == LineIntent.Maintenance) Maintain(current, started);
                else
                {
                    if (current is not null) Stop(current, started, "switched");
                    current = Open(lines.Count + 1, started);
                    lines.Add(current);
                }
                current.Estimates.Use(started, EstimatesUsed.All);
                continue;
            }
            if (current is null) continue;
            if (Hold(current, entry)) current.Estimates.Use(entry, EstimatesUsed.All);
            if (!current.Active) current = null;
        }
        return lines;
    }

    /// <summary>
    /// Adds to the active line what it shows of an entry (a stop or a death also ends it), and answers whether it
    /// showed anything: imaging, follow-ups and decisions fall inside a line but are not part of it.
    /// </summary>
    private static bool Hold(LineState line, ClinicalEntry entry)
    {
        var on = entry.Date;
        switch (entry)
        {
            case SystemicTherapyStarted supportive:
                line.Concomitant.Add(new ConcomitantMedication(supportive.EntryId, supportive.Regimen,
                    (supportive.Agents ?? []).Select(a => a.Drug).ToList(), on, supportive.EndedOn));
                return true;
            case SystemicTherapyStopped stopped:
                Stop(line, stopped, stopped.Reason);
                line.CyclesGiven = stopped.CyclesGiven;
                return true;
            case PatientDied died:
                Stop(line, died, "death");
                line.DiedOn = on;
                return true;
            case CycleAdministered cycle:
                line.CycleEntries.Add(new LineCycle(cycle, line.BsaGivenBy));
                return true;
            case DoseAdjusted adjusted:
                Adjust(line, adjusted);
                return true;
            case AdverseEventObserved ae:
                line.AdverseEvents.Add(new LineAdverseEvent(ae.EntryId, on, ae.Term, ae.Grade, ae.AttributedTo));
                return true;
            case ResponseAssessed response:
                line.Responses.Add(new LineResponse(response.EntryId, on, response.Response, response.Method, response.Description));
                return true;
            case ProgressionObserved progression:
                line.Progressions.Add(new LineProgression(progression.EntryId, on, progression.Scope, progression.Sites ?? [], progression.NewLesions));
                return true;
            case SurgeryPerformed surgery:
                line.LocalTherapies.Add(new LocalTherapy(surgery.EntryId, on, surgery.Type, surgery.Site, $"{surgery.Procedure} ({surgery.Margin})"));
                return true;
            case RadiotherapyDelivered rt:
                line.LocalTherapies.Add(new LocalTherapy(rt.EntryId, on, rt.Type, rt.Site,
                    $"{rt.Technique} {rt.TotalDoseGy} Gy / {rt.Fractions} fractions{(rt.Target is null ? "" : $" ({rt.Target})")}"));
                return true;
            case EmbolizationPerformed embolization:
                line.LocalTherapies.Add(new LocalTherapy(embolization.EntryId, on, embolization.Type, embolization.Site,
                    embolization.Vessels is { } vessels ? $"embolization of {vessels} vessels" : "embolization"));
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The start's lineIntent, else add-to-line within the combination window of the active line's start when no
    /// progression was recorded since that start, else new-line. With no active line only new-line can apply (the
    /// recording rules refuse the others).
    /// </summary>
    public static string IntentOf(SystemicTherapyStarted started, LineState? active)
    {
        if (active is null) return LineIntent.NewLine;
        if (started.LineIntent is { } given) return given;
        var days = started.Date.Anchor.DayNumber - active.StartedOn.Anchor.DayNumber;
        return days <= LineIntent.CombinationWindowDays && active.Progressions.Count == 0 ? LineIntent.AddToLine : LineIntent.NewLine;
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
            StartedBy = started,
        };
        AddStart(line, started);
        return line;
    }

    /// <summary>add-to-line: the start's agents join the line, whose regimen becomes both regimens joined by " + ".</summary>
    private static void Join(LineState line, SystemicTherapyStarted started)
    {
        line.Regimen = $"{line.Regimen} + {started.Regimen}";
        AddStart(line, started);
    }

    /// <summary>maintenance: same number and regimen name, these agents in place of the earlier ones (whose exposure ends here).</summary>
    private static void Maintain(LineState line, SystemicTherapyStarted started)
    {
        line.Phase = LinePhase.Maintenance;
        foreach (var agent in line.Agents.Where(a => a.DailyDoseMg is not null))
            line.DoseSegments.Add(new DoseSegment(agent.Drug, started.Date, 0));
        line.Agents.Clear();
        AddStart(line, started);
    }

    private static void AddStart(LineState line, SystemicTherapyStarted started)
    {
        line.Starts.Add(started);
        if (started.BsaM2 is not null) line.BsaGivenBy = started;
        foreach (var agent in started.Agents ?? [])
        {
            line.Agents.Add(new LineAgent(agent.Drug, agent.Dose, agent.Unit, agent.Frequency, agent.DailyDoseMg, false));
            if (agent.DailyDoseMg is { } daily) line.DoseSegments.Add(new DoseSegment(agent.Drug, started.Date, daily));
        }
    }

    private static void Stop(LineState line, ClinicalEntry by, string reason)
    {
        line.StoppedOn = by.Date;
        line.StoppedBy = by;
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
