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

        var items = Timeline.Of(c.History, Now).Items;

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
    }
}
