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
/// ("line", with <see cref="Line"/> set and <see cref="End"/> its stop or censor date).
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
    bool? Active = null);

public sealed record TimelineView(ClinicalDate? From, ClinicalDate To, IReadOnlyList<TimelineItem> Items);

/// <summary>The case in clinical order, lane by lane, like Figure 1D of the founding report.</summary>
public static class Timeline
{
    public static TimelineView Of(CaseHistory history, ViewPoint point)
    {
        var entries = point.Select(history);
        var items = entries.Select(e => Item(e.Entry)).ToList();
        var bars = LineFold.Fold(entries).Select(line => new TimelineItem(
            "line", Lanes.Systemic, $"L{line.Number} {line.Regimen}", line.StartedOn, line.StoppedOn ?? point.CensorDate,
            line.EntryId, EntryTypes.SystemicTherapyStarted, line.Number, line.Active));
        // Bars go just before the entry that starts them, so a stable sort by start keeps clinical order.
        var ordered = items.Concat(bars)
            .Select((item, index) => (item, index, bar: item.Kind == "line" ? 0 : 1))
            .OrderBy(x => x.item.Start.Anchor)
            .ThenBy(x => x.bar)
            .ThenBy(x => x.index)
            .Select(x => x.item)
            .ToList();
        return new TimelineView(entries.FirstOrDefault()?.Date, point.CensorDate, ordered);
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
            SurgeryPerformed surgery => (Lanes.Surgery, $"{surgery.Procedure} ({surgery.Margin})"),
            EmbolizationPerformed embolization => (Lanes.Surgery, $"embolization {embolization.Site}"),
            RadiotherapyDelivered rt => (Lanes.Radiotherapy, $"{rt.Technique} {rt.TotalDoseGy} Gy/{rt.Fractions} {rt.Site}"),
            SystemicTherapyStarted started => (Lanes.Systemic, $"start {started.Regimen}"),
            SystemicTherapyStopped stopped => (Lanes.Systemic, $"stop ({stopped.Reason})"),
            CycleAdministered cycle => (Lanes.Systemic, $"cycle {cycle.Cycle}"),
            DoseAdjusted adjusted => (Lanes.Systemic, $"{adjusted.Drug} {adjusted.Direction}"),
            AdverseEventObserved ae => (Lanes.Toxicity, $"{ae.Term} grade {ae.Grade}"),
            ComplicationOccurred complication => (Lanes.Toxicity, complication.Description),
            ResponseAssessed response => (Lanes.Response, response.Response),
            ProgressionObserved progression => (Lanes.Progression,
                $"{progression.Scope} progression{(progression.Sites is { Count: > 0 } sites ? $": {string.Join(", ", sites)}" : "")}"),
            TreatmentDecisionRecorded decision => (Lanes.Other, $"{decision.Treatment}: {decision.Decision}"),
            PatientDied died => (Lanes.Other, $"died{(died.Cause is null ? "" : $": {died.Cause}")}"),
            _ => (Lanes.Other, entry.Type),
        };
        return new TimelineItem("entry", lane, label, entry.Date, entry.EndedOn, entry.EntryId, entry.Type);
    }
}
