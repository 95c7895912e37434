namespace TreatmentLedger.Api.Security;

/// <summary>The roles a token's <c>role</c> claim names, and the access policies of SECURITY.md built on them.</summary>
public static class Roles
{
    public const string Clinician = "clinician";
    public const string Auditor = "auditor";
    public const string Analyst = "analyst";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Clinician, Auditor, Analyst, Admin];
}

/// <summary>Who may call which route (the table of SECURITY.md); the endpoints name one with <c>[Authorize(Policy = ...)]</c>.</summary>
public static class Policies
{
    /// <summary>The write routes (<c>POST /cases...</c>).</summary>
    public const string Record = "record";

    /// <summary>One case's data: its views, audit log and export, and the case board.</summary>
    public const string ReadCases = "read-cases";

    /// <summary>The access log.</summary>
    public const string ReadAccessLog = "read-access-log";

    /// <summary>Cohort statistics (regimen outcomes, survival): no patientRef, no notes.</summary>
    public const string ReadCohorts = "read-cohorts";

    /// <summary>The async projections' status and their rebuild.</summary>
    public const string ManageProjections = "manage-projections";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [Record] = [Roles.Clinician],
        [ReadCases] = [Roles.Clinician, Roles.Auditor],
        [ReadAccessLog] = [Roles.Auditor, Roles.Admin],
        [ReadCohorts] = [Roles.Clinician, Roles.Auditor, Roles.Analyst, Roles.Admin],
        [ManageProjections] = [Roles.Admin],
    };
}
