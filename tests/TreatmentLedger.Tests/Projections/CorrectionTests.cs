using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Projections;

public sealed class CorrectionTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    [Fact]
    public void A_retracted_entry_counts_for_nothing()
    {
        var c = new CaseBuilder();
        c.Open();
        var start = c.Start("2016-01", "drug A");
        c.Retract(start.EntryId);

        Assert.Empty(Lines.Of(c.History, Now));
        Assert.Equal(EntryStatus.Retracted, c.History.StateOf(c.History.Recorded[1]).Status);
        Assert.Equal(3, c.History.StateOf(c.History.Recorded[1]).RetractedBy);
    }

    [Fact]
    public void A_corrected_entry_counts_as_its_replacement_placed_by_the_replacement_date()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "drug A");
        var response = c.Response("2016-03", "PR");
        c.Start("2016-06", "drug B");
        c.Correct(response.EntryId, new ResponseAssessed { OccurredOn = D("2016-07"), Response = "SD", Method = "MRI" });

        var lines = Lines.Of(c.History, Now);

        Assert.Empty(lines[0].Responses);
        var moved = Assert.Single(lines[1].Responses);
        Assert.Equal("SD", moved.Response);
        Assert.Equal(response.EntryId, moved.EntryId);
        var state = c.History.StateOf(c.History.Recorded[2]);
        Assert.Equal(EntryStatus.Corrected, state.Status);
        Assert.Equal(5, state.CorrectedBy);
    }

    [Fact]
    public void The_latest_correction_wins()
    {
        var c = new CaseBuilder();
        c.Open();
        var rt = c.Radiotherapy("2011-09", "axilla", 50, 25);
        c.Correct(rt.EntryId, rt with { TotalDoseGy = 52 });
        c.Correct(rt.EntryId, rt with { TotalDoseGy = 54 });

        var site = Assert.Single(CumulativeDose.Of(c.History, Now, 10).Radiotherapy.BySite);
        Assert.Equal(54m, site.TotalDoseGy);
        Assert.Equal(4, c.History.StateOf(c.History.Recorded[1]).CorrectedBy);
    }

    [Fact]
    public void Before_its_correction_is_recorded_the_old_value_counts()
    {
        var c = new CaseBuilder();
        c.Open();
        var rt = c.Radiotherapy("2011-09", "axilla", 50, 25);
        var beforeCorrection = c.LastRecordedAt;
        c.Correct(rt.EntryId, rt with { TotalDoseGy = 54 });

        var then = CumulativeDose.Of(new CaseHistory(c.History.Recorded.Where(r => r.RecordedAt <= beforeCorrection)), Now, 10);
        var now = CumulativeDose.Of(c.History, Now, 10);

        Assert.Equal(50m, Assert.Single(then.Radiotherapy.BySite).TotalDoseGy);
        Assert.Equal(54m, Assert.Single(now.Radiotherapy.BySite).TotalDoseGy);
    }
}
