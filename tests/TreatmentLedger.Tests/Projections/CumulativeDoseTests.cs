using TreatmentLedger.Entries;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Tests.Projections;

public sealed class CumulativeDoseTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    [Theory]
    [InlineData(10, 54.72, 65.66)]
    [InlineData(3, 55.73, 92.88)]
    public void Fifty_four_gray_in_25_fractions_gives_the_EQD2_and_BED_of_the_formula(double alphaBeta, double eqd2, double bed)
    {
        var c = new CaseBuilder();
        c.Open();
        c.Radiotherapy("2011-09", "left axilla", 54, 25, "conventional");

        var site = Assert.Single(CumulativeDose.Of(c.History, Now, (decimal)alphaBeta).Radiotherapy.BySite);

        Assert.Equal((decimal)eqd2, site.Eqd2Gy);
        Assert.Equal((decimal)bed, site.BedGy);
        Assert.Equal(25, site.Fractions);
    }

    [Fact]
    public void Sites_are_compared_trimmed_and_case_insensitive_and_courses_sum()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Radiotherapy("2013", "Brain", 27, 3);
        c.Radiotherapy("2014-11", " brain ", 24, 3);
        c.Radiotherapy("2014-12", "liver", 50, 5);

        var sites = CumulativeDose.Of(c.History, Now, 10).Radiotherapy.BySite;

        var brain = Assert.Single(sites, s => s.Site == "Brain");
        Assert.Null(brain.Target);
        Assert.Equal(2, brain.Courses);
        Assert.Equal(51m, brain.TotalDoseGy);
        Assert.Equal(6, brain.Fractions);
        // 27 Gy/3: 27 (9 + 10) / 12 = 42.75; 24 Gy/3: 24 (8 + 10) / 12 = 36
        Assert.Equal(78.75m, brain.Eqd2Gy);
        Assert.Equal(2, sites.Count);
    }

    [Fact]
    public void Cycle_amounts_sum_per_drug_and_unit()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "AC", therapyClass: "chemotherapy");
        c.Cycle("2016-01", 1, "doxorubicin", 60);
        c.Cycle("2016-02", 2, "Doxorubicin", 60);
        c.Cycle("2016-03", 3, "doxorubicin", 100, "mg");

        var byDrug = CumulativeDose.Of(c.History, Now, 10).Systemic.ByDrug;

        var perM2 = Assert.Single(byDrug, d => d.Unit == "mg/m2");
        Assert.Equal(120m, perM2.TotalAmount);
        Assert.Equal(2, perM2.Administrations);
        Assert.Equal(100m, Assert.Single(byDrug, d => d.Unit == "mg").TotalAmount);
    }

    [Fact]
    public void Oral_exposure_is_daily_dose_times_days_at_that_dose_up_to_the_stop()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2012-02", "crizotinib", dailyDoseMg: 500);
        c.Adjust("2013", "crizotinib", "reduced", dailyDoseMg: 400);
        c.Stop("2021-08", "progression");

        var exposure = Assert.Single(CumulativeDose.Of(c.History, Now, 10).Systemic.OralExposure);

        var atFull = new DateOnly(2013, 1, 1).DayNumber - new DateOnly(2012, 2, 1).DayNumber;
        var atReduced = new DateOnly(2021, 8, 1).DayNumber - new DateOnly(2013, 1, 1).DayNumber;
        Assert.Equal(500m * atFull + 400m * atReduced, exposure.TotalMg);
        Assert.Equal(3469, exposure.Days);
    }

    [Fact]
    public void An_interruption_counts_no_dose_until_resumed()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2020-01-01", "drug", dailyDoseMg: 100);
        c.Adjust("2020-01-11", "drug", "interrupted");
        c.Adjust("2020-01-21", "drug", "resumed");
        c.Stop("2020-01-31", "completed");

        var exposure = Assert.Single(CumulativeDose.Of(c.History, Now, 10).Systemic.OralExposure);

        Assert.Equal(20, exposure.Days);
        Assert.Equal(2000m, exposure.TotalMg);
    }

    [Theory]
    [InlineData("doxorubicin", 399, 399.0, null)]
    [InlineData("doxorubicin", 400, 400.0, "warning")]
    [InlineData("doxorubicin", 549, 549.0, "warning")]
    [InlineData("doxorubicin", 550, 550.0, "limit-exceeded")]
    [InlineData("epirubicin", 500, 400.0, "warning")]
    [InlineData("Epirubicin", 687, 549.6, "warning")]
    [InlineData("epirubicin", 688, 550.4, "limit-exceeded")]
    [InlineData("mitoxantrone", 40, 420.0, "warning")]
    [InlineData("idarubicin", 110, 550.0, "limit-exceeded")]
    [InlineData("daunorubicin", 700, 420.0, "warning")]
    public void Anthracycline_alerts_at_400_and_550_mg_per_m2_doxorubicin_equivalent(string drug, int amount, double equivalent, string? level)
    {
        var c = new CaseBuilder();
        c.Open();
        c.Start("2016-01", "anthracycline", therapyClass: "chemotherapy");
        c.Cycle("2016-01", 1, drug, amount);

        var alerts = CumulativeDose.Of(c.History, Now, 10).Alerts;

        if (level is null)
        {
            Assert.Empty(alerts);
            return;
        }
        var alert = Assert.Single(alerts);
        Assert.Equal("anthracycline-cumulative-dose", alert.Kind);
        Assert.Equal(level, alert.Level);
        Assert.Equal((decimal)equivalent, alert.Value);
        Assert.Equal("mg/m2", alert.Unit);
        Assert.False(alert.Incomplete);
    }

    private static RadiotherapyDelivered Course(string on, string site, string? target, decimal totalDoseGy, int fractions, params string[] estimated) => new()
    {
        OccurredOn = CaseBuilder.D(on), Site = site, Target = target, Technique = "SRS", TotalDoseGy = totalDoseGy, Fractions = fractions,
        Estimated = estimated.Length == 0 ? null : estimated,
    };

    private static SystemicTherapyStarted Chemotherapy(string on, string regimen, decimal? bsaM2, params string[] drugs) => new()
    {
        OccurredOn = CaseBuilder.D(on), Regimen = regimen, TherapyClass = "chemotherapy", BsaM2 = bsaM2,
        Agents = drugs.Select(d => new Agent(d, null, null, null, null)).ToList(),
    };

    private static CycleAdministered Cycle(string on, int cycle, decimal? bsaM2, params AdministeredDose[] doses) => new()
    {
        OccurredOn = CaseBuilder.D(on), Cycle = cycle, BsaM2 = bsaM2, Doses = doses,
    };

    [Fact]
    public void Two_lesions_of_one_site_are_two_rows_and_one_lesion_spelt_two_ways_is_one()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Course("2013-03", "brain", "metastasis 1", 27, 3));
        c.Add(Course("2013-03", "Brain ", "metastasis 2", 24, 3));
        c.Add(Course("2014-06", "BRAIN", " Metastasis 1 ", 24, 3));
        c.Add(Course("2015-01", "brain", null, 30, 10) with { Technique = "WBRT" });

        var rows = CumulativeDose.Of(c.History, Now, 10).Radiotherapy.BySite;

        Assert.Equal(3, rows.Count);
        var first = Assert.Single(rows, r => r.Target == "metastasis 1");
        Assert.Equal("brain", first.Site);
        Assert.Equal(2, first.Courses);
        Assert.Equal(51m, first.TotalDoseGy);
        Assert.Equal(78.75m, first.Eqd2Gy); // 27 (9 + 10) / 12 = 42.75, 24 (8 + 10) / 12 = 36
        var second = Assert.Single(rows, r => r.Target == "metastasis 2");
        Assert.Equal(1, second.Courses);
        Assert.Equal(36m, second.Eqd2Gy);
        var wholeBrain = Assert.Single(rows, r => r.Target is null);
        Assert.Equal("brain", wholeBrain.Site);
        Assert.Equal(32.5m, wholeBrain.Eqd2Gy); // 30 (3 + 10) / 12
    }

    [Theory]
    [InlineData(27, 3, true)] // 9 Gy per fraction
    [InlineData(24, 3, true)] // 8 Gy: the model is already unreliable
    [InlineData(23.7, 3, false)] // 7.9 Gy
    [InlineData(50, 25, false)] // 2 Gy
    public void A_row_warns_when_a_course_gives_8_Gy_or_more_per_fraction(double totalDoseGy, int fractions, bool warning)
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Course("2013-03", "liver", "segment VI", (decimal)totalDoseGy, fractions));

        var row = Assert.Single(CumulativeDose.Of(c.History, Now, 10).Radiotherapy.BySite);

        Assert.Equal(warning, row.LqWarning);
    }

    [Fact]
    public void One_hypofractionated_course_makes_the_whole_row_warn()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Course("2013-03", "pelvis", null, 50, 25));
        c.Add(Course("2016-03", "pelvis", null, 27, 3));

        var row = Assert.Single(CumulativeDose.Of(c.History, Now, 10).Radiotherapy.BySite);

        Assert.Equal(2, row.Courses);
        Assert.True(row.LqWarning);
    }

    [Fact]
    public void Doxorubicin_in_mg_is_converted_with_the_line_body_surface_area_and_added_to_epirubicin_in_mg_per_m2()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Chemotherapy("2016-01", "AC", 1.8m, "doxorubicin", "cyclophosphamide"));
        for (var cycle = 1; cycle <= 6; cycle++)
            c.Add(Cycle($"2016-{cycle:00}", cycle, null, new AdministeredDose("doxorubicin", 110, "mg"), new AdministeredDose("cyclophosphamide", 1080, "mg")));
        c.Stop("2016-07", "completed");
        c.Add(Chemotherapy("2019-01", "epirubicin", null, "epirubicin"));
        for (var cycle = 1; cycle <= 4; cycle++)
            c.Add(Cycle($"2019-{cycle:00}", cycle, null, new AdministeredDose("epirubicin", 100, "mg/m2")));

        var dose = CumulativeDose.Of(c.History, Now, 10);

        // 6 x 110 mg / 1.8 m2 = 366.67 mg/m2 of doxorubicin, 4 x 100 mg/m2 x 0.8 = 320 of epirubicin.
        var alert = Assert.Single(dose.Alerts);
        Assert.Equal("limit-exceeded", alert.Level);
        Assert.Equal(686.67m, alert.Value);
        Assert.False(alert.Incomplete);
        Assert.Empty(dose.UnconvertedDoses); // cyclophosphamide is no anthracycline
        Assert.Equal(660m, Assert.Single(dose.Systemic.ByDrug, d => d.Drug == "doxorubicin").TotalAmount);
    }

    [Fact]
    public void A_cycle_body_surface_area_comes_before_the_line_one()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Chemotherapy("2016-01", "doxorubicin", 2.0m, "doxorubicin"));
        c.Add(Cycle("2016-01", 1, 1.6m, new AdministeredDose("doxorubicin", 720, "mg")));

        var alert = Assert.Single(CumulativeDose.Of(c.History, Now, 10).Alerts);

        Assert.Equal(450m, alert.Value); // 720 / 1.6, not 720 / 2.0 = 360
        Assert.Equal("warning", alert.Level);
    }

    [Fact]
    public void A_dose_in_mg_with_no_body_surface_area_is_listed_and_the_alert_says_incomplete_below_400()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Chemotherapy("2016-01", "AC", null, "doxorubicin", "cyclophosphamide", "carboplatin"));
        c.Add(Cycle("2016-01", 1, null, new AdministeredDose("doxorubicin", 60, "mg/m2"), new AdministeredDose("carboplatin", 5, "AUC")));
        var second = c.Add(Cycle("2016-02", 2, null, new AdministeredDose("doxorubicin", 110, "mg"), new AdministeredDose("cyclophosphamide", 1080, "mg")));

        var dose = CumulativeDose.Of(c.History, Now, 10);

        var unconverted = Assert.Single(dose.UnconvertedDoses); // carboplatin and cyclophosphamide are no candidates
        Assert.Equal(new UnconvertedDose(second.EntryId, "doxorubicin", 110m, "mg"), unconverted);
        var alert = Assert.Single(dose.Alerts);
        Assert.Equal(new DoseAlert("anthracycline-cumulative-dose", "info", 60m, "mg/m2", true), alert);
    }

    [Theory]
    [InlineData("doxorubicin", "mg/kg")]
    [InlineData("epirubicin", "mg")]
    [InlineData("liposomal doxorubicin", "mg/m2")]
    [InlineData("Doxorubicin Liposomal", "mg/m2")]
    [InlineData("pegylated liposomal doxorubicin", "mg/m2")]
    public void An_anthracycline_dose_that_cannot_be_counted_is_listed_never_dropped(string drug, string unit)
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Chemotherapy("2016-01", "anthracycline", null, drug));
        c.Add(Cycle("2016-01", 1, null, new AdministeredDose("doxorubicin", 450, "mg/m2")));
        var cycle = c.Add(Cycle("2016-02", 2, null, new AdministeredDose(drug, 40, unit)));

        var dose = CumulativeDose.Of(c.History, Now, 10);

        Assert.Equal(new UnconvertedDose(cycle.EntryId, drug, 40m, unit), Assert.Single(dose.UnconvertedDoses));
        Assert.Equal(new DoseAlert("anthracycline-cumulative-dose", "warning", 450m, "mg/m2", true), Assert.Single(dose.Alerts));
    }

    [Fact]
    public void Liposomal_doxorubicin_alone_gives_an_incomplete_alert_at_zero()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Chemotherapy("2016-01", "PLD", 1.7m, "liposomal doxorubicin"));
        c.Add(Cycle("2016-01", 1, null, new AdministeredDose("liposomal doxorubicin", 50, "mg/m2")));

        var dose = CumulativeDose.Of(c.History, Now, 10);

        Assert.Equal("liposomal doxorubicin", Assert.Single(dose.UnconvertedDoses).Drug);
        Assert.Equal(new DoseAlert("anthracycline-cumulative-dose", "info", 0m, "mg/m2", true), Assert.Single(dose.Alerts));
    }

    [Fact]
    public void Estimates_used_name_the_course_with_an_estimated_dose_and_not_the_others()
    {
        var c = new CaseBuilder();
        c.Open();
        var estimated = c.Add(Course("2013-03", "brain", "metastasis 1", 24, 3, "totalDoseGy"));
        c.Add(Course("2014-03", "brain", "metastasis 2", 24, 3));
        c.Add(new ImagingPerformed { OccurredOn = CaseBuilder.D("2014-04"), Modality = "MRI", Estimated = ["occurredOn"] });

        var used = CumulativeDose.Of(c.History, Now, 10).EstimatesUsed;

        Assert.Equal(new EstimateUsed(estimated.EntryId, ["totalDoseGy"]), Assert.Single(used), EstimateUsedComparer);
    }

    [Fact]
    public void Estimates_used_name_a_line_body_surface_area_only_when_it_converted_a_dose()
    {
        var c = new CaseBuilder();
        c.Open();
        var first = c.Add(Chemotherapy("2016-01", "doxorubicin", 1.8m, "doxorubicin") with { Estimated = ["bsaM2"] });
        var firstCycle = c.Add(Cycle("2016-01", 1, null, new AdministeredDose("doxorubicin", 90, "mg")) with { Estimated = ["doses[0].amount"] });
        c.Stop("2016-02", "completed");
        c.Add(Chemotherapy("2017-01", "doxorubicin", 1.8m, "doxorubicin") with { Estimated = ["bsaM2"] });
        var ownBsa = c.Add(Cycle("2017-01", 1, 1.7m, new AdministeredDose("doxorubicin", 85, "mg")) with { Estimated = ["bsaM2"] });

        var used = CumulativeDose.Of(c.History, Now, 10).EstimatesUsed;

        Assert.Equal(
            [new EstimateUsed(firstCycle.EntryId, ["doses[0].amount"]), new EstimateUsed(first.EntryId, ["bsaM2"]), new EstimateUsed(ownBsa.EntryId, ["bsaM2"])],
            used, EstimateUsedComparer);
    }

    [Fact]
    public void Estimates_used_name_what_bounds_an_oral_exposure()
    {
        var c = new CaseBuilder();
        c.Open();
        var start = c.Add(new SystemicTherapyStarted
        {
            OccurredOn = CaseBuilder.D("2012-02"), Regimen = "crizotinib", TherapyClass = "targeted",
            Agents = [new Agent("crizotinib", 250, "mg", "twice daily", 500)], Estimated = ["occurredOn", "agents[0].dailyDoseMg"],
        });
        var reduced = c.Add(new DoseAdjusted
        {
            OccurredOn = CaseBuilder.D("2013"), Drug = "crizotinib", Direction = "reduced", DailyDoseMg = 400, Estimated = ["dailyDoseMg"],
        });
        c.Add(new AdverseEventObserved { OccurredOn = CaseBuilder.D("2013"), Term = "neutropenia", Grade = 4, Estimated = ["grade"] });
        var stop = c.Add(new SystemicTherapyStopped { OccurredOn = CaseBuilder.D("2021-08"), Reason = "progression", Estimated = ["occurredOn"] });

        var used = CumulativeDose.Of(c.History, Now, 10).EstimatesUsed;

        Assert.Equal(
            [
                new EstimateUsed(start.EntryId, ["occurredOn", "agents[0].dailyDoseMg"]),
                new EstimateUsed(reduced.EntryId, ["dailyDoseMg"]),
                new EstimateUsed(stop.EntryId, ["occurredOn"]),
            ],
            used, EstimateUsedComparer);
    }

    [Fact]
    public void Two_hypofractionated_courses_of_one_row_still_make_it_warn()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Course("2013-03", "lung", "right upper lobe", 54, 3)); // 18 Gy per fraction
        c.Add(Course("2015-06", "lung", "Right upper lobe", 30, 3)); // 10 Gy per fraction

        var row = Assert.Single(CumulativeDose.Of(c.History, Now, 10).Radiotherapy.BySite);

        Assert.Equal(2, row.Courses);
        Assert.True(row.LqWarning);
    }

    [Fact]
    public void Estimates_used_name_each_estimated_field_of_a_course_that_its_row_rests_on()
    {
        var c = new CaseBuilder();
        c.Open();
        var site = c.Add(Course("2012-03", "liver", "segment VI", 45, 3, "site"));
        var target = c.Add(Course("2013-03", "brain", "metastasis 1", 24, 3, "target"));
        var dose = c.Add(Course("2014-03", "spine", "T12", 20, 5, "totalDoseGy"));
        var fractions = c.Add(Course("2015-03", "lung", null, 60, 8, "fractions"));
        c.Add(Course("2016-03", "adrenal", null, 30, 3) with { Estimated = ["intent"], Intent = "palliative" }); // no figure rests on it

        var used = CumulativeDose.Of(c.History, Now, 10).EstimatesUsed;

        Assert.Equal(
            [
                new EstimateUsed(site.EntryId, ["site"]),
                new EstimateUsed(target.EntryId, ["target"]),
                new EstimateUsed(dose.EntryId, ["totalDoseGy"]),
                new EstimateUsed(fractions.EntryId, ["fractions"]),
            ],
            used, EstimateUsedComparer);
    }

    [Fact]
    public void A_line_with_no_oral_exposure_names_no_estimate_of_its_start_or_stop()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Chemotherapy("2016-01", "AC", null, "doxorubicin", "cyclophosphamide") with { Estimated = ["occurredOn"] });
        c.Add(Cycle("2016-01", 1, null, new AdministeredDose("doxorubicin", 60, "mg/m2")));
        c.Add(Cycle("2016-02", 2, null, new AdministeredDose("doxorubicin", 60, "mg/m2")));
        c.Add(new SystemicTherapyStopped { OccurredOn = CaseBuilder.D("2016-04"), Reason = "completed", Estimated = ["occurredOn"] });

        var dose = CumulativeDose.Of(c.History, Now, 10);

        Assert.Empty(dose.Systemic.OralExposure);
        Assert.Equal(120m, Assert.Single(dose.Systemic.ByDrug).TotalAmount); // the cycles count whatever the line's dates
        Assert.Empty(dose.EstimatesUsed);
    }

    private static SystemicTherapyStarted Start(string on, string regimen, string? lineIntent, params Agent[] agents) => new()
    {
        OccurredOn = CaseBuilder.D(on), Regimen = regimen, TherapyClass = "targeted", LineIntent = lineIntent,
        Agents = agents.Length == 0 ? null : agents,
    };

    private static Agent Oral(string drug, decimal dailyDoseMg) => new(drug, null, null, null, dailyDoseMg);

    private static Agent Infused(string drug) => new(drug, null, null, null, null);

    private static int Days(string from, string to) => DateOnly.Parse(to).DayNumber - DateOnly.Parse(from).DayNumber;

    [Fact]
    public void A_start_giving_one_oral_daily_dose_among_infused_agents_is_named_and_a_change_of_an_infused_drug_is_not()
    {
        var c = new CaseBuilder();
        c.Open();
        var start = c.Add(Start("2018-01-01", "XELOX", null, Oral("capecitabine", 3000), Infused("oxaliplatin"))
            with { TherapyClass = "chemotherapy", Estimated = ["agents[0].dailyDoseMg"] });
        c.Add(new DoseAdjusted { OccurredOn = CaseBuilder.D("2018-02"), Drug = "oxaliplatin", Direction = "reduced", Estimated = ["occurredOn"] });
        c.Stop("2018-07-01", "completed");

        var dose = CumulativeDose.Of(c.History, Now, 10);

        Assert.Equal(new OralExposure("capecitabine", 3000m * Days("2018-01-01", "2018-07-01"), 181), Assert.Single(dose.Systemic.OralExposure));
        Assert.Equal([new EstimateUsed(start.EntryId, ["agents[0].dailyDoseMg"])], dose.EstimatesUsed, EstimateUsedComparer);
    }

    [Fact]
    public void Estimates_used_name_the_start_that_gives_a_daily_dose_not_those_that_only_open_or_join_the_line()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Start("2020-01-01", "pembrolizumab", null, Infused("pembrolizumab")) with { TherapyClass = "immunotherapy", Estimated = ["occurredOn"] });
        var oral = c.Add(Start("2020-01-15", "lenvatinib", LineIntent.AddToLine, Oral("lenvatinib", 20)) with { Estimated = ["occurredOn"] });
        c.Add(Start("2020-02", "investigational agent", LineIntent.AddToLine) with { Estimated = ["occurredOn"] }); // no agents given
        c.Stop("2020-05-01", "toxicity");

        var dose = CumulativeDose.Of(c.History, Now, 10);

        var days = Days("2020-01-15", "2020-05-01");
        Assert.Equal(new OralExposure("lenvatinib", 20m * days, days), Assert.Single(dose.Systemic.OralExposure));
        Assert.Equal([new EstimateUsed(oral.EntryId, ["occurredOn"])], dose.EstimatesUsed, EstimateUsedComparer);
    }

    [Fact]
    public void A_maintenance_start_with_no_daily_dose_ends_the_oral_exposure_and_its_estimated_date_is_named()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Start("2019-01-01", "capecitabine + bevacizumab", null, Oral("capecitabine", 2000), Infused("bevacizumab")));
        var maintenance = c.Add(Start("2019-04", "bevacizumab", LineIntent.Maintenance, Infused("bevacizumab")) with { Estimated = ["occurredOn"] });
        c.Stop("2020-02-01", "progression");

        var dose = CumulativeDose.Of(c.History, Now, 10);

        var days = Days("2019-01-01", "2019-04-01");
        Assert.Equal(new OralExposure("capecitabine", 2000m * days, days), Assert.Single(dose.Systemic.OralExposure));
        Assert.Equal([new EstimateUsed(maintenance.EntryId, ["occurredOn"])], dose.EstimatesUsed, EstimateUsedComparer);
    }

    [Fact]
    public void Estimates_used_name_the_dose_changes_of_each_of_two_oral_drugs_with_the_field_estimated()
    {
        var c = new CaseBuilder();
        c.Open();
        c.Add(Start("2019-01-01", "dabrafenib + trametinib", null, Oral("dabrafenib", 300), Oral("trametinib", 2)));
        var interrupted = c.Add(new DoseAdjusted { OccurredOn = CaseBuilder.D("2019-02-01"), Drug = "trametinib", Direction = "interrupted", Estimated = ["occurredOn"] });
        c.Adjust("2019-02-15", "trametinib", "resumed");
        var reduced = c.Add(new DoseAdjusted
        {
            OccurredOn = CaseBuilder.D("2019-03-01"), Drug = "Dabrafenib", Direction = "reduced", DailyDoseMg = 200, Estimated = ["dailyDoseMg"],
        });
        c.Stop("2019-07-01", "progression");

        var dose = CumulativeDose.Of(c.History, Now, 10);

        var trametinibDays = Days("2019-01-01", "2019-02-01") + Days("2019-02-15", "2019-07-01");
        Assert.Equal(
            [
                new OralExposure("dabrafenib", 300m * Days("2019-01-01", "2019-03-01") + 200m * Days("2019-03-01", "2019-07-01"), 181),
                new OralExposure("trametinib", 2m * trametinibDays, trametinibDays),
            ],
            dose.Systemic.OralExposure);
        Assert.Equal(
            [new EstimateUsed(interrupted.EntryId, ["occurredOn"]), new EstimateUsed(reduced.EntryId, ["dailyDoseMg"])],
            dose.EstimatesUsed, EstimateUsedComparer);
    }

    private static readonly IEqualityComparer<EstimateUsed> EstimateUsedComparer = EqualityComparer<EstimateUsed>.Create(
        (a, b) => a!.EntryId == b!.EntryId && a.Fields.SequenceEqual(b.Fields), e => e.EntryId.GetHashCode());
}
