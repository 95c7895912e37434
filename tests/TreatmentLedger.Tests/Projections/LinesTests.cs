using TreatmentLedger.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Projections;

public sealed class LinesTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    [Fact]
    public void Each_start_opens_the_next_line_and_a_start_during_a_line_ends_it_as_switched()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "drug A");
        c.Start("2016-06-15", "drug B");

        var lines = Lines.Of(c.History, Now);

        Assert.Equal([1, 2], lines.Select(l => l.Number));
        Assert.Equal(D("2016-06-15"), lines[0].StoppedOn);
        Assert.Equal("switched", lines[0].StopReason);
        Assert.False(lines[0].Active);
        Assert.True(lines[1].Active);
        Assert.True(lines[1].Duration.Censored);
    }

    [Fact]
    public void The_same_drug_restarted_after_a_stop_is_a_new_line()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "crizotinib");
        c.Stop("2016-05", "toxicity");
        c.Start("2016-09", "crizotinib");

        var lines = Lines.Of(c.History, Now);

        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal("crizotinib", l.Regimen));
        Assert.Equal("toxicity", lines[0].StopReason);
        Assert.Equal(2, lines[1].Number);
    }

    [Fact]
    public void Death_ends_the_active_line_with_reason_death()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2023-03", "doxorubicin", therapyClass: "chemotherapy");
        c.Died("2023-03");

        var line = Assert.Single(Lines.Of(c.History, Now));

        Assert.Equal("death", line.StopReason);
        Assert.Equal(D("2023-03"), line.StoppedOn);
        Assert.Equal("death", line.ProgressionFree.EndReason);
    }

    [Fact]
    public void The_crizotinib_line_lasts_3469_days_up_to_3499_while_its_progression_free_interval_is_months()
    {
        var c = new CaseBuilder();
        c.Open("2007-02");
        c.Start("2012-02", "crizotinib");
        c.Progression("2012-09");
        c.Surgery("2012-09");
        c.Radiotherapy("2014-11", "brain", 27, 3);
        c.Stop("2021-08", "progression");

        var line = Assert.Single(Lines.Of(c.History, Now));

        Assert.Equal(3469, line.Duration.Days);
        Assert.Equal(3441, line.Duration.MinDays);
        Assert.Equal(3499, line.Duration.MaxDays);
        Assert.Equal(115.0, line.Duration.MaxMonths);
        Assert.False(line.Duration.Censored);
        Assert.Equal("progression", line.ProgressionFree.EndReason);
        Assert.Equal(D("2012-09"), line.ProgressionFree.EndedOn);
        Assert.Equal(7.0, line.ProgressionFree.Duration.Months);
        Assert.Equal(2, line.LocalTherapies.Count);
    }

    [Fact]
    public void Entries_belong_to_the_line_they_fall_in_by_clinical_order_even_when_recorded_late()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "drug A");
        c.Start("2017-01", "drug B");
        // Recorded after line 2 started, but clinically inside line 1.
        c.Response("2016-04", "PR");
        c.Cycle("2016-02", 1, "drug A", 10, "mg");
        c.Response("2017-03", "SD");

        var lines = Lines.Of(c.History, Now);

        Assert.Equal("PR", Assert.Single(lines[0].Responses).Response);
        Assert.Equal(1, lines[0].Cycles);
        Assert.Equal("SD", Assert.Single(lines[1].Responses).Response);
        Assert.Equal(0, lines[1].Cycles);
    }

    [Fact]
    public void Entries_before_a_start_or_after_a_stop_belong_to_no_line()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Progression("2016-01");
        c.Start("2016-01", "drug A");
        c.Stop("2016-06", "completed");
        c.Progression("2016-06");
        c.Surgery("2016-08");

        var line = Assert.Single(Lines.Of(c.History, Now));

        Assert.Empty(line.Progressions);
        Assert.Empty(line.LocalTherapies);
        Assert.Equal("censored", line.ProgressionFree.EndReason);
        Assert.Equal(D("2016-06"), line.ProgressionFree.EndedOn);
        Assert.True(line.ProgressionFree.Duration.Censored);
    }

    [Fact]
    public void Best_response_ranks_CR_over_PR_over_SD_over_PD_over_NE()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "drug A");
        c.Response("2016-03", "NE");
        c.Response("2016-04", "SD");
        c.Response("2016-05", "PR");
        c.Response("2016-06", "PD");

        Assert.Equal("PR", Assert.Single(Lines.Of(c.History, Now)).BestResponse);
    }

    [Theory]
    [InlineData("NE", "PD", "PD")]
    [InlineData("PD", "SD", "SD")]
    [InlineData("SD", "PR", "PR")]
    [InlineData("PR", "CR", "CR")]
    [InlineData("NE", "NE", "NE")]
    public void Of_two_responses_the_better_is_best_whatever_their_order(string first, string second, string best)
    {
        foreach (var (a, b) in new[] { (first, second), (second, first) })
        {
            var c = new CaseBuilder();
            c.Open();
            c.Start("2016-01", "drug A");
            c.Response("2016-03", a);
            c.Response("2016-04", b);

            Assert.Equal(best, Assert.Single(Lines.Of(c.History, Now)).BestResponse);
        }
    }

    [Fact]
    public void A_dose_change_updates_the_agent_and_is_listed()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2012-02", "crizotinib", dailyDoseMg: 500);
        c.Adjust("2013", "Crizotinib ", "reduced", dailyDoseMg: 400);

        var line = Assert.Single(Lines.Of(c.History, Now));

        Assert.Equal(400m, Assert.Single(line.Agents).DailyDoseMg);
        Assert.Equal("reduced", Assert.Single(line.DoseChanges).Direction);
    }

    [Fact]
    public void As_of_a_date_only_entries_anchored_by_then_count_and_the_open_line_is_censored_there()
    {
        var c = new CaseBuilder();
        c.Open("2007-02");
        c.Start("2012-02", "crizotinib");
        c.Stop("2021-08", "progression");
        c.Start("2021-08", "alectinib");

        var lines = Lines.Of(c.History, new ViewPoint(new DateOnly(2014, 11, 30), new DateOnly(2026, 11, 27)));

        var line = Assert.Single(lines);
        Assert.True(line.Active);
        Assert.Null(line.StoppedOn);
        Assert.True(line.Duration.Censored);
        Assert.Equal(new DateOnly(2014, 11, 30).DayNumber - new DateOnly(2012, 2, 1).DayNumber, line.Duration.Days);
        Assert.Equal(new DateOnly(2014, 11, 30).DayNumber - new DateOnly(2012, 2, 29).DayNumber, line.Duration.MinDays);
    }

    [Fact]
    public void Current_line_is_the_active_one_else_the_last_and_status_follows()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "drug A");
        Assert.Equal(CaseStatus.OnTreatment, CaseFacts.Of(c.History, Now.AsOf).View(Guid.Empty, Now).Status);

        c.Stop("2016-05", "completed");
        var summary = CaseFacts.Of(c.History, Now.AsOf).View(Guid.Empty, Now);
        Assert.Equal(CaseStatus.OffTreatment, summary.Status);
        Assert.False(summary.CurrentLine!.Active);
        Assert.Equal(1, summary.CurrentLine.Number);

        c.Died("2017-02");
        summary = CaseFacts.Of(c.History, Now.AsOf).View(Guid.Empty, Now);
        Assert.Equal(CaseStatus.Deceased, summary.Status);
        Assert.Equal(D("2017-02"), summary.DiedOn);
    }

    [Fact]
    public void A_surgery_inside_a_line_is_described_by_its_procedure_and_margin()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "drug A");
        c.Surgery("2016-03", "metastasectomy");

        Assert.Equal("metastasectomy (R0)", Assert.Single(Assert.Single(Lines.Of(c.History, Now)).LocalTherapies).Description);
    }
}
