using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

public static class Lanes
{
    public const string Diagnosis = "diagnosis";
    public const string Surgery = "surgery";
    public const string Radiotherapy = "radiotherapy";
    public const string Systemic = "systemic";
    public const string Progression = "progression";
    public const string Response = "response";
    public const string Toxicity = "toxicity";
    public const string Other = "other";
}

/// <summary>
/// One thing on the timeline: an entry (<see cref="Kind"/> "entry") or a line of systemic therapy drawn as a bar
/// ("line", with <see cref="End"/> its stop or censor date and <see cref="EndEntryId"/> the entry that stopped it).
/// <see cref="Line"/> is the line's number on a bar, and on a dose change the line whose bar it is marked on.
/// </summary>
public sealed record TimelineItem(
    string Kind,
    string Lane,
    string Label,
    ClinicalDate Start,
    ClinicalDate? End,
    Guid EntryId,
    string Type,
    int? Line = null,
    bool? Active = null,
    Guid? EndEntryId = null);

/// <summary>
/// The timeline from the first entry to <see cref="To"/>: the death for a deceased case, else asOf, else today.
/// <see cref="EstimatesUsed"/> lists every entry shown whose fields are estimated.
/// </summary>
public sealed record TimelineView(ClinicalDate? From, ClinicalDate To, IReadOnlyList<TimelineItem> Items, IReadOnlyList<EstimateUsed> EstimatesUsed);

/// <summary>The case in clinical order, lane by lane, like Figure 1D of the founding report.</summary>
public static class Timeline
{
    public static TimelineView Of(CaseHistory history, ViewPoint point)
    {
        var course = new Course(history, point);
        var lineOfDoseChange = course.Lines
            .SelectMany(line => line.DoseChanges.Select(change => (change.EntryId, line.Number)))
            .ToDictionary(x => x.EntryId, x => x.Number);
        var items = course.Entries.Select(e => Item(e.Entry)).ToList();
        for (var i = 0; i < items.Count; i++)
            if (lineOfDoseChange.TryGetValue(items[i].EntryId, out var line)) items[i] = items[i] with { Line = line };
        var bars = course.Lines.Select(line => new TimelineItem(
            "line", Lanes.Systemic, $"L{line.Number} {line.Regimen}", line.StartedOn, line.StoppedOn ?? point.CensorDate,
            line.EntryId, EntryTypes.NameOf<SystemicTherapyStarted>(), line.Number, line.Active, line.StoppedBy?.EntryId));
        // Bars go just before the entry that starts them, so a stable sort by start keeps clinical order.
        var ordered = items.Concat(bars)
            .Select((item, index) => (item, index, bar: item.Kind == "line" ? 0 : 1))
            .OrderBy(x => x.item.Start.Anchor)
            .ThenBy(x => x.bar)
            .ThenBy(x => x.index)
            .Select(x => x.item)
            .ToList();
        var estimates = new EstimatesUsed();
        foreach (var effective in course.Entries) estimates.Use(effective.Entry, EstimatesUsed.All);
        // Nothing happens after a death: a deceased case's timeline ends there, not at asOf or today.
        var to = course.Death?.Date ?? point.CensorDate;
        return new TimelineView(course.Entries.FirstOrDefault()?.Date, to, ordered, estimates.List());
    }

    private static TimelineItem Item(ClinicalEntry entry)
    {
        var (lane, label) = entry switch
        {
            CaseOpened opened => (Lanes.Diagnosis, $"case opened{(opened.Presentation is null ? "" : $": {opened.Presentation}")}"),
            BiopsyPerformed biopsy => (Lanes.Diagnosis, $"{biopsy.Technique} biopsy {biopsy.Site}{(biopsy.Diagnosis is null ? "" : $": {biopsy.Diagnosis}")}"),
            BiopsyReread reread => (Lanes.Diagnosis, $"re-read ({reread.Reviewer}): {reread.Diagnosis}"),
            MolecularTestReported test => (Lanes.Diagnosis, $"{test.Method}{(test.Conclusive ? "" : " (inconclusive)")}"),
            PathologyReported pathology => (Lanes.Diagnosis, $"pathology {pathology.Specimen}"),
            ImagingPerformed imaging => (Lanes.Other, $"{imaging.Modality}{(imaging.Findings is null ? "" : $": {imaging.Findings}")}"),
            SurgeryPerformed surgery => (Lanes.Surgery, surgery.Margin is "R0" or "R1" or "R2" ? $"{surgery.Procedure} ({surgery.Margin})" : surgery.Procedure),
            EmbolizationPerformed embolization => (Lanes.Surgery, $"embolization {embolization.Site}"),
            RadiotherapyDelivered rt => (Lanes.Radiotherapy,
                $"{rt.Technique} {rt.TotalDoseGy} Gy/{rt.Fractions} {rt.Site}{(rt.Target is null ? "" : $" ({rt.Target})")}"),
            SystemicTherapyStarted started => (Lanes.Systemic, $"start {started.Regimen}"),
            SystemicTherapyStopped stopped => (Lanes.Systemic, $"stop ({stopped.Reason})"),
            CycleAdministered cycle => (Lanes.Systemic, $"cycle {cycle.Cycle}"),
            DoseAdjusted adjusted => (Lanes.Systemic, DoseChangeLabel(adjusted)),
            AdverseEventObserved ae => (Lanes.Toxicity, $"{ae.Term} grade {ae.Grade}"),
            ComplicationOccurred complication => (Lanes.Toxicity, complication.Description),
            ResponseAssessed response => (Lanes.Response, response.Response),
            ProgressionObserved progression => (Lanes.Progression,
                $"{progression.Scope} progression{(progression.Sites is { Count: > 0 } sites ? $": {string.Join(", ", sites)}" : "")}"),
            TreatmentDecisionRecorded decision => (Lanes.Other, $"{decision.Treatment}: {decision.Decision}"),
            PatientDied died => (Lanes.Other, $"died{(died.Cause is null ? "" : $": {died.Cause}")}"),
            FollowUpRecorded followUp => (Lanes.Other, $"follow-up: {followUp.VitalStatus}{(followUp.DiseaseStatus is null ? "" : $", {followUp.DiseaseStatus}")}"),
            _ => (Lanes.Other, entry.Type),
        };
        return new TimelineItem("entry", lane, label, entry.Date, entry.EndedOn, entry.EntryId, entry.Type);
    }

    /// <summary>"crizotinib reduced to 200 mg: neutropenia": the drug, the direction, the new dose if given, the reason.</summary>
    private static string DoseChangeLabel(DoseAdjusted adjusted)
    {
        var dose = adjusted.Dose is { } amount ? $" to {amount} {adjusted.Unit}".TrimEnd()
            : adjusted.DailyDoseMg is { } daily ? $" to {daily} mg/day"
            : "";
        return $"{adjusted.Drug} {adjusted.Direction}{dose}{(adjusted.Reason is null ? "" : $": {adjusted.Reason}")}";
    }
}
