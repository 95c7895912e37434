namespace TreatmentLedger.Api.Tests.Support;

/// <summary>The read routes of one case, as suffixes of <c>/cases/{caseId}</c>: what a token, a role or a hospital opens or closes.</summary>
public static class CaseRoutes
{
    public static readonly string[] Views =
        ["", "/lines", "/progression-free-intervals", "/cumulative-dose", "/outcomes", "/timeline", "/timeline.svg", "/entries", "/export", "/fhir"];
}
