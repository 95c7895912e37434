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

    public IReadOnlyList<EffectiveEntry> Select(CaseHistory history) => Until(history, AsOf);

    /// <summary>From a start to its end, or, while open, censored at asOf or today.</summary>
    public Duration DurationOf(ClinicalDate start, ClinicalDate? end) =>
        end is { } ended ? Duration.Between(start, ended) : Duration.Between(start, CensorDate, censored: true);

    /// <summary>The effective entries anchored on or before <paramref name="asOf"/> (all of them without it), in clinical order.</summary>
    public static IReadOnlyList<EffectiveEntry> Until(CaseHistory history, DateOnly? asOf) =>
        asOf is { } day ? history.Effective.Where(e => e.Date.Anchor <= day).ToList() : history.Effective;
}
