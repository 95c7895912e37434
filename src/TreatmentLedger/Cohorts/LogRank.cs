using MathNet.Numerics;

namespace TreatmentLedger.Cohorts;

/// <summary>The log-rank chi-square, its degrees of freedom (groups - 1) and its upper-tail p-value.</summary>
public sealed record LogRankResult(double ChiSquare, int Df, double P);

/// <summary>
/// The log-rank test of k groups, as R's <c>survdiff(rho = 0)</c>: at each event time, a group expects its share of
/// the events by its lines at risk, with the hypergeometric covariance; chi-square = (O - E)' V⁻¹ (O - E) over all groups
/// but one (which one does not change it).
/// </summary>
/// <remarks>
/// Where R differs: it drops the groups whose expected count is 0 (never at risk at an event time) and lowers the degrees
/// of freedom, and its <c>solve</c> stops with an error on a singular variance. Here df is always k - 1 and a singular
/// variance (no event at all, or a group never at risk at an event time) gives no test.
/// </remarks>
public static class LogRank
{
    /// <summary>
    /// Null with fewer than two groups, when a group has no line (DASHBOARDS.md compares groups only when each has
    /// one) or when the variance is singular.
    /// </summary>
    public static LogRankResult? Test(IReadOnlyList<IReadOnlyList<TimeToEvent>> groups)
    {
        var k = groups.Count;
        if (k < 2 || groups.Any(g => g.Count == 0)) return null;
        var (observedMinusExpected, variance) = Sums(groups);
        var chiSquare = SymmetricSolve.QuadraticForm(variance, observedMinusExpected, k - 1);
        return chiSquare is null
            ? null
            : new LogRankResult(chiSquare.Value, k - 1, SpecialFunctions.GammaUpperRegularized((k - 1) / 2.0, chiSquare.Value / 2.0));
    }

    /// <summary>
    /// O - E per group and the covariance V, summed over the distinct event times t with n lines at risk in all, d
    /// events in all and n_j at risk in group j: E_j += d n_j / n; V_jj += d n_j (n - d) / (n (n - 1)) and
    /// V_jl -= that × n_l / n for every l. A time with one line at risk adds no variance.
    /// </summary>
    private static (double[] ObservedMinusExpected, double[,] Variance) Sums(IReadOnlyList<IReadOnlyList<TimeToEvent>> groups)
    {
        var k = groups.Count;
        var oMinusE = new double[k];
        var variance = new double[k, k];
        var atRisk = new int[k];
        var byTime = new List<(int Days, bool Event, int Group)>();
        for (var group = 0; group < k; group++)
        {
            atRisk[group] = groups[group].Count;
            foreach (var time in groups[group]) byTime.Add((time.Days, time.Event, group));
        }
        foreach (var time in byTime.GroupBy(t => t.Days).OrderBy(t => t.Key))
        {
            var n = (double)atRisk.Sum();
            var d = (double)time.Count(t => t.Event);
            if (d > 0)
            {
                for (var j = 0; j < k; j++)
                {
                    oMinusE[j] -= d * atRisk[j] / n;
                    if (n == 1) continue;
                    var term = d * atRisk[j] * (n - d) / (n * (n - 1));
                    variance[j, j] += term;
                    for (var l = 0; l < k; l++) variance[j, l] -= term * atRisk[l] / n;
                }
            }
            foreach (var (_, isEvent, group) in time)
            {
                if (isEvent) oMinusE[group]++;
                atRisk[group]--;
            }
        }
        return (oMinusE, variance);
    }
}
