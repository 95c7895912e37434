using TreatmentLedger.ClinicalDates;

namespace TreatmentLedger.Cohorts;

/// <summary>
/// What the regimen read models keep of one line of a case, as known now (every entry, corrections applied, retractions
/// ignored). Nothing in it depends on the day it is computed: open intervals end at the case's last contact.
/// </summary>
public sealed record LineFact(
    int LineNumber,
    string Regimen,
    string RegimenKey,
    ClinicalDate StartedOn,
    bool Active,
    string? StopReason,
    TimeToEvent Pfs,
    TimeToEvent Ttd,
    string? BestResponse,
    IReadOnlyList<string> Grade3PlusAdverseEvents);
