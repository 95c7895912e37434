using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Tests.Cohorts;

/// <summary>
/// Kaplan–Meier against R's <c>summary(survfit(Surv(time, cens) ~ treat))</c> on the leukaemia trial, whose survival
/// and 95 % log-scale band are printed to three decimals. Each was also worked out from the formula: e.g. for 6-MP at
/// week 7,
/// S = (1 - 3/21)(1 - 1/17) = 0.8067, Greenwood sum = 3/(21·18) + 1/(17·16) = 0.011613, sqrt = 0.10776, band
/// 0.8067 × exp(∓1.96 × 0.10776) = 0.6531 … 0.9964.
/// </summary>
public sealed class KaplanMeierTests
{
    private const double Printed = 0.0005;

    [Theory]
    [InlineData(6, 21, 3, 1, 0.857, 0.720, 1.000)]
    [InlineData(7, 17, 1, 0, 0.807, 0.653, 0.996)]
    [InlineData(10, 15, 1, 1, 0.753, 0.586, 0.968)]
    [InlineData(13, 12, 1, 0, 0.690, 0.510, 0.935)]
    [InlineData(16, 11, 1, 0, 0.627, 0.439, 0.896)]
    [InlineData(22, 7, 1, 0, 0.538, 0.337, 0.858)]
    [InlineData(23, 6, 1, 0, 0.448, 0.249, 0.807)]
    public void The_6MP_curve_is_Rs(int days, int atRisk, int events, int censored, double survival, double lower, double upper)
    {
        var point = KaplanMeier.Fit(LeukaemiaTrial.SixMp).Curve.Single(p => p.Days == days);

        Assert.Equal((atRisk, events, censored), (point.AtRisk, point.Events, point.Censored));
        Assert.Equal(survival, point.Survival, Printed);
        Assert.Equal(lower, point.Lower!.Value, Printed);
        Assert.Equal(upper, point.Upper!.Value, Printed);
    }

    [Theory]
    [InlineData(1, 21, 2, 0.905, 0.788, 1.000)]
    [InlineData(4, 16, 2, 0.667, 0.493, 0.902)]
    [InlineData(8, 12, 4, 0.381, 0.221, 0.657)]
    [InlineData(12, 6, 2, 0.190, 0.079, 0.460)]
    [InlineData(22, 2, 1, 0.048, 0.007, 0.322)]
    public void The_placebo_curve_is_Rs(int days, int atRisk, int events, double survival, double lower, double upper)
    {
        var point = KaplanMeier.Fit(LeukaemiaTrial.Placebo).Curve.Single(p => p.Days == days);

        Assert.Equal((atRisk, events, 0), (point.AtRisk, point.Events, point.Censored));
        Assert.Equal(survival, point.Survival, Printed);
        Assert.Equal(lower, point.Lower!.Value, Printed);
        Assert.Equal(upper, point.Upper!.Value, Printed);
    }

    [Fact]
    public void The_survival_is_the_product_of_the_conditional_survivals_and_the_upper_band_is_capped_at_1()
    {
        var curve = KaplanMeier.Fit(LeukaemiaTrial.SixMp).Curve;

        var exact = 18.0 / 21 * (16.0 / 17) * (14.0 / 15) * (11.0 / 12) * (10.0 / 11) * (6.0 / 7) * (5.0 / 6);
        Assert.Equal(exact, curve.Single(p => p.Days == 23).Survival, 1e-12);
        // 0.857 × exp(1.96 × 0.0891) = 1.02 before the cap.
        Assert.Equal(1.0, curve.Single(p => p.Days == 6).Upper);
    }

    [Fact]
    public void There_is_one_point_per_distinct_time_and_censoring_only_times_carry_the_survival_and_band_on()
    {
        var curve = KaplanMeier.Fit(LeukaemiaTrial.SixMp).Curve;

        Assert.Equal([6, 7, 9, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 34, 35], curve.Select(p => p.Days));
        Assert.Equal([21, 17, 16, 15, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 2, 1], curve.Select(p => p.AtRisk));
        var at7 = curve.Single(p => p.Days == 7);
        var at9 = curve.Single(p => p.Days == 9);
        Assert.Equal((0, 1), (at9.Events, at9.Censored));
        Assert.Equal((at7.Survival, at7.Lower, at7.Upper), (at9.Survival, at9.Lower, at9.Upper));
        var last = curve[^1];
        Assert.Equal((35, 0, 1), (last.Days, last.Events, last.Censored));
        Assert.Equal(curve.Single(p => p.Days == 23).Survival, last.Survival);
    }

    [Fact]
    public void The_6MP_median_is_23_weeks_with_limits_16_and_none()
    {
        var fit = KaplanMeier.Fit(LeukaemiaTrial.SixMp);

        Assert.Equal((21, 9, 12), (fit.N, fit.Events, fit.Censored));
        Assert.Equal(new MedianSurvival(23, 16, null), fit.Median);
    }

    [Fact]
    public void The_placebo_median_is_8_weeks_with_limits_4_and_12_and_its_curve_ends_at_0_with_no_band()
    {
        var fit = KaplanMeier.Fit(LeukaemiaTrial.Placebo);

        Assert.Equal((21, 21, 0), (fit.N, fit.Events, fit.Censored));
        Assert.Equal(new MedianSurvival(8, 4, 12), fit.Median);
        var last = fit.Curve[^1];
        Assert.Equal((23, 0.0, null, null), (last.Days, last.Survival, last.Lower, last.Upper));
    }

    [Fact]
    public void Censorings_tied_with_events_count_as_at_risk_at_that_time()
    {
        // At day 2: 4 at risk (the two censored there included), 1 event: S = 3/4, not 1/2.
        var fit = KaplanMeier.Fit([new(2, true), new(2, false), new(2, false), new(5, true)]);

        var first = fit.Curve[0];
        Assert.Equal((2, 4, 1, 2), (first.Days, first.AtRisk, first.Events, first.Censored));
        Assert.Equal(0.75, first.Survival, 1e-12);
        Assert.Equal((5, 1, 0.0), (fit.Curve[1].Days, fit.Curve[1].AtRisk, fit.Curve[1].Survival));
        Assert.Equal(5, fit.Median.Days);
    }

    [Fact]
    public void Without_an_event_the_curve_stays_at_1_with_a_band_of_1_and_no_median()
    {
        var fit = KaplanMeier.Fit([new(30, false), new(10, false), new(10, false)]);

        Assert.Equal((3, 0, 3), (fit.N, fit.Events, fit.Censored));
        Assert.Equal([10, 30], fit.Curve.Select(p => p.Days));
        Assert.All(fit.Curve, p => Assert.Equal((1.0, 1.0, 1.0), (p.Survival, p.Lower, p.Upper)));
        Assert.Equal(new MedianSurvival(null, null, null), fit.Median);
    }

    [Fact]
    public void One_line_with_an_event_drops_to_0_at_its_time_with_a_median_and_no_limits()
    {
        var fit = KaplanMeier.Fit([new(40, true)]);

        var point = Assert.Single(fit.Curve);
        Assert.Equal(new SurvivalPoint(40, 0, null, null, 1, 1, 0), point);
        Assert.Equal(new MedianSurvival(40, null, null), fit.Median);
    }

    [Fact]
    public void One_censored_line_is_a_flat_curve()
    {
        var fit = KaplanMeier.Fit([new(40, false)]);

        Assert.Equal(new SurvivalPoint(40, 1, 1, 1, 1, 0, 1), Assert.Single(fit.Curve));
        Assert.Equal(new MedianSurvival(null, null, null), fit.Median);
    }

    [Fact]
    public void A_survival_of_exactly_one_half_is_the_median_despite_rounding()
    {
        // 23/24 × 22/23 × … × 12/13 = 1/2, which floating point makes 0.5000000000000001.
        var fit = KaplanMeier.Fit([.. Enumerable.Range(1, 24).Select(day => new TimeToEvent(day, true))]);

        Assert.True(fit.Curve.Single(p => p.Days == 12).Survival > 0.5);
        Assert.Equal(12, fit.Median.Days);
    }

    [Fact]
    public void Lines_at_risk_at_a_month_are_those_whose_time_is_at_least_that_many_months_of_30_4375_days()
    {
        // Months 6, 12, 24, 36, 60 begin at days 182.625, 365.25, 730.5, 1095.75 and 1826.25.
        int[] days = [0, 182, 183, 365, 366, 730, 731, 1095, 1096, 1826, 1827];
        var fit = KaplanMeier.Fit([.. days.Select((d, i) => new TimeToEvent(d, i % 2 == 0))]);

        Assert.Equal(
            [new(0, 11), new(6, 9), new(12, 7), new(24, 5), new(36, 3), new(60, 1)],
            fit.AtRisk);
    }

    [Fact]
    public void No_line_is_an_empty_fit()
    {
        var fit = KaplanMeier.Fit([]);

        Assert.Equal((0, 0, 0), (fit.N, fit.Events, fit.Censored));
        Assert.Empty(fit.Curve);
        Assert.Equal(new MedianSurvival(null, null, null), fit.Median);
        Assert.Equal([0, 6, 12, 24, 36, 60], fit.AtRisk.Select(a => a.Month));
        Assert.All(fit.AtRisk, a => Assert.Equal(0, a.N));
    }
}
