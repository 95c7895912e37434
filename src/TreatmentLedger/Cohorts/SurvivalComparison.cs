namespace TreatmentLedger.Cohorts;

/// <summary>One regimen's curve in <c>GET /cohorts/survival</c>: its Kaplan–Meier fit, under its regimen key.</summary>
public sealed record SurvivalGroup(
    string Regimen,
    int N,
    int Events,
    int Censored,
    MedianSurvival Median,
    IReadOnlyList<AtRiskCount> AtRisk,
    IReadOnlyList<SurvivalPoint> Curve);

/// <summary>
/// <c>GET /cohorts/survival</c>: the curves of the requested regimens for one endpoint, in request order, and their
/// log-rank test (null unless every group has a line).
/// </summary>
public sealed record SurvivalComparison(string Endpoint, IReadOnlyList<SurvivalGroup> Groups, LogRankResult? LogRank)
{
    public const string Pfs = "pfs";
    public const string Ttd = "ttd";

    public static readonly IReadOnlyList<string> Endpoints = [Pfs, Ttd];

    /// <summary>
    /// Requested regimens are matched by regimen key; one asked for twice is one group (a group compared with itself
    /// would count its lines twice in the test). An unknown regimen is a group with n 0, which leaves no test.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The endpoint is neither pfs nor ttd.</exception>
    public static SurvivalComparison Of(string endpoint, IReadOnlyList<string> regimens, IEnumerable<LineFact> facts)
    {
        Func<LineFact, TimeToEvent> time = endpoint switch
        {
            Pfs => f => f.Pfs,
            Ttd => f => f.Ttd,
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, $"the endpoint is one of {string.Join(", ", Endpoints)}"),
        };
        return Of(endpoint, regimens, facts.ToLookup(f => f.RegimenKey, time));
    }

    /// <summary>The same from the lines' times to the endpoint already chosen, by regimen key (what a read model selects).</summary>
    public static SurvivalComparison Of(string endpoint, IReadOnlyList<string> regimens, ILookup<string, TimeToEvent> timesByRegimenKey)
    {
        var groups = regimens
            .Select(RegimenKey.Of)
            .Distinct()
            .Select(key => (Key: key, Times: (IReadOnlyList<TimeToEvent>)timesByRegimenKey[key].ToList()))
            .ToList();
        return new SurvivalComparison(endpoint,
            groups.Select(g => Group(g.Key, KaplanMeier.Fit(g.Times))).ToList(),
            Cohorts.LogRank.Test(groups.Select(g => g.Times).ToList()));
    }

    private static SurvivalGroup Group(string regimen, KaplanMeierFit fit) =>
        new(regimen, fit.N, fit.Events, fit.Censored, fit.Median, fit.AtRisk, fit.Curve);
}
