using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Tests.Cohorts;

public sealed class LogRankTests
{
    private static TimeToEvent Event(int days) => new(days, true);

    private static TimeToEvent Censored(int days) => new(days, false);

    [Fact]
    public void The_6MP_trial_gives_Rs_chi_square_of_16_8_on_1_df()
    {
        // R: survdiff(Surv(time, cens) ~ treat) on the MASS data set: O 9 / 21, E 19.25 / 10.75, Chisq = 16.8 on 1 df, p = 4.17e-05.
        var result = LogRank.Test([LeukaemiaTrial.SixMp, LeukaemiaTrial.Placebo])!;

        Assert.Equal(16.7929, result.ChiSquare, 0.0001);
        Assert.Equal(1, result.Df);
        Assert.Equal(4.17e-05, result.P, 0.005e-05);
    }

    [Fact]
    public void The_order_of_the_groups_does_not_change_the_test()
    {
        var forward = LogRank.Test([LeukaemiaTrial.SixMp, LeukaemiaTrial.Placebo])!;
        var backward = LogRank.Test([LeukaemiaTrial.Placebo, LeukaemiaTrial.SixMp])!;

        Assert.Equal(forward.ChiSquare, backward.ChiSquare, 1e-9);
        Assert.Equal(forward.P, backward.P, 1e-12);
    }

    /// <summary>
    /// Worked by hand. A: 1, 3; B: 2, 5+; C: 4, 6 (all events but 5+). One event at each time, so each time adds
    /// E_j += n_j / n and V_jl += (n_j / n)(δ_jl - n_l / n):
    /// <code>
    ///   t  at risk (A, B, C)  n  event   E_A   E_B   E_C    V_AA     V_BB     V_AB
    ///   1      2  2  2        6    A     1/3   1/3   1/3    2/9      2/9     -1/9
    ///   2      1  2  2        5    B     1/5   2/5   2/5    4/25     6/25    -2/25
    ///   3      1  1  2        4    A     1/4   1/4   1/2    3/16     3/16    -1/16
    ///   4      0  1  2        3    C     0     1/3   2/3    0        2/9      0
    ///   6      0  0  1        1    C     0     0     1      (one at risk: no variance)
    /// </code>
    /// O = (2, 1, 2), E = (47/60, 79/60, 174/60); over A and B: u = O - E = (73/60, -19/60),
    /// V_AA = 2051/3600, V_BB = 3139/3600, V_AB = -913/3600, det = 140113/324000,
    /// chi-square = (V_BB u_A² - 2 V_AB u_A u_B + V_AA u_B²) / det = 373387/140113 = 2.66490 on 2 df,
    /// whose upper tail is exactly exp(-chi-square / 2) = 0.26383.
    /// </summary>
    [Fact]
    public void Three_groups_give_the_chi_square_worked_by_hand_on_2_df()
    {
        IReadOnlyList<TimeToEvent> a = [Event(1), Event(3)], b = [Event(2), Censored(5)], c = [Event(4), Event(6)];

        var result = LogRank.Test([a, b, c])!;

        Assert.Equal(373387.0 / 140113, result.ChiSquare, 1e-9);
        Assert.Equal(2, result.Df);
        Assert.Equal(Math.Exp(-373387.0 / 140113 / 2), result.P, 1e-9);
        // Leaving out another group than the last gives the same test.
        Assert.Equal(result.ChiSquare, LogRank.Test([c, a, b])!.ChiSquare, 1e-9);
        Assert.Equal(result.ChiSquare, LogRank.Test([b, c, a])!.ChiSquare, 1e-9);
    }

    [Fact]
    public void Groups_alike_give_a_chi_square_of_0_and_a_p_of_1()
    {
        IReadOnlyList<TimeToEvent> group = [Event(3), Event(5), Censored(8)];

        var result = LogRank.Test([group, [.. group]])!;

        Assert.Equal(0, result.ChiSquare, 1e-12);
        Assert.Equal(1, result.P, 1e-12);
    }

    [Fact]
    public void Fewer_than_two_groups_give_no_test()
    {
        Assert.Null(LogRank.Test([]));
        Assert.Null(LogRank.Test([LeukaemiaTrial.SixMp]));
    }

    [Fact]
    public void A_group_without_a_line_gives_no_test()
    {
        Assert.Null(LogRank.Test([LeukaemiaTrial.SixMp, []]));
        Assert.Null(LogRank.Test([[], LeukaemiaTrial.SixMp, LeukaemiaTrial.Placebo]));
    }

    [Fact]
    public void Without_any_event_the_variance_is_0_and_there_is_no_test()
    {
        Assert.Null(LogRank.Test([[Censored(3), Censored(9)], [Censored(4)]]));
    }

    [Fact]
    public void A_group_never_at_risk_at_an_event_time_makes_the_variance_singular()
    {
        // R would drop the third group (its expected count is 0) and test the other two on 1 df.
        Assert.Null(LogRank.Test([LeukaemiaTrial.SixMp, LeukaemiaTrial.Placebo, [Censored(0)]]));
        Assert.Null(LogRank.Test([[Censored(0)], LeukaemiaTrial.SixMp, LeukaemiaTrial.Placebo]));
    }

    [Fact]
    public void A_group_with_no_event_is_still_compared()
    {
        // Day 2: A 1 and B 2 at risk, one event: E_A += 1/3, V_AA += (1/3)(2/3). Day 4: 1 and 1: E_A += 1/2, V_AA += 1/4.
        // O_A - E_A = -5/6, V_AA = 17/36: chi-square = (25/36) / (17/36) = 25/17.
        var result = LogRank.Test([[Censored(5)], [Event(2), Event(4)]])!;

        Assert.Equal(25.0 / 17, result.ChiSquare, 1e-12);
        Assert.Equal(1, result.Df);
    }
}
