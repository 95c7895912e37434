using TreatmentLedger.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Projections;

public sealed class ProgressionFreeTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    [Fact]
    public void Intervals_run_from_diagnosis_from_progression_to_progression_and_end_at_death()
    {
        var c = new CaseBuilder();
        c.Open("2007-02");
        c.Biopsy("2007-03");
        c.Progression("2008-03");
        c.Progression("2008-03-15"); // same anchor as none other: a distinct boundary
        c.Progression("2012-02");
        c.Progression("2012-02"); // same anchor: counts once
        c.Died("2023-03");

        var intervals = ProgressionFreeIntervals.Of(c.History, Now).Intervals;

        Assert.Equal(["diagnosis", "progression", "progression", "progression"], intervals.Select(i => i.From.Reason));
        Assert.Equal(D("2007-03"), intervals[0].From.On);
        Assert.Equal([D("2008-03"), D("2008-03-15"), D("2012-02"), D("2023-03")], intervals.Select(i => i.To.On));
        Assert.Equal("death", intervals[^1].To.Reason);
        Assert.False(intervals[^1].Duration.Censored);
    }

    [Fact]
    public void Without_a_biopsy_diagnosis_is_the_case_opening_and_the_last_interval_is_censored_at_the_last_contact()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Progression("2016-01");
        c.FollowUp("2016-07-15");
        c.FollowUp("2018-03-01");

        var intervals = ProgressionFreeIntervals.Of(c.History, new ViewPoint(new DateOnly(2017, 1, 1), new DateOnly(2026, 11, 27))).Intervals;

        Assert.Equal(2, intervals.Count);
        Assert.Equal(D("2015-01"), intervals[0].From.On);
        Assert.Equal("censored", intervals[1].To.Reason);
        // As of 2017-01-01 the last contact is the visit of 2016-07-15 (the 2018 one is not yet known clinically), not asOf.
        Assert.Equal(D("2016-07-15"), intervals[1].To.On);
        Assert.Equal(196, intervals[1].Duration.Days);
        Assert.True(intervals[1].Duration.Censored);
    }

    [Fact]
    public void A_follow_up_visit_moves_the_censoring_and_the_clock_does_not()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Biopsy("2015-01-10");
        c.Start("2015-02-01", "imatinib");
        var now = new ViewPoint(null, new DateOnly(2026, 11, 27));
        var later = new ViewPoint(null, new DateOnly(2030, 1, 1));

        Assert.Equal(D("2015-02-01"), ProgressionFreeIntervals.Of(c.History, now).Intervals[^1].To.On);
        Assert.Equal(ProgressionFreeIntervals.Of(c.History, now).Intervals, ProgressionFreeIntervals.Of(c.History, later).Intervals);

        c.FollowUp("2019-05-20");
        var view = ProgressionFreeIntervals.Of(c.History, now);

        Assert.Equal(D("2019-05-20"), view.Intervals[^1].To.On);
        Assert.Equal(1591, view.Intervals[^1].Duration.Days); // 2015-01-10 to 2019-05-20
        Assert.Equal("censored", view.PerLine[0].EndReason);
        Assert.Equal(D("2019-05-20"), view.PerLine[0].EndedOn);
    }

    [Theory]
    [InlineData("ineffective")]
    [InlineData("progression")]
    public void A_stop_for_treatment_failure_with_no_progression_recorded_ends_the_interval_as_an_event(string reason)
    {
        var c = new CaseBuilder();
        c.Open("2020-01");
        c.Biopsy("2020-01-06");
        c.Start("2022-09-01", "brigatinib");
        c.Stop("2022-12-01", reason);
        c.Start("2023-01-02", "lorlatinib");
        c.FollowUp("2023-06-01");

        var view = ProgressionFreeIntervals.Of(c.History, Now);

        Assert.Equal("progression", view.PerLine[0].EndReason);
        Assert.Equal("stop-reason", view.PerLine[0].InferredFrom);
        Assert.Equal(D("2022-12-01"), view.PerLine[0].EndedOn);
        Assert.Equal(91, view.PerLine[0].Duration.Days);
        Assert.False(view.PerLine[0].Duration.Censored);
        Assert.Equal(["progression", "censored"], view.Intervals.Select(i => i.To.Reason));
        Assert.Equal(D("2022-12-01"), view.Intervals[0].To.On);
        Assert.Equal("stop-reason", view.Intervals[0].To.InferredFrom);
        Assert.Null(view.Intervals[1].To.InferredFrom);
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("toxicity")]
    [InlineData("patient-choice")]
    public void A_stop_for_another_reason_censors_the_line_at_its_stop_and_is_no_case_level_event(string reason)
    {
        var c = new CaseBuilder();
        c.Open("2020-01");
        c.Start("2021-01-01", "imatinib");
        c.Stop("2021-07-01", reason);
        c.FollowUp("2022-01-01");

        var view = ProgressionFreeIntervals.Of(c.History, Now);

        Assert.Equal("censored", view.PerLine[0].EndReason);
        Assert.Null(view.PerLine[0].InferredFrom);
        Assert.Equal(D("2021-07-01"), view.PerLine[0].EndedOn);
        Assert.True(view.PerLine[0].Duration.Censored);
        Assert.Equal(["censored"], view.Intervals.Select(i => i.To.Reason));
    }

    [Fact]
    public void A_recorded_progression_inside_the_line_wins_over_the_stop_reason_and_counts_once_at_case_level()
    {
        var c = new CaseBuilder();
        c.Open("2020-01");
        c.Start("2021-01-01", "alectinib");
        c.Progression("2021-06-01");
        c.Stop("2021-06-01", "progression");

        var view = ProgressionFreeIntervals.Of(c.History, Now);

        Assert.Equal(D("2021-06-01"), view.PerLine[0].EndedOn);
        Assert.Null(view.PerLine[0].InferredFrom);
        Assert.Equal([D("2021-06-01"), D("2021-06-01")], view.Intervals.Select(i => i.To.On));
        Assert.Equal(["progression", "censored"], view.Intervals.Select(i => i.To.Reason));
    }

    [Fact]
    public void Estimates_used_name_the_estimated_progression_that_ends_an_interval()
    {
        var c = new CaseBuilder();
        c.Open("2007-02");
        c.Start("2012-02", "crizotinib");
        var guessed = c.Progression("2012-09", estimated: ["occurredOn"]);
        c.Progression("2014-07");

        var view = ProgressionFreeIntervals.Of(c.History, Now);

        var used = Assert.Single(view.EstimatesUsed);
        Assert.Equal(guessed.EntryId, used.EntryId);
        Assert.Equal(["occurredOn"], used.Fields);
    }

    [Fact]
    public void Per_line_the_interval_ends_at_the_first_progression_inside_the_line()
    {
        var c = new CaseBuilder();
        c.Open("2007-02");
        c.Start("2012-02", "crizotinib");
        c.Progression("2012-09");
        c.Progression("2014-07");
        c.Stop("2021-08", "progression");
        c.Start("2021-08", "alectinib");

        var perLine = ProgressionFreeIntervals.Of(c.History, new ViewPoint(new DateOnly(2022, 1, 31), new DateOnly(2026, 11, 27))).PerLine;

        Assert.Equal("progression", perLine[0].EndReason);
        Assert.Equal(D("2012-09"), perLine[0].EndedOn);
        Assert.Equal(213, perLine[0].Duration.Days);
        // Active as of 2022-01-31: censored at the last contact (the alectinib start), not at asOf.
        Assert.Equal("censored", perLine[1].EndReason);
        Assert.Equal(D("2021-08"), perLine[1].EndedOn);
        Assert.True(perLine[1].Duration.Censored);
    }

    [Fact]
    public void A_progression_on_the_diagnosis_anchor_ends_no_interval()
    {
        var c = new CaseBuilder();
        c.Open("2015-03");
        c.Biopsy("2015-03");
        c.Progression("2015-03");
        c.Progression("2015-09");

        var intervals = ProgressionFreeIntervals.Of(c.History, Now).Intervals;

        Assert.Equal([D("2015-09"), D("2015-09")], intervals.Select(i => i.To.On));
        Assert.Equal(["progression", "censored"], intervals.Select(i => i.To.Reason));
    }
}
