using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Cohorts;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Api.CaseBoard;

/// <summary>An alert of the case board: the cumulative-dose alerts of DOMAIN.md, kind and level only.</summary>
public sealed record BoardAlert(string Kind, string Level);

/// <summary>
/// One row of the case board (<c>GET /cases</c>, DASHBOARDS.md), kept per hospital by the async
/// <see cref="Dashboards.CaseFactsProjection"/>. Everything here is as known now and depends on the case's entries only.
/// </summary>
public sealed class CaseBoardRow
{
    /// <summary>The case id.</summary>
    public Guid Id { get; set; }
    public string PatientRef { get; set; } = "";
    public string Status { get; set; } = "";
    public DiagnosisView? Diagnosis { get; set; }
    public int? CurrentLineNumber { get; set; }
    public string? CurrentRegimen { get; set; }

    /// <summary>The current regimen's key (<see cref="RegimenKey"/>), which the regimen filter matches.</summary>
    public string? CurrentRegimenKey { get; set; }
    public ClinicalDate? CurrentLineStartedOn { get; set; }
    public bool CurrentLineActive { get; set; }
    public int LineCount { get; set; }
    public ClinicalDate? LastProgressionOn { get; set; }
    public ClinicalDate? DiedOn { get; set; }
    public List<BoardAlert> Alerts { get; set; } = [];

    /// <summary>The alert kinds, for the alert filter.</summary>
    public List<string> AlertKinds { get; set; } = [];
    public DateTimeOffset LastRecordedAt { get; set; }
    public long Version { get; set; }

    /// <summary>The estimated fields the row's facts rest on (as <c>GET /cases/{id}</c> lists them).</summary>
    public List<EstimateUsed> EstimatesUsed { get; set; } = [];

    /// <summary>
    /// The course a case's row is computed from (its whole history, as known now), also what its line facts read. The
    /// anthracycline alerts add up administered doses and read no clock; the view point's "today" only bounds oral
    /// exposure, which no alert reads, and an active line's duration, which no line fact reads. It is taken from the data
    /// so that the row is a function of the entries alone.
    /// </summary>
    public static Course CourseOf(CaseHistory history) =>
        new(history, new ViewPoint(null, DateOnly.FromDateTime(history.Recorded.Max(r => r.RecordedAt).UtcDateTime)));

    /// <summary>The row of a case from its whole history and its <see cref="CourseOf"/>.</summary>
    public static CaseBoardRow Of(Guid caseId, CaseHistory history, Course course)
    {
        var facts = CaseFacts.Of(history, asOf: null);
        var lastRecordedAt = history.Recorded.Max(r => r.RecordedAt);
        var alerts = Projections.CumulativeDose.Of(course, Projections.CumulativeDose.DefaultAlphaBeta).Alerts
            .Select(a => new BoardAlert(a.Kind, a.Level)).ToList();
        return new CaseBoardRow
        {
            Id = caseId,
            PatientRef = facts.PatientRef,
            Status = facts.Status,
            Diagnosis = facts.Diagnosis,
            CurrentLineNumber = facts.CurrentLine?.Number,
            CurrentRegimen = facts.CurrentLine?.Regimen,
            CurrentRegimenKey = facts.CurrentLine is { } line ? RegimenKey.Of(line.Regimen) : null,
            CurrentLineStartedOn = facts.CurrentLine?.StartedOn,
            CurrentLineActive = facts.CurrentLine?.Active ?? false,
            LineCount = facts.LineCount,
            LastProgressionOn = facts.LastProgressionOn,
            DiedOn = facts.DiedOn,
            Alerts = alerts,
            AlertKinds = alerts.Select(a => a.Kind).Distinct().ToList(),
            LastRecordedAt = lastRecordedAt,
            Version = history.Version,
            EstimatesUsed = facts.EstimatesUsed?.ToList() ?? [],
        };
    }
}
