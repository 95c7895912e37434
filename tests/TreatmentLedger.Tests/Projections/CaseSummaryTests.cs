using TreatmentLedger.Entries;
using TreatmentLedger.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Projections;

/// <summary><c>GET /cases/{id}</c>'s facts: who, status, diagnosis, current line, and the estimates they rest on.</summary>
public sealed class CaseSummaryTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    private static CaseSummaryView Summary(CaseBuilder c, DateOnly? asOf = null) => CaseFacts.Of(c.History, asOf).View(Guid.Empty, Now);

    /// <summary>The estimated fields a summary names, as (entry, fields joined by commas).</summary>
    private static List<(Guid EntryId, string Fields)> Used(CaseSummaryView summary) =>
        summary.EstimatesUsed.Select(u => (u.EntryId, string.Join(",", u.Fields))).ToList();

    [Fact]
    public void The_summary_names_exactly_the_estimated_fields_it_shows()
    {
        var c = new CaseBuilder();
        var opened = c.Add(new CaseOpened { OccurredOn = D("2007-02"), PatientRef = "TEST-0003", Sex = "female", BirthYear = 1992, Presentation = "pain",
            Estimated = ["birthYear", "presentation"] });
        var biopsy = c.Add(new BiopsyPerformed { OccurredOn = D("2007-02"), Technique = "micro", Site = "axilla", Diagnosis = "fibromatous tumour",
            Estimated = ["occurredOn", "site"] });
        var reread = c.Add(new BiopsyReread { OccurredOn = D("2007-03"), Reviewer = "expert", Diagnosis = "IMT", Estimated = ["occurredOn", "diagnosis"] });
        c.Add(new ImagingPerformed { OccurredOn = D("2008-01"), Modality = "MRI", Estimated = ["occurredOn"] });
        var start = c.Add(new SystemicTherapyStarted { OccurredOn = D("2012-02"), Regimen = "crizotinib", TherapyClass = "targeted",
            Agents = [new Agent("crizotinib", 250, "mg", null, 500)], Estimated = ["agents[0].dose", "occurredOn"] });
        var progression = c.Progression("2012-09", estimated: ["occurredOn"]);
        var stop = c.Add(new SystemicTherapyStopped { OccurredOn = D("2021-08"), Reason = "progression", Estimated = ["reason"] });
        var died = c.Add(new PatientDied { OccurredOn = D("2023-03"), Cause = "sepsis", Estimated = ["occurredOn", "cause"] });

        var summary = Summary(c);

        Assert.Equal(
            [
                (opened.EntryId, "birthYear"), (biopsy.EntryId, "occurredOn"), (reread.EntryId, "diagnosis"), (start.EntryId, "occurredOn"),
                (stop.EntryId, "reason"), (progression.EntryId, "occurredOn"), (died.EntryId, "occurredOn"),
            ],
            Used(summary));
        Assert.Equal(("deceased", "IMT", 1), (summary.Status, summary.Diagnosis!.Text, summary.LineCount));
        Assert.Equal(D("2012-09"), summary.LastProgressionOn);
        Assert.Equal(D("2023-03"), summary.DiedOn);
    }

    [Fact]
    public void The_last_progression_counts_a_treatment_failure_as_the_intervals_do_and_an_observed_one_wins_its_anchor()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-02", "crizotinib");
        c.Progression("2016-03");
        c.Start("2016-04", "alectinib", lineIntent: "new-line");
        var failed = c.Add(new SystemicTherapyStopped { OccurredOn = D("2016-09"), Reason = "ineffective", Estimated = ["reason"] });

        var summary = Summary(c);

        // alectinib stopped as ineffective with no progression recorded inside it: a progression on its stop's date.
        Assert.Equal(D("2016-09"), summary.LastProgressionOn);
        Assert.Contains((failed.EntryId, "reason"), Used(summary));
        var intervals = ProgressionFreeIntervals.Of(c.History, Now).Intervals;
        Assert.Equal(intervals.Last(i => i.To.Reason == "progression").To.On, summary.LastProgressionOn);
        Assert.Equal(D("2016-03"), Summary(c, new DateOnly(2016, 8, 31)).LastProgressionOn);

        // A progression recorded inside the line, on the stop's own date: the observed one, and the stop infers nothing.
        var observed = new CaseBuilder();
        observed.Open("2015-01");
        observed.Start("2015-02", "crizotinib");
        var progression = observed.Progression("2015-10", estimated: ["occurredOn"]);
        observed.Stop("2015-10", "progression");
        var seen = Summary(observed);
        Assert.Equal(D("2015-10"), seen.LastProgressionOn);
        Assert.Contains((progression.EntryId, "occurredOn"), Used(seen));
    }

    [Fact]
    public void The_last_treatment_failure_of_earlier_lines_counts_with_its_estimated_reason_and_an_observed_progression_wins_its_anchor()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-02", "crizotinib");
        var early = c.Add(new SystemicTherapyStopped { OccurredOn = D("2015-06"), Reason = "ineffective", Estimated = ["reason"] });
        c.Start("2015-07", "alectinib", lineIntent: "new-line");
        var late = c.Add(new SystemicTherapyStopped { OccurredOn = D("2016-02"), Reason = "progression", Estimated = ["occurredOn", "reason"] });
        c.Start("2016-03", "lorlatinib", lineIntent: "new-line");

        var summary = Summary(c);
        var used = Used(summary);

        // Two lines ended by treatment failure, neither the current line: the later one is the last progression.
        Assert.Equal(D("2016-02"), summary.LastProgressionOn);
        Assert.Contains((late.EntryId, "occurredOn,reason"), used);
        Assert.DoesNotContain(used, u => u.EntryId == early.EntryId);

        // A progression observed on the failure's own date, after the stop: the observed one is the one named.
        var tie = new CaseBuilder();
        tie.Open("2015-01");
        tie.Start("2015-02", "crizotinib");
        var stop = tie.Add(new SystemicTherapyStopped { OccurredOn = D("2015-06"), Reason = "ineffective", Estimated = ["reason"] });
        var observed = tie.Progression("2015-06", estimated: ["occurredOn"]);
        tie.Start("2015-07", "alectinib", lineIntent: "new-line");
        var tied = Summary(tie);
        var tiedUsed = Used(tied);
        Assert.Equal(D("2015-06"), tied.LastProgressionOn);
        Assert.Contains((observed.EntryId, "occurredOn"), tiedUsed);
        Assert.DoesNotContain(tiedUsed, u => u.EntryId == stop.EntryId);
    }

    [Fact]
    public void Seen_from_before_the_case_opened_the_facts_still_name_the_patient_and_the_estimates_they_rest_on()
    {
        var c = new CaseBuilder();
        var opened = c.Add(new CaseOpened { OccurredOn = D("2015-03"), PatientRef = "TEST-0005", Sex = "female", BirthYear = 1980,
            Estimated = ["birthYear"] });
        c.Start("2015-04", "imatinib");

        var before = Summary(c, new DateOnly(2014, 6, 1));

        Assert.Equal(("TEST-0005", "female", 1980), (before.PatientRef, before.Sex, before.BirthYear));
        Assert.Equal((0, "off-treatment"), (before.LineCount, before.Status));
        Assert.Equal([(opened.EntryId, "birthYear")], Used(before));
    }

    [Fact]
    public void Without_a_biopsy_the_diagnosis_is_the_opening_and_its_date_estimate_counts()
    {
        var c = new CaseBuilder();
        var opened = c.Add(new CaseOpened { OccurredOn = D("2010-05"), PatientRef = "TEST-0004", Sex = "male", Estimated = ["occurredOn"] });

        var summary = Summary(c);

        Assert.Equal(D("2010-05"), summary.Diagnosis!.On);
        Assert.Null(summary.Diagnosis.Text);
        Assert.Equal([(opened.EntryId, "occurredOn")], Used(summary));
        Assert.Equal(("off-treatment", 0), (summary.Status, summary.LineCount));
        Assert.Null(summary.CurrentLine);
    }

    [Fact]
    public void An_active_line_s_summary_runs_to_today_and_names_no_stop()
    {
        var c = new CaseBuilder();
        c.Open("2020-01");
        c.Start("2020-02-01", "imatinib");
        c.Start("2020-06-01", "ondansetron", therapyClass: "supportive");

        var summary = Summary(c);

        Assert.Equal("on-treatment", summary.Status);
        Assert.Equal(("imatinib", true), (summary.CurrentLine!.Regimen, summary.CurrentLine.Active));
        Assert.Equal(new DateOnly(2026, 11, 27).DayNumber - new DateOnly(2020, 2, 1).DayNumber, summary.CurrentLine.Duration.Days);
        Assert.True(summary.CurrentLine.Duration.Censored);
        Assert.Equal("2020-01", summary.Diagnosis!.On.ToString());
        Assert.Null(summary.LastProgressionOn);
        Assert.Null(summary.DiedOn);
        Assert.Equal(3, summary.Version);
    }
}
