using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Tests.Cohorts;

/// <summary>Line facts written directly, for the cohort read models.</summary>
public static class Facts
{
    public static LineFact Line(string regimen, TimeToEvent pfs, TimeToEvent ttd, string? stopReason = null, string? bestResponse = null,
        IReadOnlyList<string>? severe = null, int lineNumber = 1) =>
        new(lineNumber, regimen, RegimenKey.Of(regimen), ClinicalDate.Parse("2020-01-01"), stopReason is null, stopReason, pfs, ttd,
            bestResponse, severe ?? []);

    /// <summary>A line whose two endpoints are the same time.</summary>
    public static LineFact Both(string regimen, TimeToEvent both, string? stopReason = null) => Line(regimen, both, both, stopReason);
}
