using TreatmentLedger.ClinicalDates;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

/// <summary>
/// Where a view stands in clinical time: entries anchored on or before <see cref="AsOf"/> count, and open intervals
/// are censored at asOf, or at today when no asOf is given.
/// </summary>
public sealed record ViewPoint(DateOnly? AsOf, DateOnly Today)
{
    public ClinicalDate CensorDate => ClinicalDate.OnDay(AsOf ?? Today);

    public IReadOnlyList<EffectiveEntry> Select(CaseHistory history) =>
        AsOf is { } asOf ? history.Effective.Where(e => e.Date.Anchor <= asOf).ToList() : history.Effective;
}
