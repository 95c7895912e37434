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

/// <summary>The current line as the case state keeps it: facts only, no duration (that needs a censor date).</summary>
public sealed record CurrentLineFacts(int Number, string Regimen, string TherapyClass, ClinicalDate StartedOn, ClinicalDate? StoppedOn,
    string? StopReason, bool Active);

/// <summary>The current line: the active one, else the last one with active false.</summary>
public sealed record CurrentLine(int Number, string Regimen, string TherapyClass, ClinicalDate StartedOn, ClinicalDate? StoppedOn,
    string? StopReason, bool Active, Duration Duration);

/// <summary>
/// What <c>GET /cases/{id}</c> shows, but for the current line's duration: nothing here depends on the clock, so the
/// case state stores it with every append and a current read needs neither the entries nor a fold.
/// </summary>
public sealed record CaseFacts(
    string PatientRef,
    string Sex,
    int? BirthYear,
    string Status,
    DiagnosisView? Diagnosis,
    CurrentLineFacts? CurrentLine,
    int LineCount,
    ClinicalDate? LastProgressionOn,
    ClinicalDate? DiedOn,
    long Version,
    IReadOnlyList<EstimateUsed>? EstimatesUsed)
{
    /// <summary>
    /// The facts as of a clinical date (all entries without one). Who the case is about is no clinical event: seen from
    /// before its case-opened date, the case still names its patient (as its export and audit log do).
    /// </summary>
    public static CaseFacts Of(CaseHistory history, DateOnly? asOf) => Of(ViewPoint.Until(history, asOf), history.Version, history.Opening);

    /// <summary>
    /// The facts of effective entries in clinical order, at a case version. They read only the entries that shape the
    /// course (<see cref="Recording.CaseState.Shapes"/>), so a case's outline gives the same facts as all its entries.
    /// The patient is named by the entries' case-opened, else by <paramref name="caseOpening"/> (the case's own).
    /// </summary>
    public static CaseFacts Of(IReadOnlyList<EffectiveEntry> entries, long version, CaseOpened? caseOpening = null)
    {
        var lines = LineFold.Fold(entries);
        var line = lines.LastOrDefault(l => l.Active) ?? lines.LastOrDefault();
        var died = entries.FirstOrDefault(e => e.Entry is PatientDied);
        var opening = entries.Select(e => e.Entry).OfType<CaseOpened>().FirstOrDefault() ?? caseOpening;
        var lastProgression = LastProgression(entries, lines);
        var diagnosis = Projections.Diagnosis.Of(entries);
        return new CaseFacts(
            opening?.PatientRef ?? "",
            opening?.Sex ?? "unknown",
            opening?.BirthYear,
            died is not null ? CaseStatus.Deceased : line is { Active: true } ? CaseStatus.OnTreatment : CaseStatus.OffTreatment,
            diagnosis,
            line is null ? null : new CurrentLineFacts(line.Number, line.Regimen, line.TherapyClass, line.StartedOn, line.StoppedOn, line.StopReason, line.Active),
            lines.Count,
            lastProgression?.On,
            died?.Date,
            version,
            Estimates(entries, opening, line, lastProgression, died));
    }

    /// <summary>
    /// The last progression in clinical order, as the progression-free intervals count them (DOMAIN.md): a
    /// progression-observed, or a line stopped for progression or ineffectiveness with none recorded inside it, a
    /// treatment failure on its stop's date (an observed one wins a shared anchor).
    /// </summary>
    private static (ClinicalDate On, ClinicalEntry Entry, bool Inferred)? LastProgression(IReadOnlyList<EffectiveEntry> entries,
        IReadOnlyList<LineState> lines)
    {
        var observed = entries.LastOrDefault(e => e.Entry is ProgressionObserved);
        var inferred = Lines.FailedWithoutProgression(lines).MaxBy(l => l.StoppedOn!.Value.Anchor);
        if (inferred is not null && (observed is null || inferred.StoppedOn!.Value.Anchor > observed.Date.Anchor))
            return (inferred.StoppedOn!.Value, inferred.StoppedBy!, true);
        return observed is null ? null : (observed.Date, observed.Entry, false);
    }

    /// <summary>The estimated fields the summary shows: who, the diagnosis, the current line, the last progression, the death.</summary>
    private static IReadOnlyList<EstimateUsed> Estimates(IReadOnlyList<EffectiveEntry> entries, CaseOpened? opening, LineState? line,
        (ClinicalDate On, ClinicalEntry Entry, bool Inferred)? lastProgression, EffectiveEntry? died)
    {
        var used = new EstimatesUsed();
        if (opening is not null) used.Use(opening, "patientRef", "sex", "birthYear");
        if (Projections.Diagnosis.EntryOf(entries) is { } diagnosis) used.Use(diagnosis.Entry, "occurredOn");
        if (Projections.Diagnosis.TextEntryOf(entries) is { } text) used.Use(text.Entry, "diagnosis");
        if (line is not null)
        {
            used.Use(line.StartedBy, "occurredOn", "regimen", "therapyClass");
            if (line.StoppedBy is { } stop) used.Use(stop, "occurredOn", "reason");
        }
        if (lastProgression is { Inferred: false } observed) used.Use(observed.Entry, "occurredOn");
        if (lastProgression is { Inferred: true } inferred) used.Use(inferred.Entry, "occurredOn", "reason");
        if (died is not null) used.Use(died.Entry, "occurredOn");
        return used.List();
    }

    /// <summary>The summary seen from a view point: an open current line is censored at asOf or today.</summary>
    public CaseSummaryView View(Guid caseId, ViewPoint point) => new(
        caseId, PatientRef, Sex, BirthYear, Status, Diagnosis,
        CurrentLine is not { } line
            ? null
            : new CurrentLine(line.Number, line.Regimen, line.TherapyClass, line.StartedOn, line.StoppedOn, line.StopReason, line.Active,
                point.DurationOf(line.StartedOn, line.StoppedOn)),
        LineCount, LastProgressionOn, DiedOn, Version, EstimatesUsed ?? []);
}

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
    long Version,
    IReadOnlyList<EstimateUsed> EstimatesUsed);
