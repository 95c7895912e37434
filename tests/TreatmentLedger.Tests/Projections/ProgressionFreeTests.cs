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
    public void Without_a_biopsy_diagnosis_is_the_case_opening_and_the_last_interval_is_censored_at_as_of()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Progression("2016-01");

        var intervals = ProgressionFreeIntervals.Of(c.History, new ViewPoint(new DateOnly(2017, 1, 1), new DateOnly(2026, 11, 27))).Intervals;

        Assert.Equal(2, intervals.Count);
        Assert.Equal(D("2015-01"), intervals[0].From.On);
        Assert.Equal("censored", intervals[1].To.Reason);
        Assert.Equal(D("2017-01-01"), intervals[1].To.On);
        Assert.Equal(366, intervals[1].Duration.Days);
        Assert.True(intervals[1].Duration.Censored);
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
        Assert.Equal("censored", perLine[1].EndReason);
        Assert.Equal(D("2022-01-31"), perLine[1].EndedOn);
        Assert.True(perLine[1].Duration.Censored);
    }
}
