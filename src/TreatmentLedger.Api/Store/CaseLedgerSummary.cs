using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Api.Store;

public static class CaseLedgerSummary
{
    /// <summary>The document for a case's recorded entries, with the summary columns <c>GET /cases</c> reads.</summary>
    public static CaseLedger Build(Guid id, List<RecordedEntry> entries)
    {
        var history = new CaseHistory(entries);
        var facts = CaseFacts.Of(history.Effective);
        return new CaseLedger
        {
            Id = id,
            Version = history.Version,
            Entries = entries,
            PatientRef = facts.PatientRef,
            Status = facts.Status,
            CurrentLineNumber = facts.CurrentLine?.Number,
            CurrentRegimen = facts.CurrentLine?.Regimen.Trim(),
            CurrentLineActive = facts.CurrentLine?.Active ?? false,
            LineCount = facts.LineCount,
            LastProgressionOn = facts.LastProgressionOn?.ToString(),
            UpdatedAt = entries.Max(e => e.RecordedAt),
        };
    }
}
