using TreatmentLedger.Entries;
using TreatmentLedger.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Projections;

public sealed class TimelineTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    [Fact]
    public void Entries_come_in_clinical_order_with_their_lane_and_each_line_is_a_bar_before_its_start()
    {
        var c = new CaseBuilder();
        c.Open("2007-02");
        c.Biopsy("2007-02");
        c.Start("2012-02", "crizotinib");
        c.Radiotherapy("2011-09", "left axilla", 54, 25, "conventional"); // recorded late
        c.Progression("2012-09");
        c.Surgery("2013-04");

        var view = Timeline.Of(c.History, Now);
        var items = view.Items;

        Assert.Equal(
            ["diagnosis", "diagnosis", "radiotherapy", "systemic", "systemic", "progression", "surgery"],
            items.Select(i => i.Lane));
        var bar = items[3];
        Assert.Equal("line", bar.Kind);
        Assert.Equal(1, bar.Line);
        Assert.Equal(D("2012-02"), bar.Start);
        Assert.Equal(D("2026-11-27"), bar.End); // open line: censored at today
        Assert.True(bar.Active);
        Assert.Equal("entry", items[4].Kind);
        Assert.Equal(items.Select(i => i.Start.Anchor).Order(), items.Select(i => i.Start.Anchor));
        Assert.Equal(D("2026-11-27"), view.To);
    }

    [Fact]
    public void A_deceased_case_ends_at_the_death_not_at_today()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-02", "crizotinib");
        c.Died("2023-03");

        Assert.Equal(D("2023-03"), Timeline.Of(c.History, Now).To);
        // Seen from before the death, the case is not known to be deceased: the timeline runs to asOf.
        Assert.Equal(D("2020-06-30"), Timeline.Of(c.History, new ViewPoint(new DateOnly(2020, 6, 30), Now.Today)).To);
    }

    [Fact]
    public void A_progression_label_names_its_sites_and_a_dose_change_names_its_line_and_new_dose()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-02", "alectinib");
        c.Stop("2016-01", "progression");
        c.Start("2016-02", "crizotinib");
        var adjusted = c.Add(new DoseAdjusted { OccurredOn = D("2016-06"), Drug = "crizotinib", Direction = "reduced", Dose = 200, Unit = "mg", Reason = "neutropenia" });
        c.Add(new ProgressionObserved { OccurredOn = D("2017-03"), Scope = "metastatic", Sites = ["liver", "left adrenal gland"] });

        var items = Timeline.Of(c.History, Now).Items;

        var change = Assert.Single(items, i => i.EntryId == adjusted.EntryId);
        Assert.Equal(2, change.Line);
        Assert.Equal("crizotinib reduced to 200 mg: neutropenia", change.Label);
        Assert.Equal("metastatic progression: liver, left adrenal gland", Assert.Single(items, i => i.Lane == Lanes.Progression).Label);
    }

    [Fact]
    public void Estimates_used_lists_each_shown_entry_with_estimated_fields_and_no_other()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        var guessed = c.Add(new RadiotherapyDelivered
        {
            OccurredOn = D("2015-06"), Site = "brain", Technique = "SBRT", TotalDoseGy = 27, Fractions = 3,
            Estimated = ["occurredOn", "totalDoseGy"],
        });
        c.Surgery("2015-09");
        c.Add(new ResponseAssessed { OccurredOn = D("2016-03"), Response = "PR", Method = "CT", Estimated = ["occurredOn"] });

        var used = Timeline.Of(c.History, Now).EstimatesUsed;
        var first = used[0];
        Assert.Equal(guessed.EntryId, first.EntryId);
        Assert.Equal(["occurredOn", "totalDoseGy"], first.Fields);
        Assert.Equal(2, used.Count);

        // An entry after asOf is not shown, so its estimate is not used.
        Assert.Single(Timeline.Of(c.History, new ViewPoint(new DateOnly(2015, 12, 31), Now.Today)).EstimatesUsed);
    }
}
