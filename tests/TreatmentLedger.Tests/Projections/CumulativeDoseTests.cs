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
    }
}
