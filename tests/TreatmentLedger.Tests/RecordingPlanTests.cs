using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Recording;
using TreatmentLedger.Tests.Support;

namespace TreatmentLedger.Tests;

public sealed class RecordingPlanTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private static (IReadOnlyList<PlannedEntry> Plan, Refusal? Refusal) Decide(CaseHistory history, params Entry[] entries) =>
        RecordingPlan.Decide(CaseContext.Of(Guid.Empty, history), entries, Now, Guid.NewGuid);

    private static IReadOnlyList<PlannedEntry> Accepted(CaseHistory history, params Entry[] entries)
    {
        var (plan, refusal) = Decide(history, entries);
        Assert.True(refusal is null, $"refused: {refusal}");
        Assert.Equal(entries.Length, plan.Count);
        return plan;
    }

    private static Refusal Refused(CaseHistory history, params Entry[] entries)
    {
        var (_, refusal) = Decide(history, entries);
        Assert.NotNull(refusal);
        Assert.False(string.IsNullOrWhiteSpace(refusal.Detail));
        return refusal;
    }

    [Fact]
    public void A_new_entry_is_planned_for_appending()
    {
        var imaging = E.Imaging("2020-01");

        var planned = Assert.Single(Accepted(HistoryBuilder.Of(), imaging));

        Assert.True(planned.IsNew);
        Assert.Null(planned.AlreadyRecorded);
        Assert.Equal(imaging.EntryId, planned.Entry.EntryId);
    }

    [Fact]
    public void A_clinical_entry_without_entryId_gets_one_from_the_server()
    {
        var id = Guid.NewGuid();
        var imaging = E.Imaging("2020-01") with { EntryId = Guid.Empty };

        var (plan, _) = RecordingPlan.Decide(CaseContext.Of(Guid.Empty, HistoryBuilder.Of()), [imaging], Now, () => id);

        Assert.Equal(id, Assert.Single(plan).Entry.EntryId);
    }

    [Fact]
    public void Entries_without_entryId_are_never_taken_for_repeats()
    {
        var imaging = E.Imaging("2020-01") with { EntryId = Guid.Empty };

        var plan = Accepted(HistoryBuilder.Of(), imaging, imaging);

        Assert.All(plan, p => Assert.True(p.IsNew));
        Assert.NotEqual(plan[0].Entry.EntryId, plan[1].Entry.EntryId);
    }

    // Idempotency

    [Fact]
    public void The_same_entryId_with_the_same_content_repeats_the_recorded_entry()
    {
        var imaging = E.Imaging("2020-01");
        var builder = new HistoryBuilder().Add(E.Opened(), imaging);
        var history = builder.Build();

        var planned = Assert.Single(Accepted(history, imaging with { }));

        Assert.False(planned.IsNew);
        Assert.Same(history.Recorded[1], planned.AlreadyRecorded);
    }

    [Fact]
    public void The_same_entryId_with_other_content_is_a_conflict()
    {
        var imaging = E.Imaging("2020-01", "first read");
        var history = HistoryBuilder.Of(imaging);

        var refusal = Refused(history, imaging with { Findings = "second read" });

        Assert.Equal(RefusalKind.Conflict, refusal.Kind);
        Assert.Equal(0, refusal.Index);
    }

    [Fact]
    public void The_same_entryId_as_another_type_is_a_conflict()
    {
        var imaging = E.Imaging("2020-01");

        var refusal = Refused(HistoryBuilder.Of(imaging), E.Progression("2020-01", imaging.EntryId));

        Assert.Equal(RefusalKind.Conflict, refusal.Kind);
    }

    [Fact]
    public void A_repeat_answers_like_the_first_time_even_when_the_rules_would_now_refuse_it()
    {
        // The cycle was accepted while the line was active; the line has stopped since.
        var cycle = E.Cycle("2012-03");
        var history = HistoryBuilder.Of(E.Start("2012-02"), cycle, E.Stop("2012-02-20"));

        var planned = Assert.Single(Accepted(history, cycle));

        Assert.False(planned.IsNew);
    }

    [Fact]
    public void A_repeat_of_a_corrected_entry_as_first_recorded_still_repeats_it()
    {
        var imaging = E.Imaging("2020-01");
        var history = HistoryBuilder.Of(imaging, E.Correct(imaging.EntryId, E.Imaging("2020-02")));

        Assert.False(Assert.Single(Accepted(history, imaging)).IsNew);
    }

    [Fact]
    public void An_identical_retraction_repeats_the_latest_one()
    {
        var imaging = E.Imaging("2020-01");
        var retraction = E.Retract(imaging.EntryId, "wrong case");
        var history = HistoryBuilder.Of(imaging, retraction);

        var planned = Assert.Single(Accepted(history, E.Retract(imaging.EntryId, "wrong case")));

        Assert.False(planned.IsNew);
        Assert.Equal(history.Recorded[^1].Version, planned.AlreadyRecorded!.Version);
        Assert.Same(history.Recorded[^1].Entry, planned.AlreadyRecorded.Entry);
    }

    [Fact]
    public void Another_retraction_of_a_retracted_entry_is_refused_by_the_rules()
    {
        var imaging = E.Imaging("2020-01");
        var history = HistoryBuilder.Of(imaging, E.Retract(imaging.EntryId, "wrong case"));

        var refusal = Refused(history, E.Retract(imaging.EntryId, "another reason"));

        Assert.Equal(RefusalKind.RuleBroken, refusal.Kind);
    }

    [Fact]
    public void An_identical_correction_repeats_the_latest_correction()
    {
        var imaging = E.Imaging("2020-01");
        var history = HistoryBuilder.Of(imaging, E.Correct(imaging.EntryId, E.Imaging("2020-02", "re-read"), "re-read"));

        var planned = Assert.Single(Accepted(history, E.Correct(imaging.EntryId, E.Imaging("2020-02", "re-read"), "re-read")));

        Assert.False(planned.IsNew);
        Assert.Equal(history.Recorded[^1].Version, planned.AlreadyRecorded!.Version);
        Assert.Same(history.Recorded[^1].Entry, planned.AlreadyRecorded.Entry);
    }

    [Fact]
    public void An_older_correction_sent_again_after_a_newer_one_acts_anew()
    {
        var imaging = E.Imaging("2020-01");
        var first = E.Correct(imaging.EntryId, E.Imaging("2020-02", "first re-read"), "re-read");
        var history = HistoryBuilder.Of(imaging, first, E.Correct(imaging.EntryId, E.Imaging("2020-03", "second re-read"), "re-read"));

        var planned = Assert.Single(Accepted(history, first with { }));

        Assert.True(planned.IsNew);
    }

    [Fact]
    public void A_different_correction_of_the_same_entry_acts_anew()
    {
        var imaging = E.Imaging("2020-01");
        var history = HistoryBuilder.Of(imaging, E.Correct(imaging.EntryId, E.Imaging("2020-02")));

        Assert.True(Assert.Single(Accepted(history, E.Correct(imaging.EntryId, E.Imaging("2020-03")))).IsNew);
    }

    // Rules, as CaseRules judges them, through the plan

    [Fact]
    public void A_rule_broken_is_refused_as_such()
    {
        var refusal = Refused(HistoryBuilder.Of(), E.Cycle("2020-01"));

        Assert.Equal(RefusalKind.RuleBroken, refusal.Kind);
        Assert.Equal(0, refusal.Index);
    }

    [Fact]
    public void A_late_entry_recorded_out_of_order_is_judged_at_its_clinical_date()
    {
        var history = HistoryBuilder.Of(E.Start("2012-02"), E.Stop("2021-08"), E.Died("2023-03"));

        Assert.True(Assert.Single(Accepted(history, E.Cycle("2014-05"))).IsNew);
        Assert.Equal(RefusalKind.RuleBroken, Refused(history, E.Cycle("2022-05")).Kind);
        Assert.Equal(RefusalKind.RuleBroken, Refused(history, E.Imaging("2023-04")).Kind);
        Assert.True(Assert.Single(Accepted(history, E.Imaging("2023-02"))).IsNew);
    }

    // Batches

    [Fact]
    public void A_batch_is_judged_by_the_line_rule_on_the_case_it_leaves_so_a_start_may_follow_its_cycles()
    {
        var start = E.Start("2012-02");
        var cycle = E.Cycle("2012-03");

        var plan = Accepted(HistoryBuilder.Of(), start, cycle);
        Assert.Equal(new[] { start.EntryId, cycle.EntryId }, plan.Select(p => p.Entry.EntryId));

        var late = Accepted(HistoryBuilder.Of(), cycle, start);
        Assert.Equal(new[] { cycle.EntryId, start.EntryId }, late.Select(p => p.Entry.EntryId));
    }

    [Fact]
    public void A_batch_whose_own_stop_leaves_a_cycle_outside_any_line_is_refused_at_that_cycle()
    {
        var refusal = Refused(HistoryBuilder.Of(), E.Start("2012-01"), E.Cycle("2012-03"), E.Stop("2012-02"));

        Assert.Equal(1, refusal.Index);
        Assert.Equal(RefusalKind.RuleBroken, refusal.Kind);
    }

    [Fact]
    public void A_batch_whose_own_death_comes_before_an_entry_listed_earlier_is_refused_at_that_entry()
    {
        var refusal = Refused(HistoryBuilder.Of(), E.Imaging("2024-03"), E.Died("2024-01"));

        Assert.Equal(0, refusal.Index);
        Assert.Contains("after the patient's death", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_with_two_deaths_is_refused_at_the_second()
    {
        var refusal = Refused(HistoryBuilder.Of(), E.Died("2024-01"), E.Imaging("2023-06"), E.Died("2023-12"));

        Assert.Equal(2, refusal.Index);
        Assert.Contains("already recorded", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_names_the_first_entry_that_breaks_a_rule()
    {
        var refusal = Refused(HistoryBuilder.Of(),
            E.Imaging("2012-01"), E.Start("2012-02"), E.Cycle("2012-03"), E.Stop("2012-04"), E.Cycle("2012-05"), E.Cycle("2012-06"));

        Assert.Equal(4, refusal.Index);
        Assert.Equal(RefusalKind.RuleBroken, refusal.Kind);
    }

    [Fact]
    public void A_batch_may_act_on_entries_it_records_itself()
    {
        var imaging = E.Imaging("2020-01");

        var plan = Accepted(HistoryBuilder.Of(), imaging, E.Correct(imaging.EntryId, E.Imaging("2020-02")), E.Retract(imaging.EntryId));

        Assert.All(plan, p => Assert.True(p.IsNew));
    }

    [Fact]
    public void A_batch_may_not_retract_an_entry_twice()
    {
        var imaging = E.Imaging("2020-01");

        var refusal = Refused(HistoryBuilder.Of(imaging), E.Retract(imaging.EntryId, "a"), E.Retract(imaging.EntryId, "b"));

        Assert.Equal(1, refusal.Index);
        Assert.Equal(RefusalKind.RuleBroken, refusal.Kind);
    }

    [Fact]
    public void A_death_in_a_batch_bars_later_dated_entries_of_the_same_batch()
    {
        var refusal = Refused(HistoryBuilder.Of(), E.Imaging("2023-01"), E.Died("2023-03"), E.Imaging("2023-02"), E.Imaging("2023-05"));

        Assert.Equal(3, refusal.Index);
    }

    [Fact]
    public void A_batch_that_repeats_an_entry_of_its_own_with_other_content_is_a_conflict_at_that_index()
    {
        var imaging = E.Imaging("2020-01", "first");

        var refusal = Refused(HistoryBuilder.Of(), imaging, E.Imaging("2020-05"), imaging with { Findings = "second" });

        Assert.Equal(2, refusal.Index);
        Assert.Equal(RefusalKind.Conflict, refusal.Kind);
    }

    [Fact]
    public void A_batch_mixing_repeats_and_new_entries_plans_only_the_new_ones()
    {
        var recorded = E.Imaging("2020-01");
        var fresh = E.Imaging("2020-02");

        var plan = Accepted(HistoryBuilder.Of(recorded), recorded, fresh);

        Assert.False(plan[0].IsNew);
        Assert.True(plan[1].IsNew);
    }

    [Fact]
    public void Deciding_changes_nothing_in_the_history()
    {
        var history = HistoryBuilder.Of(E.Imaging("2020-01"));
        var before = history.Recorded.Count;

        Decide(history, E.Imaging("2020-02"), E.Start("2020-03"), E.Cycle("2020-04"));

        Assert.Equal(before, history.Recorded.Count);
        Assert.Equal(before, history.Version);
    }
}
