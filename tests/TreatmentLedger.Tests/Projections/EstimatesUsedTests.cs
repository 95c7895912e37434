using TreatmentLedger.Entries;
using TreatmentLedger.Projections;
using static TreatmentLedger.Tests.Projections.CaseBuilder;

namespace TreatmentLedger.Tests.Projections;

/// <summary>Which estimated fields each answer says it used (DOMAIN.md, Estimated values): exactly those it read.</summary>
public sealed class EstimatesUsedTests
{
    private static readonly ViewPoint Now = new(null, new DateOnly(2026, 11, 27));

    private static List<string> Listed(IReadOnlyList<EstimateUsed> used, params Entry[] order) =>
        used.Select(u => $"{Array.FindIndex(order, e => e.EntryId == u.EntryId)}:{string.Join(",", u.Fields)}").ToList();

    [Theory]
    [InlineData("agents", "agents[0].dose", true)]
    [InlineData("agents", "agents", true)]
    [InlineData("agents", "agent", false)]
    [InlineData("agent", "agents[0].dose", false)]
    [InlineData("doses", "doses.amount", true)]
    [InlineData("dose", "doses[0].amount", false)]
    [InlineData("occurredOn", "endedOn", false)]
    [InlineData("*", "endedOn", true)]
    public void A_field_read_covers_the_estimated_names_under_it(string read, string estimated, bool listed)
    {
        var entry = new ImagingPerformed { EntryId = Guid.NewGuid(), OccurredOn = D("2020"), Modality = "MRI", Estimated = [estimated] };

        var used = new EstimatesUsed().Use(entry, read).List();

        Assert.Equal(listed ? [estimated] : [], used.SelectMany(u => u.Fields));
    }

    [Fact]
    public void An_entry_is_listed_once_with_each_field_once_in_the_order_first_used()
    {
        var a = new ImagingPerformed { EntryId = Guid.NewGuid(), OccurredOn = D("2020"), Modality = "MRI", Estimated = ["occurredOn", "modality"] };
        var b = new ImagingPerformed { EntryId = Guid.NewGuid(), OccurredOn = D("2021"), Modality = "CT", Estimated = ["occurredOn"] };

        var used = new EstimatesUsed().Use(b, "occurredOn").Use(a, "modality").Use(a, "modality", "occurredOn").Use(b, "*").List();

        Assert.Equal(["1:occurredOn", "0:modality,occurredOn"], Listed(used, a, b));
    }

    /// <summary>Every entry estimated in every field it gives; the answers must name only the fields they read.</summary>
    private static (CaseBuilder Case, Entry[] Entries) AllEstimated(bool died)
    {
        var c = new CaseBuilder();
        var entries = new List<Entry>
        {
            c.Add(new CaseOpened { OccurredOn = D("2015-01"), PatientRef = "TEST-0002", Sex = "male", BirthYear = 1960, Estimated = ["occurredOn", "birthYear"] }),
            c.Add(new BiopsyPerformed { OccurredOn = D("2015-02"), Technique = "core", Site = "lung", Diagnosis = "NSCLC", Estimated = ["occurredOn", "site", "diagnosis"] }),
            c.Add(new SystemicTherapyStarted { OccurredOn = D("2015-03"), Regimen = "A", TherapyClass = "targeted", Estimated = ["occurredOn", "regimen"] }),
            c.Add(new ProgressionObserved { OccurredOn = D("2015-09"), Scope = "metastatic", Sites = ["liver"], Estimated = ["occurredOn", "sites"] }),
            c.Add(new SystemicTherapyStarted { OccurredOn = D("2015-10"), Regimen = "B", TherapyClass = "targeted", Estimated = ["occurredOn", "regimen"] }),
            c.Add(new SystemicTherapyStopped { OccurredOn = D("2016-01"), Reason = "ineffective", Estimated = ["occurredOn", "reason"] }),
            c.Add(new FollowUpRecorded { OccurredOn = D("2016-06"), VitalStatus = "alive", Estimated = ["occurredOn", "vitalStatus"] }),
        };
        if (died) entries.Add(c.Add(new PatientDied { OccurredOn = D("2016-08"), Cause = "progression", Estimated = ["occurredOn", "cause"] }));
        return (c, entries.ToArray());
    }

    [Fact]
    public void Progression_free_intervals_name_the_dates_that_bound_them_and_the_reason_of_an_inferred_event()
    {
        var (c, e) = AllEstimated(died: false);

        var used = ProgressionFreeIntervals.Of(c.History, Now).EstimatesUsed;

        // Per line: A from its start to the progression; B from its start to its stop for ineffectiveness.
        // Case level: diagnosis, the progression, the inferred event, censored at the follow-up.
        Assert.Equal(["2:occurredOn", "3:occurredOn", "4:occurredOn", "5:occurredOn,reason", "1:occurredOn", "6:occurredOn"], Listed(used, e));
    }

    [Fact]
    public void Progression_free_intervals_of_a_deceased_case_name_the_death_not_the_follow_up()
    {
        var (c, e) = AllEstimated(died: true);

        var used = ProgressionFreeIntervals.Of(c.History, Now).EstimatesUsed;

        Assert.Contains("7:occurredOn", Listed(used, e));
        Assert.DoesNotContain(Listed(used, e), s => s.StartsWith("6:", StringComparison.Ordinal));
    }

    [Fact]
    public void Outcomes_name_diagnosis_metastasis_line_bounds_and_the_last_contact()
    {
        var (c, e) = AllEstimated(died: false);

        var used = Outcomes.Of(c.History, Now).EstimatesUsed;

        Assert.Equal(["1:occurredOn", "6:occurredOn", "3:occurredOn", "2:occurredOn", "4:occurredOn", "5:occurredOn,reason"], Listed(used, e));
    }

    [Fact]
    public void Outcomes_of_a_deceased_case_name_the_death()
    {
        var (c, e) = AllEstimated(died: true);

        var used = Listed(Outcomes.Of(c.History, Now).EstimatesUsed, e);

        Assert.Equal(["1:occurredOn", "7:occurredOn", "3:occurredOn", "2:occurredOn", "4:occurredOn", "5:occurredOn,reason"], used);
    }

    [Fact]
    public void Time_to_next_treatment_of_the_last_line_names_the_death_that_ends_it()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        var start = c.Add(new SystemicTherapyStarted { OccurredOn = D("2015-03"), Regimen = "A", TherapyClass = "targeted" });
        c.Stop("2015-06", "completed");
        var died = c.Add(new PatientDied { OccurredOn = D("2016-08"), Estimated = ["occurredOn"] });

        var view = Outcomes.Of(c.History, Now);

        Assert.Equal("death", view.Lines[0].TimeToNextTreatment.EndReason);
        Assert.Equal([died.EntryId], view.EstimatesUsed.Select(u => u.EntryId));
        Assert.NotEqual(start.EntryId, died.EntryId);
    }

    [Fact]
    public void An_active_line_names_the_last_contact_it_is_censored_at_and_a_stopped_one_does_not()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-03", "A");
        var visit = c.Add(new FollowUpRecorded { OccurredOn = D("2015-09"), VitalStatus = "alive", Estimated = ["occurredOn"] });

        var active = Assert.Single(Lines.Of(c.History, Now));
        Assert.Equal([visit.EntryId], active.EstimatesUsed.Select(u => u.EntryId));

        c.Stop("2015-12", "completed");
        c.FollowUp("2016-01");
        var stopped = Assert.Single(Lines.Of(c.History, Now));
        Assert.Empty(stopped.EstimatesUsed);
    }

    [Fact]
    public void A_view_before_the_case_began_has_no_last_contact_and_no_outcome()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-03", "A");

        var view = Outcomes.Of(c.History, new ViewPoint(new DateOnly(2014, 1, 1), new DateOnly(2026, 11, 27)));

        Assert.Null(view.OverallSurvival);
        Assert.Empty(view.Lines);
        Assert.Empty(ProgressionFreeIntervals.Of(c.History, new ViewPoint(new DateOnly(2014, 1, 1), new DateOnly(2026, 11, 27))).Intervals);
    }

    [Fact]
    public void A_line_lists_every_kind_of_entry_it_shows_and_none_it_does_not()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        IReadOnlyList<string> all = ["occurredOn"];
        var shown = new List<Entry>
        {
            c.Add(new SystemicTherapyStarted { OccurredOn = D("2015-02"), Regimen = "A", TherapyClass = "chemotherapy", Estimated = all }),
            c.Add(new SystemicTherapyStarted { OccurredOn = D("2015-02"), Regimen = "ondansetron", TherapyClass = "supportive", Estimated = all }),
            c.Add(new CycleAdministered { OccurredOn = D("2015-03"), Cycle = 1, Doses = [new AdministeredDose("A", 1, "mg")], Estimated = all }),
            c.Add(new DoseAdjusted { OccurredOn = D("2015-04"), Drug = "A", Direction = "reduced", Estimated = all }),
            c.Add(new AdverseEventObserved { OccurredOn = D("2015-05"), Term = "nausea", Grade = 1, Estimated = all }),
            c.Add(new ResponseAssessed { OccurredOn = D("2015-06"), Response = "PR", Method = "CT", Estimated = all }),
            c.Add(new ProgressionObserved { OccurredOn = D("2015-07"), Scope = "local", Estimated = all }),
            c.Add(new SurgeryPerformed { OccurredOn = D("2015-08"), Procedure = "p", Site = "s", Intent = "local-control", Margin = "R0", Estimated = all }),
            c.Add(new RadiotherapyDelivered { OccurredOn = D("2015-09"), Site = "s", Technique = "SBRT", TotalDoseGy = 24, Fractions = 3, Estimated = all }),
            c.Add(new EmbolizationPerformed { OccurredOn = D("2015-10"), Site = "s", Estimated = all }),
        };
        var notShown = new List<Entry>
        {
            c.Add(new ImagingPerformed { OccurredOn = D("2015-10"), Modality = "CT", Estimated = all }),
            c.Add(new TreatmentDecisionRecorded { OccurredOn = D("2015-10"), Treatment = "t", Decision = "planned", Estimated = all }),
        };
        shown.Add(c.Add(new SystemicTherapyStopped { OccurredOn = D("2015-11"), Reason = "completed", Estimated = all }));

        var line = Assert.Single(Lines.Of(c.History, Now));

        Assert.Equal(shown.Select(e => e.EntryId), line.EstimatesUsed.Select(u => u.EntryId));
        Assert.DoesNotContain(line.EstimatesUsed, u => notShown.Any(e => e.EntryId == u.EntryId));
    }

    [Fact]
    public void A_line_ended_by_death_lists_the_death()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-02", "A");
        var died = c.Add(new PatientDied { OccurredOn = D("2015-09"), Estimated = ["occurredOn"] });

        Assert.Equal([died.EntryId], Assert.Single(Lines.Of(c.History, Now)).EstimatesUsed.Select(u => u.EntryId));
    }

    [Fact]
    public void An_active_line_ended_by_a_progression_does_not_list_the_last_contact()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-02", "A");
        c.Progression("2015-06");
        c.Add(new FollowUpRecorded { OccurredOn = D("2015-09"), VitalStatus = "alive", Estimated = ["occurredOn"] });

        Assert.Empty(Assert.Single(Lines.Of(c.History, Now)).EstimatesUsed);
    }

    [Fact]
    public void Intervals_list_the_last_contact_an_active_line_is_censored_at_and_a_progression_between_lines()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-02", "A");
        c.Stop("2015-05", "completed");
        var between = c.Progression("2015-07", estimated: ["occurredOn"]);
        c.Start("2015-08", "B");
        var visit = c.Add(new FollowUpRecorded { OccurredOn = D("2016-01"), VitalStatus = "alive", Estimated = ["occurredOn"] });

        var view = ProgressionFreeIntervals.Of(c.History, Now);

        Assert.Equal([visit.EntryId, between.EntryId], view.EstimatesUsed.Select(u => u.EntryId));
        Assert.Equal(D("2016-01"), view.PerLine[1].EndedOn);
    }

    [Fact]
    public void Outcomes_list_the_stop_date_a_treatment_free_interval_starts_from()
    {
        var c = new CaseBuilder();
        c.Open("2015-01");
        c.Start("2015-02", "A");
        var stop = c.Add(new SystemicTherapyStopped { OccurredOn = D("2015-05"), Reason = "completed", Estimated = ["occurredOn"] });
        c.FollowUp("2016-01");

        var view = Outcomes.Of(c.History, Now);

        Assert.Equal(("censored", 245), (view.Lines[0].TreatmentFreeInterval!.EndReason, view.Lines[0].TreatmentFreeInterval!.Days));
        Assert.Equal([stop.EntryId], view.EstimatesUsed.Select(u => u.EntryId));
    }
}
