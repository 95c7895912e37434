namespace TreatmentLedger.Api.AccessLog;

/// <summary>
/// One request that read, or tried to read, one case's data (SECURITY.md, "Access log"): when, who (the token's
/// subject, roles and hospital; none for a request without a valid token), which case, which route, and the status
/// answered. Append-only: the ledger inserts these and never changes or deletes one (<see cref="AccessLogTable"/>).
/// </summary>
public sealed class AccessRecord
{
    public DateTimeOffset At { get; set; }
    public string? Sub { get; set; }
    public IReadOnlyList<string> Roles { get; set; } = [];
    public string? Hospital { get; set; }
    public Guid CaseId { get; set; }
    public string Route { get; set; } = "";
    public int Status { get; set; }
}
