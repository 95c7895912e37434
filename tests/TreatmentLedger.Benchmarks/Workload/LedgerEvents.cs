using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>Seeding straight into the store (setup, not measured): the events the ledger itself would append for a new case.</summary>
public static class LedgerEvents
{
    public static object[] ForNewCase(Guid caseId, IReadOnlyList<Entry> entries)
    {
        var (plan, refusal) = RecordingPlan.Decide(CaseContext.NewCase, entries, DateTimeOffset.UtcNow, Guid.NewGuid);
        if (refusal is not null) throw new InvalidOperationException($"a generated case is refused: {refusal.Detail}");
        return plan.Where(p => p.IsNew).Select(p => (object)StoredEvents.For(caseId, p)).ToArray();
    }
}
