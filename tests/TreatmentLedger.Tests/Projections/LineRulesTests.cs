using TreatmentLedger.Entries;
using TreatmentLedger.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Projections;

/// <summary>The revised line rules of DOMAIN.md: supportive medications, lineIntent, the 28-day combination window, phases, cycles.</summary>
public sealed class LineRulesTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    private static IReadOnlyList<Line> LinesOf(CaseBuilder c) => Lines.Of(c.History, Now);

    [Fact]
    public void A_combination_whose_drugs_start_seven_days_apart_is_one_line()
    {
        var c = new CaseBuilder();
        c.Open("2020-01");
        c.Start("2020-03-02", "carboplatin", therapyClass: "chemotherapy");
        c.Start("2020-03-09", "paclitaxel", therapyClass: "chemotherapy");
        c.Stop("2020-07-01", "completed");

        var line = Assert.Single(LinesOf(c));
        Assert.Equal("carboplatin + paclitaxel", line.Regimen);
        Assert.Equal(["carboplatin", "paclitaxel"], line.Agents.Select(a => a.Drug));
        Assert.Equal("2020-03-02", line.StartedOn.ToString());
        Assert.Equal("completed", line.StopReason);
    }

    [Fact]
    public void A_start_on_day_28_joins_the_line_and_one_on_day_29_opens_the_next()
    {
        var joined = new CaseBuilder();
        joined.Open("2020-01");
        joined.Start("2020-03-01", "a");
        joined.Start("2020-03-29", "b");
        var opened = new CaseBuilder();
        opened.Open("2020-01");
        opened.Start("2020-03-01", "a");
        opened.Start("2020-03-30", "b");

        Assert.Equal(["a + b"], LinesOf(joined).Select(l => l.Regimen));
        var lines = LinesOf(opened);
        Assert.Equal(["a", "b"], lines.Select(l => l.Regimen));
        Assert.Equal("switched", lines[0].StopReason);
        Assert.Equal("2020-03-30", lines[0].StoppedOn.ToString());
    }

    [Fact]
    public void A_supportive_drug_inside_a_line_opens_nothing_and_is_listed_as_concomitant()
    {
        var c = new CaseBuilder();
        c.Open("2021-01");
        c.Start("2021-02-01", "AC", therapyClass: "chemotherapy");
        c.Cycle("2021-02-01", 1, "doxorubicin", 60);
        var dexamethasone = c.Start("2021-02-01", "dexamethasone (antiemetic)", therapyClass: "supportive", endedOn: "2021-02-03");
        for (var n = 2; n <= 6; n++) c.Cycle($"2021-{n + 1:00}-01", n, "doxorubicin", 60);
        c.Stop("2021-07-15", "completed");

        var line = Assert.Single(LinesOf(c));
        Assert.Equal("AC", line.Regimen);
        Assert.Equal(6, line.Cycles);
        var concomitant = Assert.Single(line.Concomitant);
        Assert.Equal(dexamethasone.EntryId, concomitant.EntryId);
        Assert.Equal("2021-02-03", concomitant.EndedOn.ToString());
        Assert.DoesNotContain(line.Agents, a => a.Drug.Contains("dexamethasone"));
    }

    [Fact]
    public void A_supportive_drug_outside_any_line_is_no_line_and_does_not_end_one()
    {
        var c = new CaseBuilder();
        c.Open("2021-01");
        c.Start("2021-01-10", "filgrastim", therapyClass: "supportive");
        c.Start("2021-06-01", "imatinib");
        c.Start("2021-09-01", "ondansetron", therapyClass: "supportive");

        var line = Assert.Single(LinesOf(c));
        Assert.Equal("imatinib", line.Regimen);
        Assert.True(line.Active);
        Assert.Equal(["ondansetron"], line.Concomitant.Select(m => m.Regimen));
    }

    [Fact]
    public void Maintenance_keeps_the_line_number_and_regimen_with_the_new_agents_in_a_maintenance_phase()
    {
        var c = new CaseBuilder();
        c.Open("2019-01");
        c.Start("2019-02-01", "carboplatin-pemetrexed", therapyClass: "chemotherapy");
        c.Start("2019-05-01", "pemetrexed", therapyClass: "chemotherapy", lineIntent: "maintenance");
        c.Start("2020-01-01", "docetaxel", therapyClass: "chemotherapy");

        var lines = LinesOf(c);

        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].Number);
        Assert.Equal("carboplatin-pemetrexed", lines[0].Regimen);
        Assert.Equal("maintenance", lines[0].Phase);
        Assert.Equal(["pemetrexed"], lines[0].Agents.Select(a => a.Drug));
        Assert.Equal("2020-01-01", lines[0].StoppedOn.ToString());
        Assert.Equal(2, lines[1].Number);
        Assert.Equal("induction", lines[1].Phase);
    }

    [Fact]
    public void A_start_after_a_progression_within_28_days_is_a_new_line()
    {
        var c = new CaseBuilder();
        c.Open("2020-01");
        c.Start("2020-03-01", "a");
        c.Progression("2020-03-10");
        c.Start("2020-03-15", "b");

        var lines = LinesOf(c);
        Assert.Equal(["a", "b"], lines.Select(l => l.Regimen));
        Assert.Equal("switched", lines[0].StopReason);
    }

    [Fact]
    public void Line_intent_overrides_the_window_both_ways()
    {
        var c = new CaseBuilder();
        c.Open("2020-01");
        c.Start("2020-03-01", "a");
        c.Start("2020-03-05", "b", lineIntent: "new-line");
        c.Start("2020-09-01", "c", lineIntent: "add-to-line");

        var lines = LinesOf(c);
        Assert.Equal(["a", "b + c"], lines.Select(l => l.Regimen));
        Assert.Equal(["b", "c"], lines[1].Agents.Select(a => a.Drug));
    }

    [Theory]
    [InlineData(0, 40, 40)]
    [InlineData(3, 2, 3)]
    [InlineData(3, null, 3)]
    public void Cycles_are_the_recorded_cycles_or_the_stop_s_cycles_given_when_larger(int recorded, int? cyclesGiven, int expected)
    {
        var c = new CaseBuilder();
        c.Open("2009-01");
        c.Start("2009-08", "vinorelbine/methotrexate", therapyClass: "chemotherapy");
        for (var n = 1; n <= recorded; n++) c.Cycle("2009-09", n, "vinorelbine", 25);
        c.Stop("2010-05", "completed", cyclesGiven);

        Assert.Equal(expected, Assert.Single(LinesOf(c)).Cycles);
    }

    [Fact]
    public void A_line_lists_the_estimates_its_entries_carry()
    {
        var c = new CaseBuilder();
        c.Open("2012-01");
        var start = c.Add(new SystemicTherapyStarted
        {
            OccurredOn = D("2012-02"), Regimen = "crizotinib", TherapyClass = "targeted",
            Agents = [new Agent("crizotinib", 250, "mg", "twice daily", 500)], Estimated = ["agents[0].dose", "agents[0].dailyDoseMg"],
        });
        var progression = c.Progression("2012-09", estimated: ["occurredOn"]);
        c.Progression("2014-07");

        var line = Assert.Single(LinesOf(c));

        Assert.Equal([start.EntryId, progression.EntryId], line.EstimatesUsed.Select(e => e.EntryId));
        Assert.Equal(["agents[0].dose", "agents[0].dailyDoseMg"], line.EstimatesUsed[0].Fields);
        Assert.Equal(line.EstimatesUsed.Select(e => (e.EntryId, string.Join(",", e.Fields))),
            LinesView.Of(c.History, Now).EstimatesUsed.Select(e => (e.EntryId, string.Join(",", e.Fields))));
    }

    [Fact]
    public void A_line_shows_its_adverse_events_progression_sites_local_therapies_and_supportive_drugs_by_name()
    {
        var c = new CaseBuilder();
        c.Open("2012-01");
        c.Start("2012-02", "crizotinib");
        c.Add(new AdverseEventObserved { OccurredOn = D("2012-04"), Term = "neutropenia", Grade = 4, AttributedTo = "crizotinib" });
        c.Add(new ProgressionObserved { OccurredOn = D("2012-09"), Scope = "oligometastatic", Sites = ["brain (frontal)"] });
        c.Add(new ProgressionObserved { OccurredOn = D("2012-10"), Scope = "local" });
        c.Add(new RadiotherapyDelivered { OccurredOn = D("2012-10"), Site = "brain", Technique = "SRS", TotalDoseGy = 24, Fractions = 1, Target = "lesion 2" });
        c.Add(new RadiotherapyDelivered { OccurredOn = D("2012-11"), Site = "brain", Technique = "WBRT", TotalDoseGy = 30, Fractions = 10 });
        c.Add(new EmbolizationPerformed { OccurredOn = D("2012-12"), Site = "liver", Vessels = 2 });
        c.Add(new EmbolizationPerformed { OccurredOn = D("2013-01"), Site = "liver" });
        c.Add(new SystemicTherapyStarted { OccurredOn = D("2013-02"), Regimen = "G-CSF", TherapyClass = "supportive", Agents = [new Agent("filgrastim", null, null, null, null)] });
        c.Add(new SystemicTherapyStarted { OccurredOn = D("2013-03"), Regimen = "antiemetic", TherapyClass = "supportive" });

        var line = Assert.Single(LinesOf(c));

        Assert.Equal(("neutropenia", 4), (Assert.Single(line.AdverseEvents).Term, line.AdverseEvents[0].Grade));
        Assert.Equal(["brain (frontal)"], line.Progressions[0].Sites);
        Assert.Empty(line.Progressions[1].Sites);
        Assert.Equal(["SRS 24 Gy / 1 fractions (lesion 2)", "WBRT 30 Gy / 10 fractions", "embolization of 2 vessels", "embolization"],
            line.LocalTherapies.Select(t => t.Description));
        Assert.Equal(["filgrastim"], line.Concomitant[0].Drugs);
        Assert.Empty(line.Concomitant[1].Drugs);
    }

    [Fact]
    public void A_dose_change_keeps_what_it_does_not_name_and_replaces_what_it_names()
    {
        var c = new CaseBuilder();
        c.Open("2012-01");
        c.Add(new SystemicTherapyStarted
        {
            OccurredOn = D("2012-02"), Regimen = "crizotinib", TherapyClass = "targeted",
            Agents = [new Agent("crizotinib", 250, "mg", "twice daily", 500)],
        });
        c.Add(new DoseAdjusted { OccurredOn = D("2013-01"), Drug = "Crizotinib ", Direction = "reduced", DailyDoseMg = 400 });
        var kept = Assert.Single(Assert.Single(LinesOf(c)).Agents);
        c.Add(new DoseAdjusted { OccurredOn = D("2013-06"), Drug = "crizotinib", Direction = "reduced", Dose = 200, Unit = "mg BID" });
        var replaced = Assert.Single(Assert.Single(LinesOf(c)).Agents);
        c.Add(new DoseAdjusted { OccurredOn = D("2013-07"), Drug = "alectinib", Direction = "reduced", Dose = 1 });

        Assert.Equal((250m, "mg", 400m), (kept.Dose, kept.Unit, kept.DailyDoseMg));
        Assert.Equal((200m, "mg BID", 400m), (replaced.Dose, replaced.Unit, replaced.DailyDoseMg));
        var line = Assert.Single(LinesOf(c));
        Assert.Equal(replaced, Assert.Single(line.Agents));
        Assert.Equal(3, line.DoseChanges.Count);
    }

    [Fact]
    public void Maintenance_ends_the_oral_exposure_of_the_agents_it_replaces()
    {
        var c = new CaseBuilder();
        c.Open("2019-01");
        c.Start("2019-01-01", "capecitabine", dailyDoseMg: 2000, therapyClass: "chemotherapy");
        c.Start("2019-01-11", "bevacizumab", therapyClass: "targeted", lineIntent: "maintenance");
        c.Stop("2019-03-01", "completed");

        var oral = CumulativeDose.Of(c.History, Now, 10).Systemic.OralExposure;

        Assert.Equal((2000m * 10, 10), (Assert.Single(oral).TotalMg, oral[0].Days));
    }

    [Fact]
    public void A_dose_change_that_first_gives_a_daily_dose_starts_the_oral_exposure_there()
    {
        var c = new CaseBuilder();
        c.Open("2019-01");
        c.Start("2019-01-01", "temozolomide");
        c.Adjust("2019-01-21", "temozolomide", "increased", dailyDoseMg: 150);
        c.Stop("2019-01-31", "completed");

        var oral = Assert.Single(CumulativeDose.Of(c.History, Now, 10).Systemic.OralExposure);

        Assert.Equal((1500m, 10), (oral.TotalMg, oral.Days));
    }
}
