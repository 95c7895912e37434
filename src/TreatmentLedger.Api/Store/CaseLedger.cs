using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// The current state of one case, kept by the inline <see cref="CaseLedgerProjection"/> in the same transaction as
/// every append: all recorded entries with their metadata but the global sequence (what the write rules and current
/// reads fold; replays and the audit log read the stream), and
/// the summary facts that <c>GET /cases/{id}</c> shows and <c>GET /cases</c> filters and pages on.
/// </summary>
public sealed class CaseLedger
{
    public Guid Id { get; set; }
    public List<RecordedEntry> Entries { get; set; } = [];
    public CaseFacts Summary { get; set; } = null!;
    public DateTimeOffset UpdatedAt { get; set; }

    public CaseHistory History() => new(Entries);

    /// <summary>The document for a case's recorded entries. Pure: no clock.</summary>
    public static CaseLedger Build(Guid id, List<RecordedEntry> entries)
    {
        var history = new CaseHistory(entries);
        return new CaseLedger
        {
            Id = id,
            Entries = entries,
            Summary = CaseFacts.Of(history, asOf: null),
            UpdatedAt = entries.Max(e => e.RecordedAt),
        };
    }
}
