using System.Text.Json;
using System.Text.Json.Nodes;
using TreatmentLedger.Cohorts;
using static TreatmentLedger.Tests.Cohorts.Facts;

namespace TreatmentLedger.Tests.Cohorts;

public sealed class SurvivalComparisonTests
{
    /// <summary>The 6-MP trial as two regimens: pfs the trial's times, ttd every line stopped a week later.</summary>
    private static IReadOnlyList<LineFact> Trial() =>
    [
        .. LeukaemiaTrial.SixMp.Select(t => Line("Mercaptopurine", t, new TimeToEvent(t.Days + 1, true))),
        .. LeukaemiaTrial.Placebo.Select(t => Line("placebo", t, new TimeToEvent(t.Days + 1, true))),
        Both("other", new TimeToEvent(3, true)),
    ];

    [Fact]
    public void Groups_come_in_request_order_matched_by_regimen_key_with_the_log_rank_test()
    {
        var comparison = SurvivalComparison.Of("pfs", ["  PLACEBO", "mercaptopurine"], Trial());

        Assert.Equal("pfs", comparison.Endpoint);
        Assert.Equal(["placebo", "mercaptopurine"], comparison.Groups.Select(g => g.Regimen));
        var placebo = comparison.Groups[0];
        Assert.Equal((21, 21, 0), (placebo.N, placebo.Events, placebo.Censored));
        Assert.Equal(new MedianSurvival(8, 4, 12), placebo.Median);
        var sixMp = comparison.Groups[1];
        var fit = KaplanMeier.Fit(LeukaemiaTrial.SixMp);
        Assert.Equal((fit.N, fit.Events, fit.Censored, fit.Median), (sixMp.N, sixMp.Events, sixMp.Censored, sixMp.Median));
        Assert.Equal(fit.Curve, sixMp.Curve);
        Assert.Equal(fit.AtRisk, sixMp.AtRisk);
        Assert.Equal(16.7929, comparison.LogRank!.ChiSquare, 0.0001);
        Assert.Equal(1, comparison.LogRank.Df);
    }

    [Fact]
    public void The_ttd_endpoint_uses_the_time_to_discontinuation()
    {
        var comparison = SurvivalComparison.Of("ttd", ["mercaptopurine"], Trial());

        var group = Assert.Single(comparison.Groups);
        Assert.Equal((21, 21, 0), (group.N, group.Events, group.Censored));
        Assert.Equal(7, group.Curve[0].Days);
        Assert.Null(comparison.LogRank);
    }

    [Fact]
    public void An_unknown_regimen_is_an_empty_group_and_leaves_no_test()
    {
        var comparison = SurvivalComparison.Of("pfs", ["placebo", "no such regimen"], Trial());

        var unknown = comparison.Groups[1];
        Assert.Equal(("no such regimen", 0, 0, 0), (unknown.Regimen, unknown.N, unknown.Events, unknown.Censored));
        Assert.Empty(unknown.Curve);
        Assert.Equal(new MedianSurvival(null, null, null), unknown.Median);
        Assert.Null(comparison.LogRank);
    }

    [Fact]
    public void A_regimen_asked_for_twice_is_one_group()
    {
        var comparison = SurvivalComparison.Of("pfs", ["placebo", "Placebo ", "other"], Trial());

        Assert.Equal(["placebo", "other"], comparison.Groups.Select(g => g.Regimen));
        Assert.Equal(1, comparison.LogRank!.Df);
    }

    [Fact]
    public void The_endpoints_are_pfs_and_ttd_and_any_other_is_refused()
    {
        Assert.Equal(["pfs", "ttd"], SurvivalComparison.Endpoints);
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => SurvivalComparison.Of("os", ["placebo"], Trial()));
        Assert.Equal(("endpoint", "os"), (refused.ParamName, refused.ActualValue));
        Assert.Contains("one of pfs, ttd", refused.Message);
    }

    [Fact]
    public void It_serializes_with_the_names_of_DASHBOARDS_md()
    {
        var comparison = SurvivalComparison.Of("pfs", ["placebo", "mercaptopurine"], Trial());

        var json = JsonNode.Parse(JsonSerializer.Serialize(comparison, new JsonSerializerOptions(JsonSerializerDefaults.Web)))!.AsObject();

        Assert.Equal(["endpoint", "groups", "logRank"], json.Select(p => p.Key));
        var group = json["groups"]![0]!.AsObject();
        Assert.Equal(["regimen", "n", "events", "censored", "median", "atRisk", "curve"], group.Select(p => p.Key));
        Assert.Equal(["days", "lowerDays", "upperDays"], group["median"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["month", "n"], group["atRisk"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal(["days", "survival", "lower", "upper", "atRisk", "events", "censored"], group["curve"]![0]!.AsObject().Select(p => p.Key));
        Assert.Null(group["curve"]!.AsArray().Last()!["lower"]);
        Assert.Equal(["chiSquare", "df", "p"], json["logRank"]!.AsObject().Select(p => p.Key));
    }
}
