using TreatmentLedger.History;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// The current state of one case, kept by the inline <see cref="CaseLedgerProjection"/> in the same transaction as
/// every append: all recorded entries with their metadata (so the default read is one document load), and the
/// summary columns that <c>GET /cases</c> filters and pages on.
/// </summary>
public sealed class CaseLedger
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public List<RecordedEntry> Entries { get; set; } = [];

    public string PatientRef { get; set; } = "";
    public string Status { get; set; } = "";
    public int? CurrentLineNumber { get; set; }
    public string? CurrentRegimen { get; set; }
    public bool CurrentLineActive { get; set; }
    public int LineCount { get; set; }
    public string? LastProgressionOn { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public CaseHistory History() => new(Entries);
}
