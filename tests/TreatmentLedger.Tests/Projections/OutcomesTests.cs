using TreatmentLedger.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Projections;

/// <summary>Outcome endpoints (DOMAIN.md, Outcomes), on full-date cases whose figures were worked out by hand.</summary>
public sealed class OutcomesTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    /// <summary>
    /// Biopsy 2015-03-10; A from 2015-04-01; metastatic progression 2016-01-15; B from 2016-02-01, stopped 2016-10-01 as
    /// ineffective; C from 2016-11-01, still active; last seen 2017-06-01.
    /// </summary>
    private static CaseBuilder ThreeLines(bool followUp = true)
    {
        var c = new CaseBuilder();
        c.Open("2015-03");
        c.Biopsy("2015-03-10");
        c.Start("2015-04-01", "A");
        c.Progression("2016-01-15", scope: "metastatic");
        c.Start("2016-02-01", "B");
        c.Stop("2016-10-01", "ineffective");
        c.Start("2016-11-01", "C");
        if (followUp) c.FollowUp("2017-06-01");
        return c;
    }

    [Fact]
    public void Overall_survival_and_survival_from_first_metastasis_are_censored_at_the_last_contact()
    {
        var view = Outcomes.Of(ThreeLines().History, Now);

        Assert.Equal("censored", view.OverallSurvival!.EndReason);
        Assert.Equal(D("2015-03-10"), view.OverallSurvival.From);
        Assert.Equal(D("2017-06-01"), view.OverallSurvival.To);
        Assert.Equal(814, view.OverallSurvival.Days);
        Assert.True(view.OverallSurvival.Censored);
        Assert.Equal(D("2016-01-15"), view.SurvivalFromFirstMetastasis!.From);
        Assert.Equal(503, view.SurvivalFromFirstMetastasis.Days);
        Assert.Equal("censored", view.SurvivalFromFirstMetastasis.EndReason);
    }

    [Fact]
    public void Per_line_time_to_next_treatment_treatment_free_interval_and_pfs2()
    {
        var lines = Outcomes.Of(ThreeLines().History, Now).Lines;

        Assert.Equal([1, 2, 3], lines.Select(l => l.Line));
        // Line 1: A switched to B on 2016-02-01; B failed (ineffective) on 2016-10-01.
        Assert.Equal(("next-line", 306), (lines[0].TimeToNextTreatment.EndReason, lines[0].TimeToNextTreatment.Days));
        Assert.Equal(("next-line", 0), (lines[0].TreatmentFreeInterval!.EndReason, lines[0].TreatmentFreeInterval!.Days));
        Assert.Equal(("progression", 549), (lines[0].Pfs2!.EndReason, lines[0].Pfs2!.Days));
        // Line 2: B to C; C is still progression-free at the last contact.
        Assert.Equal(("next-line", 274), (lines[1].TimeToNextTreatment.EndReason, lines[1].TimeToNextTreatment.Days));
        Assert.Equal(("next-line", 31), (lines[1].TreatmentFreeInterval!.EndReason, lines[1].TreatmentFreeInterval!.Days));
        Assert.Equal(("censored", 486), (lines[1].Pfs2!.EndReason, lines[1].Pfs2!.Days));
        Assert.True(lines[1].Pfs2!.Censored);
        // Line 3: active, last line.
        Assert.Equal(("censored", 212), (lines[2].TimeToNextTreatment.EndReason, lines[2].TimeToNextTreatment.Days));
        Assert.Null(lines[2].TreatmentFreeInterval);
        Assert.Null(lines[2].Pfs2);
    }

    [Fact]
    public void Without_the_follow_up_visit_the_open_intervals_end_at_the_latest_treatment_event_not_today()
    {
        var view = Outcomes.Of(ThreeLines(followUp: false).History, Now);

        Assert.Equal(D("2016-11-01"), view.OverallSurvival!.To);
        Assert.Equal(602, view.OverallSurvival.Days);
        Assert.Equal(0, view.Lines[2].TimeToNextTreatment.Days);
        var yearsLater = Outcomes.Of(ThreeLines(followUp: false).History, new ViewPoint(null, new DateOnly(2040, 1, 1)));
        Assert.Equal(view.OverallSurvival, yearsLater.OverallSurvival);
        Assert.Equal(view.Lines, yearsLater.Lines);
    }

    [Fact]
    public void A_death_ends_overall_survival_and_the_last_line_s_time_to_next_treatment()
    {
        var c = ThreeLines();
        c.Died("2017-08-01");

        var view = Outcomes.Of(c.History, Now);

        Assert.Equal(("death", 875), (view.OverallSurvival!.EndReason, view.OverallSurvival.Days));
        Assert.False(view.OverallSurvival.Censored);
        Assert.Equal(("death", 564), (view.SurvivalFromFirstMetastasis!.EndReason, view.SurvivalFromFirstMetastasis.Days));
        Assert.Equal(("death", 273), (view.Lines[2].TimeToNextTreatment.EndReason, view.Lines[2].TimeToNextTreatment.Days));
        // The death stopped line 3; no line follows, so its treatment-free interval is censored at the last contact (the death).
        Assert.Equal(("censored", 0), (view.Lines[2].TreatmentFreeInterval!.EndReason, view.Lines[2].TreatmentFreeInterval!.Days));
        // PFS2 of line 2 ends with the death inside line 3.
        Assert.Equal(("death", 547), (view.Lines[1].Pfs2!.EndReason, view.Lines[1].Pfs2!.Days));
    }

    [Fact]
    public void Survival_from_first_metastasis_is_null_without_a_metastatic_progression_and_local_ones_do_not_count()
    {
        var c = new CaseBuilder();
        c.Open("2015-03");
        c.Progression("2016-01", scope: "local");

        Assert.Null(Outcomes.Of(c.History, Now).SurvivalFromFirstMetastasis);
        c.Progression("2017-01", scope: "oligometastatic");
        Assert.Equal(D("2017-01"), Outcomes.Of(c.History, Now).SurvivalFromFirstMetastasis!.From);
    }

    [Fact]
    public void As_of_a_date_only_what_had_happened_counts()
    {
        var view = Outcomes.Of(ThreeLines().History, new ViewPoint(new DateOnly(2016, 3, 1), new DateOnly(2026, 11, 27)));

        Assert.Equal(2, view.Lines.Count);
        Assert.Equal(D("2016-02-01"), view.OverallSurvival!.To);
        Assert.Null(view.Lines[1].TreatmentFreeInterval);
        Assert.Null(view.Lines[1].Pfs2);
        // B is still progression-free as of then: line 1's PFS2 is censored at the last contact known then.
        Assert.Equal(("censored", 306), (view.Lines[0].Pfs2!.EndReason, view.Lines[0].Pfs2!.Days));
    }

    [Fact]
    public void Estimates_used_name_the_estimated_dates_an_outcome_rests_on()
    {
        var c = new CaseBuilder();
        c.Open("2007-02");
        var biopsy = c.Add(new Entries.BiopsyPerformed { OccurredOn = D("2007-02"), Technique = "micro", Site = "axilla", Estimated = ["occurredOn"] });
        c.Add(new Entries.ImagingPerformed { OccurredOn = D("2008-01"), Modality = "MRI", Estimated = ["modality"] });

        var used = Assert.Single(Outcomes.Of(c.History, Now).EstimatesUsed);
        Assert.Equal(biopsy.EntryId, used.EntryId);
    }
}
