using TreatmentLedger.Cohorts;
using TreatmentLedger.Entries;
using TreatmentLedger.Projections;
using TreatmentLedger.Tests.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Cohorts;

/// <summary>Per-line facts of full-date cases whose days were counted by hand.</summary>
public sealed class LineFactsTests
{
    private static void AdverseEvent(CaseBuilder c, string on, string term, int grade) =>
        c.Add(new AdverseEventObserved { OccurredOn = D(on), Term = term, Grade = grade });

    /// <summary>
    /// Crizotinib from 2016-01-10, progression 2016-06-10 (152 days), stopped for progression 2017-01-10 (366 days);
    /// alectinib 2017-02-01 to 2017-08-01, ineffective (181 days); lorlatinib from 2017-09-01, still given at a follow-up
    /// on 2018-03-11 (191 days).
    /// </summary>
    private static CaseBuilder ThreeLines()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2016-01-10", " Crizotinib ");
        AdverseEvent(c, "2016-03-01", "Neutropenia", 3);
        c.Response("2016-03-15", "PR");
        AdverseEvent(c, "2016-04-01", "Neutropenia", 4);
        AdverseEvent(c, "2016-04-15", "nausea", 2);
        c.Response("2016-05-01", "CR");
        c.Progression("2016-06-10");
        c.Response("2016-08-01", "SD");
        c.Stop("2017-01-10", "progression");
        c.Start("2017-02-01", "alectinib");
        AdverseEvent(c, "2017-03-01", "hepatitis", 5);
        c.Stop("2017-08-01", "ineffective");
        c.Start("2017-09-01", "lorlatinib");
        c.FollowUp("2018-03-11");
        return c;
    }

    [Fact]
    public void A_progression_inside_the_line_ends_its_pfs_and_its_stop_ends_its_ttd()
    {
        var line = LineFacts.Of(ThreeLines().History)[0];

        Assert.Equal((1, " Crizotinib ", "crizotinib", D("2016-01-10")), (line.LineNumber, line.Regimen, line.RegimenKey, line.StartedOn));
        Assert.Equal((false, "progression"), (line.Active, line.StopReason));
        Assert.Equal(new TimeToEvent(152, true), line.Pfs);
        Assert.Equal(new TimeToEvent(366, true), line.Ttd);
    }

    [Fact]
    public void The_facts_of_a_course_folded_for_another_view_do_not_depend_on_its_today()
    {
        var history = ThreeLines().History;
        static string Shown(IReadOnlyList<LineFact> lines) =>
            string.Join("; ", lines.Select(l => l with { Grade3PlusAdverseEvents = [] } + string.Join(",", l.Grade3PlusAdverseEvents)));

        // The dashboards fold one course for a case's row and its lines, with the day of its last recording as today.
        foreach (var today in new[] { new DateOnly(2017, 9, 2), new DateOnly(2018, 3, 11), new DateOnly(2030, 1, 1) })
            Assert.Equal(Shown(LineFacts.Of(history)), Shown(LineFacts.Of(new Course(history, new ViewPoint(null, today)))));
        // What such a today changes: an active line's duration, which the facts leave out.
        var early = new Course(history, new ViewPoint(null, new DateOnly(2017, 9, 2)));
        var late = new Course(history, new ViewPoint(null, new DateOnly(2030, 1, 1)));
        Assert.NotEqual(Lines.View(early.Lines[2], early).Duration, Lines.View(late.Lines[2], late).Duration);
    }

    [Fact]
    public void The_best_response_and_the_terms_of_grade_3_or_more_are_kept_one_per_adverse_event()
    {
        var lines = LineFacts.Of(ThreeLines().History);

        Assert.Equal("CR", lines[0].BestResponse);
        Assert.Equal(["Neutropenia", "Neutropenia"], lines[0].Grade3PlusAdverseEvents);
        Assert.Equal(["hepatitis"], lines[1].Grade3PlusAdverseEvents);
        Assert.Null(lines[1].BestResponse);
        Assert.Empty(lines[2].Grade3PlusAdverseEvents);
    }

    [Fact]
    public void A_line_stopped_as_ineffective_without_a_progression_is_a_pfs_event_at_its_stop()
    {
        var line = LineFacts.Of(ThreeLines().History)[1];

        Assert.Equal("ineffective", line.StopReason);
        Assert.Equal(new TimeToEvent(181, true), line.Pfs);
        Assert.Equal(new TimeToEvent(181, true), line.Ttd);
    }

    [Fact]
    public void An_active_line_is_censored_at_the_cases_last_contact_for_both_endpoints()
    {
        var line = LineFacts.Of(ThreeLines().History)[2];

        Assert.Equal((3, true, null), (line.LineNumber, line.Active, line.StopReason));
        Assert.Equal(new TimeToEvent(191, false), line.Pfs);
        Assert.Equal(new TimeToEvent(191, false), line.Ttd);
    }

    [Fact]
    public void A_later_follow_up_moves_the_censoring_of_an_active_line_and_nothing_else()
    {
        var c = ThreeLines();
        var before = LineFacts.Of(c.History);
        c.FollowUp("2018-09-11");
        var after = LineFacts.Of(c.History);

        Assert.Equal(new TimeToEvent(375, false), after[2].Ttd);
        Assert.Equal(new TimeToEvent(375, false), after[2].Pfs);
        Assert.Equal(before.Take(2).Select(f => (f.Pfs, f.Ttd)), after.Take(2).Select(f => (f.Pfs, f.Ttd)));
    }

    [Fact]
    public void A_death_ends_the_line_as_an_event_of_both_endpoints()
    {
        var c = new CaseBuilder();
        c.Open("2018-11");
        c.Start("2019-01-01", "doxorubicin", therapyClass: "chemotherapy");
        c.Died("2019-04-01");

        var line = Assert.Single(LineFacts.Of(c.History));

        Assert.Equal((false, "death"), (line.Active, line.StopReason));
        Assert.Equal(new TimeToEvent(90, true), line.Pfs);
        Assert.Equal(new TimeToEvent(90, true), line.Ttd);
    }

    [Fact]
    public void A_line_switched_or_stopped_for_toxicity_is_a_ttd_event_and_censored_for_pfs()
    {
        var c = new CaseBuilder();
        c.Open("2015-06");
        c.Start("2016-01-01", "A");
        c.Start("2016-03-01", "B");
        c.Stop("2016-06-10", "toxicity");

        var lines = LineFacts.Of(c.History);

        Assert.Equal(("switched", new TimeToEvent(60, false), new TimeToEvent(60, true)), (lines[0].StopReason, lines[0].Pfs, lines[0].Ttd));
        Assert.Equal(("toxicity", new TimeToEvent(101, false), new TimeToEvent(101, true)), (lines[1].StopReason, lines[1].Pfs, lines[1].Ttd));
    }

    [Fact]
    public void A_corrected_start_date_counts()
    {
        var c = new CaseBuilder();
        c.Open("2015-06");
        var start = c.Start("2016-01-10", "imatinib");
        c.Stop("2016-06-10", "toxicity");
        c.Correct(start.EntryId, start with { OccurredOn = D("2016-02-10") });

        var line = Assert.Single(LineFacts.Of(c.History));

        Assert.Equal(D("2016-02-10"), line.StartedOn);
        Assert.Equal(new TimeToEvent(121, true), line.Ttd);
        Assert.Equal(new TimeToEvent(121, false), line.Pfs);
    }

    [Fact]
    public void A_retracted_line_is_no_line_and_no_contact()
    {
        var c = new CaseBuilder();
        c.Open("2015-06");
        c.Start("2016-01-01", "A");
        c.FollowUp("2016-03-01");
        var wrong = c.Start("2016-06-01", "B");
        c.Retract(wrong.EntryId);

        var line = Assert.Single(LineFacts.Of(c.History));

        Assert.Equal(("a", true), (line.RegimenKey, line.Active));
        Assert.Equal(new TimeToEvent(60, false), line.Ttd);
        Assert.Equal(new TimeToEvent(60, false), line.Pfs);
    }

    [Fact]
    public void A_case_without_a_line_has_no_facts()
    {
        var c = new CaseBuilder();
        c.Open();
        c.FollowUp("2016-01");

        Assert.Empty(LineFacts.Of(c.History));
    }
}
