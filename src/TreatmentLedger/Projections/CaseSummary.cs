using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

public static class CaseStatus
{
    public const string OnTreatment = "on-treatment";
    public const string OffTreatment = "off-treatment";
    public const string Deceased = "deceased";
}

/// <summary>The current line: the active one, else the last one with active false.</summary>
public sealed record CurrentLine(int Number, string Regimen, string TherapyClass, ClinicalDate StartedOn, ClinicalDate? StoppedOn,
    string? StopReason, bool Active, Duration Duration);

/// <summary><c>GET /cases/{id}</c> (API.md).</summary>
public sealed record CaseSummaryView(
    Guid CaseId,
    string PatientRef,
    string Sex,
    int? BirthYear,
    string Status,
    DiagnosisView? Diagnosis,
    CurrentLine? CurrentLine,
    int LineCount,
    ClinicalDate? LastProgressionOn,
    ClinicalDate? DiedOn,
    long Version);

/// <summary>The facts behind a case's status, none of which depends on the clock (the case document stores them).</summary>
public sealed record CaseFacts(string PatientRef, string Status, LineState? CurrentLine, int LineCount, ClinicalDate? LastProgressionOn, ClinicalDate? DiedOn)
{
    public static CaseFacts Of(IReadOnlyList<EffectiveEntry> entries)
    {
        var lines = LineFold.Fold(entries);
        var current = lines.LastOrDefault(l => l.Active) ?? lines.LastOrDefault();
        var died = entries.FirstOrDefault(e => e.Entry is PatientDied)?.Date;
        var status = died is not null ? CaseStatus.Deceased : current is { Active: true } ? CaseStatus.OnTreatment : CaseStatus.OffTreatment;
        return new CaseFacts(
            entries.Select(e => e.Entry).OfType<CaseOpened>().FirstOrDefault()?.PatientRef ?? "",
            status, current, lines.Count,
            entries.LastOrDefault(e => e.Entry is ProgressionObserved)?.Date,
            died);
    }
}

public static class CaseSummary
{
    public static CaseSummaryView Of(Guid caseId, CaseHistory history, ViewPoint point)
    {
        var entries = point.Select(history);
        var facts = CaseFacts.Of(entries);
        var opening = entries.Select(e => e.Entry).OfType<CaseOpened>().FirstOrDefault();
        var current = facts.CurrentLine is { } line ? Lines.View(line, point) : null;
        return new CaseSummaryView(
            caseId,
            facts.PatientRef,
            opening?.Sex ?? "unknown",
            opening?.BirthYear,
            facts.Status,
            Diagnosis.Of(entries),
            current is null ? null : new CurrentLine(current.Number, current.Regimen, current.TherapyClass, current.StartedOn,
                current.StoppedOn, current.StopReason, current.Active, current.Duration),
            facts.LineCount,
            facts.LastProgressionOn,
            facts.DiedOn,
            history.Version);
    }
}
