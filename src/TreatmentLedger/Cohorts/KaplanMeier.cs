using TreatmentLedger.ClinicalDates;

namespace TreatmentLedger.Cohorts;

/// <summary>
/// The Kaplan–Meier estimate as R's <c>survfit(Surv(days, event) ~ 1)</c> computes it, with its default 95 % band on the
/// log scale (<c>conf.type = "log"</c>) from Greenwood's variance (DASHBOARDS.md).
/// </summary>
public static class KaplanMeier
{
    /// <summary>
    /// DASHBOARDS.md writes 1.96; R uses qnorm(0.975) = 1.959964. The bands differ past the fourth decimal, never in
    /// R's printed three.
    /// </summary>
    public const double Z = 1.96;

    /// <summary>The months at which the lines at risk are counted.</summary>
    public static readonly IReadOnlyList<int> AtRiskMonths = [0, 6, 12, 24, 36, 60];

    /// <summary>
    /// How far above 0.5 a survival or a band still counts as reaching it: R's tolerance in quantile.survfit,
    /// sqrt(machine epsilon). Products such as 23/24 × 22/23 × … × 12/13 are 1/2 exactly but 0.5000000000000001 in
    /// floating point.
    /// </summary>
    private const double Tolerance = 1.4901161193847656e-8;

    /// <summary>
    /// One point per distinct time, ascending. At a time with events S(t) = S(t-) × (1 - d/n), n being the lines whose
    /// time is at least t (censorings at t count as at risk at t); at a censoring-only time the survival and the band
    /// carry on from the previous point.
    /// </summary>
    public static KaplanMeierFit Fit(IReadOnlyList<TimeToEvent> times)
    {
        var curve = new List<SurvivalPoint>();
        var atRisk = times.Count;
        var survival = 1.0;
        var greenwood = 0.0;
        double? lower = 1.0, upper = 1.0;
        foreach (var time in times.GroupBy(t => t.Days).OrderBy(g => g.Key))
        {
            var events = time.Count(t => t.Event);
            var censored = time.Count() - events;
            if (events > 0)
            {
                survival *= 1 - (double)events / atRisk;
                greenwood += events / ((double)atRisk * (atRisk - events));
                (lower, upper) = Band(survival, greenwood);
            }
            curve.Add(new SurvivalPoint(time.Key, survival, lower, upper, atRisk, events, censored));
            atRisk -= events + censored;
        }
        return new KaplanMeierFit(times.Count, curve.Sum(p => p.Events), curve.Sum(p => p.Censored), MedianOf(curve),
            AtRiskMonths.Select(month => new AtRiskCount(month, times.Count(t => t.Days >= month * Duration.DaysPerMonth))).ToList(),
            curve);
    }

    /// <summary>S × exp(±z × sqrt(Σ d / (n (n - d)))), the upper end capped at 1; none where S is 0 (R: NA).</summary>
    private static (double? Lower, double? Upper) Band(double survival, double greenwood)
    {
        if (survival == 0) return (null, null);
        var spread = Z * Math.Sqrt(greenwood);
        return (survival * Math.Exp(-spread), Math.Min(1, survival * Math.Exp(spread)));
    }

    /// <summary>
    /// The smallest time where the survival, the lower band and the upper band reach 0.5. DASHBOARDS.md's rule: R takes
    /// the middle of a plateau lying exactly at 0.5 instead, which would not be a day.
    /// </summary>
    private static MedianSurvival MedianOf(IReadOnlyList<SurvivalPoint> curve) =>
        new(FirstAtHalf(curve, p => p.Survival), FirstAtHalf(curve, p => p.Lower), FirstAtHalf(curve, p => p.Upper));

    private static int? FirstAtHalf(IReadOnlyList<SurvivalPoint> curve, Func<SurvivalPoint, double?> value) =>
        curve.FirstOrDefault(p => value(p) <= 0.5 + Tolerance)?.Days;
}
