using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Api.Cohorts;

/// <summary>
/// One line of one case as the regimen outcomes read it (<see cref="LineFact"/>), kept per hospital by the async
/// <see cref="Dashboards.CaseFactsProjection"/>. The survival route selects the time-to-event columns alone.
/// </summary>
public sealed class LineFactRow
{
    /// <summary>The case and the line's number: <c>{caseId}/{lineNumber}</c>.</summary>
    public string Id { get; set; } = "";
    public Guid CaseId { get; set; }
    public int LineNumber { get; set; }
    public string Regimen { get; set; } = "";
    public string RegimenKey { get; set; } = "";
    public ClinicalDate StartedOn { get; set; }
    public bool Active { get; set; }
    public string? StopReason { get; set; }
    public int PfsDays { get; set; }
    public bool PfsEvent { get; set; }
    public int TtdDays { get; set; }
    public bool TtdEvent { get; set; }
    public string? BestResponse { get; set; }
    public List<string> Grade3PlusAdverseEvents { get; set; } = [];

    public static string IdOf(Guid caseId, int lineNumber) => $"{caseId}/{lineNumber}";

    public static LineFactRow Of(Guid caseId, LineFact fact) => new()
    {
        Id = IdOf(caseId, fact.LineNumber),
        CaseId = caseId,
        LineNumber = fact.LineNumber,
        Regimen = fact.Regimen,
        RegimenKey = fact.RegimenKey,
        StartedOn = fact.StartedOn,
        Active = fact.Active,
        StopReason = fact.StopReason,
        PfsDays = fact.Pfs.Days,
        PfsEvent = fact.Pfs.Event,
        TtdDays = fact.Ttd.Days,
        TtdEvent = fact.Ttd.Event,
        BestResponse = fact.BestResponse,
        Grade3PlusAdverseEvents = fact.Grade3PlusAdverseEvents.ToList(),
    };

    public LineFact ToFact() => new(LineNumber, Regimen, RegimenKey, StartedOn, Active, StopReason, new TimeToEvent(PfsDays, PfsEvent),
        new TimeToEvent(TtdDays, TtdEvent), BestResponse, Grade3PlusAdverseEvents);
}
