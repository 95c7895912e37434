using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Recording;
using TreatmentLedger.Tests.Support;

namespace TreatmentLedger.Tests;

public sealed class CaseRulesTests
{
    /// <summary>The three entry types that need a line active at their point of clinical order.</summary>
    public static TheoryData<string> NeedALine => new() { "cycle", "dose-adjusted", "stopped" };

    private static ClinicalEntry NeedingALine(string kind, string on) => kind switch
    {
        "cycle" => E.Cycle(on),
        "dose-adjusted" => E.Adjusted(on),
        "stopped" => E.Stop(on),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Why recording the entries (one request) after everything in the history is refused, or null.</summary>
    private static string? Violation(CaseHistory history, IReadOnlyList<Entry> request) =>
        RecordingPlan.Decide(CaseContext.Of(Guid.Empty, history), request, DateTimeOffset.UtcNow, Guid.NewGuid).Refusal?.Detail;

    private static void AssertAccepted(CaseHistory history, Entry entry) => AssertAccepted(history, [entry]);

    private static void AssertAccepted(CaseHistory history, IReadOnlyList<Entry> request)
    {
        var violation = Violation(history, request);
        Assert.True(violation is null, $"expected {string.Join(", ", request.Select(e => e.Type))} to be accepted, refused: {violation}");
    }

    private static string AssertRefused(CaseHistory history, Entry entry)
    {
        var violation = Violation(history, [entry]);
        Assert.False(string.IsNullOrWhiteSpace(violation), $"expected {entry.Type} to be refused");
        return violation!;
    }

    // Lines of therapy

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void Needs_a_line_when_none_was_ever_started(string kind) =>
        AssertRefused(HistoryBuilder.Of(E.Imaging("2012-01")), NeedingALine(kind, "2012-03"));

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void Is_accepted_while_a_line_is_active(string kind) =>
        AssertAccepted(HistoryBuilder.Of(E.Start("2012-02")), NeedingALine(kind, "2012-03"));

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void Is_accepted_on_the_anchor_the_line_starts_on(string kind) =>
        AssertAccepted(HistoryBuilder.Of(E.Start("2012-02-10")), NeedingALine(kind, "2012-02-10"));

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void Is_refused_before_the_line_started_even_when_recorded_after_it(string kind) =>
        AssertRefused(HistoryBuilder.Of(E.Start("2012-02-10")), NeedingALine(kind, "2012-02-09"));

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void A_coarser_date_anchored_before_the_start_is_before_the_line(string kind) =>
        // 2012 is anchored on 2012-01-01, before a line started in 2012-02.
        AssertRefused(HistoryBuilder.Of(E.Start("2012-02")), NeedingALine(kind, "2012"));

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void Is_refused_after_the_line_stopped(string kind) =>
        AssertRefused(HistoryBuilder.Of(E.Start("2012-02"), E.Stop("2021-08")), NeedingALine(kind, "2021-09"));

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void Is_refused_on_the_day_the_line_stopped_since_it_comes_after_the_stop_in_clinical_order(string kind) =>
        AssertRefused(HistoryBuilder.Of(E.Start("2012-02"), E.Stop("2021-08-10")), NeedingALine(kind, "2021-08-10"));

    [Theory]
    [InlineData("cycle")]
    [InlineData("dose-adjusted")]
    public void A_late_entry_dated_inside_a_stopped_line_is_accepted(string kind) =>
        AssertAccepted(HistoryBuilder.Of(E.Start("2012-02"), E.Stop("2021-08")), NeedingALine(kind, "2015-06"));

    [Fact]
    public void A_second_stop_dated_inside_a_stopped_line_is_refused_since_the_line_s_own_stop_would_stand_outside_it()
    {
        var stop = E.Stop("2021-08");
        var history = HistoryBuilder.Of(E.Start("2012-02"), stop);

        var reason = AssertRefused(history, E.Stop("2015-06"));
        Assert.Contains($"systemic-therapy-stopped of 2021-08 (entry {stop.EntryId}) outside any line", reason);
        // Moving the stop is a correction of it.
        AssertAccepted(history, E.Correct(stop.EntryId, stop with { OccurredOn = E.D("2015-06") }));
    }

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void A_late_entry_is_judged_by_the_line_active_at_its_date_not_by_the_latest_line(string kind)
    {
        // Line 1 2008-01..2008-06, line 2 from 2012-02 (still active): 2010 has no line.
        var history = HistoryBuilder.Of(E.Start("2008-01", "doxorubicin"), E.Stop("2008-06", "completed"), E.Start("2012-02"));

        AssertRefused(history, NeedingALine(kind, "2010-05"));
        // A second stop of line 1 would leave its stop of 2008-06 outside the line.
        if (kind == "stopped") AssertRefused(history, NeedingALine(kind, "2008-03"));
        else AssertAccepted(history, NeedingALine(kind, "2008-03"));
        AssertAccepted(history, NeedingALine(kind, "2013"));
    }

    [Fact]
    public void A_stop_recorded_late_between_a_start_and_later_entries_is_judged_at_its_own_date_and_by_what_it_leaves_after_it()
    {
        var cycle = E.Cycle("2013-06");
        var history = HistoryBuilder.Of(E.Start("2012-02"), E.Cycle("2012-06"), cycle);

        AssertAccepted(history, E.Stop("2014-01"));
        AssertAccepted(history, E.Stop("2013-06"));
        var reason = AssertRefused(history, E.Stop("2013-01"));
        Assert.Contains($"cycle-administered of 2013-06 (entry {cycle.EntryId}) outside any line", reason);
        // Together with a correction or retraction of what it would leave outside the line, it is accepted.
        AssertAccepted(history, [E.Stop("2013-01"), E.Retract(cycle.EntryId)]);
        AssertAccepted(history, [E.Correct(cycle.EntryId, cycle with { OccurredOn = E.D("2012-12") }), E.Stop("2013-01")]);
    }

    [Fact]
    public void A_death_recorded_late_is_refused_when_entries_recorded_before_it_are_dated_after_it()
    {
        var imaging = E.Imaging("2023-06");
        var history = HistoryBuilder.Of(E.Imaging("2022-05"), imaging);

        AssertAccepted(history, E.Died("2023-06"));
        var reason = AssertRefused(history, E.Died("2023-03"));
        Assert.Contains($"imaging-performed of 2023-06 (entry {imaging.EntryId}) dated after the patient's death (2023-03)", reason);
        AssertAccepted(history, [E.Died("2023-03"), E.Retract(imaging.EntryId)]);
    }

    [Fact]
    public void A_death_ends_the_line_so_a_late_death_before_later_cycles_is_refused()
    {
        var history = HistoryBuilder.Of(E.Start("2022-01"), E.Cycle("2022-02"), E.Cycle("2022-09"));

        var reason = AssertRefused(history, E.Died("2022-05"));
        Assert.Contains("cycle-administered of 2022-09", reason);
    }

    [Theory]
    [InlineData("add-to-line")]
    [InlineData("maintenance")]
    public void Joining_or_continuing_a_line_needs_an_active_one(string intent)
    {
        var afterStop = HistoryBuilder.Of(E.Start("2012-02"), E.Stop("2012-06", "completed"));
        var joining = E.Start("2012-08", "pemetrexed") with { LineIntent = intent };

        var reason = AssertRefused(afterStop, joining);
        Assert.Contains(intent, reason);
        AssertRefused(HistoryBuilder.Of(E.Imaging("2012-01")), joining);
        AssertAccepted(HistoryBuilder.Of(E.Start("2012-02")), joining);
        AssertAccepted(afterStop, joining with { LineIntent = "new-line" });
    }

    [Fact]
    public void A_supportive_start_makes_no_line_active()
    {
        var history = HistoryBuilder.Of(E.Start("2012-02", "ondansetron") with { TherapyClass = "supportive" });

        AssertRefused(history, E.Cycle("2012-03"));
        AssertRefused(history, E.Stop("2012-03"));
        AssertRefused(history, E.Start("2012-03", "paclitaxel") with { LineIntent = "add-to-line" });
    }

    [Fact]
    public void A_supportive_start_inside_a_line_leaves_it_active()
    {
        var history = HistoryBuilder.Of(E.Start("2012-02", "AC"), E.Start("2012-02", "dexamethasone") with { TherapyClass = "supportive" });

        AssertAccepted(history, E.Cycle("2012-03"));
    }

    [Fact]
    public void A_new_start_while_a_line_is_active_switches_and_keeps_a_line_active()
    {
        var history = HistoryBuilder.Of(E.Start("2012-02", "crizotinib"), E.Start("2021-09", "lorlatinib"));

        AssertAccepted(history, E.Cycle("2022-01"));
        AssertAccepted(history, E.Stop("2022-01"));
    }

    [Fact]
    public void A_retracted_start_opens_no_line()
    {
        var start = E.Start("2012-02");
        var history = HistoryBuilder.Of(start, E.Retract(start.EntryId));

        AssertRefused(history, E.Cycle("2012-03"));
    }

    [Fact]
    public void A_retracted_stop_leaves_the_line_active()
    {
        var stop = E.Stop("2013-01");
        var history = HistoryBuilder.Of(E.Start("2012-02"), stop, E.Retract(stop.EntryId));

        AssertAccepted(history, E.Cycle("2014-01"));
    }

    [Fact]
    public void A_start_corrected_to_a_later_date_opens_the_line_at_the_corrected_date()
    {
        var start = E.Start("2012-02");
        var history = HistoryBuilder.Of(start, E.Correct(start.EntryId, E.Start("2012-06")));

        AssertRefused(history, E.Cycle("2012-03"));
        AssertAccepted(history, E.Cycle("2012-07"));
    }

    [Fact]
    public void A_start_corrected_to_an_earlier_date_lets_late_entries_in()
    {
        var start = E.Start("2012-06");
        var history = HistoryBuilder.Of(start, E.Correct(start.EntryId, E.Start("2012-02")));

        AssertAccepted(history, E.Cycle("2012-03"));
    }

    [Fact]
    public void A_line_ended_by_death_is_not_active_afterwards_for_a_late_cycle_dated_on_the_death_day()
    {
        // Dated on the death day: not after the death, but after it in clinical order, where no line is active.
        var history = HistoryBuilder.Of(E.Start("2012-02"), E.Died("2023-03-10"));

        AssertRefused(history, E.Cycle("2023-03-10"));
        AssertAccepted(history, E.Cycle("2023-03-09"));
    }

    [Fact]
    public void Entries_that_need_no_line_need_none()
    {
        var history = HistoryBuilder.Of();

        AssertAccepted(history, E.Imaging("2012-03"));
        AssertAccepted(history, E.Progression("2012-03"));
        AssertAccepted(history, E.Start("2012-03"));
    }

    // Death

    [Theory]
    [InlineData("2023-03-10", "2023-03-11")]
    [InlineData("2023-03", "2023-04")]
    [InlineData("2023-03", "2023-04-01")]
    [InlineData("2023", "2024")]
    [InlineData("2023-03-10", "2023-04")]
    public void An_entry_dated_after_the_death_is_refused(string diedOn, string entryOn)
    {
        var history = HistoryBuilder.Of(E.Died(diedOn));

        var violation = AssertRefused(history, E.Imaging(entryOn));
        Assert.Contains(entryOn, violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2023-03-10", "2023-03-10")]
    [InlineData("2023-03-10", "2023-03-09")]
    [InlineData("2023-03-10", "2023-03")]
    [InlineData("2023-03-10", "2023")]
    [InlineData("2023-03", "2023-03-31")]
    [InlineData("2023-03", "2023-03")]
    [InlineData("2023", "2023-12-31")]
    [InlineData("2023-03", "2015-06")]
    public void A_late_entry_not_dated_after_the_death_is_accepted(string diedOn, string entryOn) =>
        // "After" means earliest(entry) > latest(death): a period that may hold the death day is not after it.
        AssertAccepted(HistoryBuilder.Of(E.Died(diedOn)), E.Imaging(entryOn));

    [Fact]
    public void A_second_death_is_refused_even_dated_before_the_first()
    {
        var history = HistoryBuilder.Of(E.Died("2023-03"));

        AssertRefused(history, E.Died("2023-03"));
        AssertRefused(history, E.Died("2022-01"));
    }

    [Fact]
    public void Corrections_and_retractions_are_accepted_after_the_death()
    {
        var imaging = E.Imaging("2022-05");
        var history = HistoryBuilder.Of(imaging, E.Died("2023-03"));

        AssertAccepted(history, E.Correct(imaging.EntryId, E.Imaging("2022-06")));
        AssertAccepted(history, E.Retract(imaging.EntryId));
        // A correction may be dated after the death (DOMAIN.md: corrections are accepted); a new entry may not.
        AssertAccepted(history, E.Correct(imaging.EntryId, E.Imaging("2023-06")));
        AssertRefused(history, E.Imaging("2023-06"));
    }

    [Fact]
    public void A_case_file_holding_a_correction_dated_after_the_death_is_accepted_as_the_ledger_accepted_it()
    {
        var visit = E.Imaging("2020-03");
        var file = new Entry[] { E.Opened(), visit, E.Died("2020-06"), E.Correct(visit.EntryId, E.Imaging("2020-09")) };

        var (_, refusal) = RecordingPlan.Decide(CaseContext.NewCase, file, DateTimeOffset.UtcNow, Guid.NewGuid);

        Assert.Null(refusal);
        Assert.NotNull(RecordingPlan.Decide(CaseContext.NewCase, file[..3].Append(E.Imaging("2020-09")).ToList(), DateTimeOffset.UtcNow, Guid.NewGuid).Refusal);
    }

    // Corrections and retractions keep the line rules: a corrected entry counts as its replacement.

    [Theory]
    [MemberData(nameof(NeedALine))]
    public void A_correction_into_an_entry_that_needs_a_line_needs_one_where_it_is_placed(string kind)
    {
        var visit = E.Imaging("2016-05");
        var withoutLine = HistoryBuilder.Of(visit);
        var withLine = HistoryBuilder.Of(E.Start("2016-01"), visit);

        Assert.Contains("no line of systemic therapy is active on 2016-05", AssertRefused(withoutLine, E.Correct(visit.EntryId, NeedingALine(kind, "2016-05"))));
        AssertAccepted(withLine, E.Correct(visit.EntryId, NeedingALine(kind, "2016-05")));
        AssertRefused(withLine, E.Correct(visit.EntryId, NeedingALine(kind, "2015-12")));
    }

    [Fact]
    public void A_correction_into_a_joining_start_needs_a_line_to_join()
    {
        var visit = E.Imaging("2016-05");

        var reason = AssertRefused(HistoryBuilder.Of(visit), E.Correct(visit.EntryId, E.Start("2016-05", "pemetrexed") with { LineIntent = "add-to-line" }));
        Assert.Contains("add-to-line", reason);
        AssertAccepted(HistoryBuilder.Of(visit), E.Correct(visit.EntryId, E.Start("2016-05", "pemetrexed") with { LineIntent = "new-line" }));
    }

    [Fact]
    public void A_retraction_of_a_start_is_refused_while_its_cycles_stand_and_accepted_with_theirs()
    {
        var start = E.Start("2019-02");
        var cycle = E.Cycle("2019-03");
        var history = HistoryBuilder.Of(start, cycle);

        var reason = AssertRefused(history, E.Retract(start.EntryId));
        Assert.Contains($"cycle-administered of 2019-03 (entry {cycle.EntryId}) outside any line", reason);
        AssertAccepted(history, [E.Retract(start.EntryId), E.Retract(cycle.EntryId)]);
        AssertAccepted(history, [E.Retract(cycle.EntryId), E.Retract(start.EntryId)]);
    }

    [Fact]
    public void A_start_corrected_past_its_cycles_is_refused_and_a_stop_corrected_before_them_too()
    {
        var start = E.Start("2019-02");
        var stop = E.Stop("2019-12");
        var history = HistoryBuilder.Of(start, E.Cycle("2019-03"), E.Cycle("2019-06"), stop);

        AssertRefused(history, E.Correct(start.EntryId, start with { OccurredOn = E.D("2019-04") }));
        AssertAccepted(history, E.Correct(start.EntryId, start with { OccurredOn = E.D("2019-01") }));
        AssertRefused(history, E.Correct(stop.EntryId, stop with { OccurredOn = E.D("2019-05") }));
        AssertAccepted(history, E.Correct(stop.EntryId, stop with { OccurredOn = E.D("2019-08") }));
        // A start corrected into a supportive medication opens no line.
        AssertRefused(history, E.Correct(start.EntryId, start with { TherapyClass = "supportive" }));
    }

    [Fact]
    public void A_death_corrected_to_an_earlier_date_is_refused_when_it_would_leave_entries_after_it()
    {
        var died = E.Died("2023-03");
        var history = HistoryBuilder.Of(E.Imaging("2022-11"), died);

        AssertAccepted(history, E.Correct(died.EntryId, E.Died("2022-12")));
        Assert.Contains("dated after the patient's death (2022-10)", AssertRefused(history, E.Correct(died.EntryId, E.Died("2022-10"))));
    }

    [Fact]
    public void What_already_broke_a_rule_before_a_request_does_not_refuse_it()
    {
        // A case recorded before these rules held a cycle outside any line: later requests are not refused for it.
        var start = E.Start("2019-02");
        var history = HistoryBuilder.Of(start, E.Cycle("2019-03"), E.Retract(start.EntryId));

        AssertAccepted(history, E.Imaging("2019-04"));
        AssertAccepted(history, E.Died("2019-02"));
    }

    [Fact]
    public void A_correction_of_the_death_itself_is_accepted()
    {
        var died = E.Died("2023-03");
        var history = HistoryBuilder.Of(died);

        AssertAccepted(history, E.Correct(died.EntryId, E.Died("2023-04")));
    }

    [Fact]
    public void A_retracted_death_no_longer_bars_later_entries()
    {
        var died = E.Died("2023-03");
        var history = HistoryBuilder.Of(died, E.Retract(died.EntryId));

        AssertAccepted(history, E.Imaging("2024-01"));
        AssertAccepted(history, E.Died("2024-02"));
    }

    [Fact]
    public void A_death_corrected_to_a_later_date_bars_only_what_follows_the_corrected_date()
    {
        var died = E.Died("2023-03");
        var history = HistoryBuilder.Of(died, E.Correct(died.EntryId, E.Died("2023-06")));

        AssertAccepted(history, E.Imaging("2023-05"));
        AssertRefused(history, E.Imaging("2023-07"));
    }

    // Corrections and retractions

    [Fact]
    public void A_correction_or_retraction_of_an_unknown_entry_is_refused()
    {
        var history = HistoryBuilder.Of(E.Imaging("2020-01"));
        var unknown = Guid.NewGuid();

        AssertRefused(history, E.Retract(unknown));
        AssertRefused(history, E.Correct(unknown, E.Imaging("2020-02")));
    }

    [Fact]
    public void A_correction_or_retraction_of_a_retracted_entry_is_refused()
    {
        var imaging = E.Imaging("2020-01");
        var history = HistoryBuilder.Of(imaging, E.Retract(imaging.EntryId));

        AssertRefused(history, E.Retract(imaging.EntryId, "again, for another reason"));
        AssertRefused(history, E.Correct(imaging.EntryId, E.Imaging("2020-02")));
    }

    [Fact]
    public void A_corrected_entry_may_be_corrected_again_or_retracted()
    {
        var imaging = E.Imaging("2020-01");
        var history = HistoryBuilder.Of(imaging, E.Correct(imaging.EntryId, E.Imaging("2020-02")));

        AssertAccepted(history, E.Correct(imaging.EntryId, E.Imaging("2020-03")));
        AssertAccepted(history, E.Retract(imaging.EntryId));
    }

    [Fact]
    public void A_correction_or_retraction_of_a_known_active_entry_is_accepted()
    {
        var imaging = E.Imaging("2020-01");
        var history = HistoryBuilder.Of(imaging);

        AssertAccepted(history, E.Correct(imaging.EntryId, E.Imaging("2020-02", "re-read")));
        AssertAccepted(history, E.Retract(imaging.EntryId));
    }

    // Opening

    [Fact]
    public void A_case_opened_is_refused_on_a_case_that_is_already_opened()
    {
        AssertRefused(HistoryBuilder.Of(), E.Opened());
    }

    [Fact]
    public void A_case_opened_starts_an_empty_case()
    {
        AssertAccepted(new HistoryBuilder().Build(), E.Opened());
    }

    [Fact]
    public void The_case_opened_may_be_corrected_by_a_case_opened_but_not_retracted()
    {
        var opened = E.Opened();
        var history = new HistoryBuilder().Add(opened).Build();

        AssertAccepted(history, E.Correct(opened.EntryId, E.Opened("2010-02")));
        AssertRefused(history, E.Correct(opened.EntryId, E.Imaging("2010-02")));
        AssertRefused(history, E.Retract(opened.EntryId));
    }

    [Fact]
    public void Another_entry_may_not_be_replaced_by_a_case_opened()
    {
        var imaging = E.Imaging("2020-01");

        AssertRefused(HistoryBuilder.Of(imaging), E.Correct(imaging.EntryId, E.Opened("2020-01")));
    }

    // The history the rules read

    [Fact]
    public void The_effective_history_is_in_clinical_order_with_corrections_applied_and_retractions_dropped()
    {
        var late = E.Imaging("2012-01", "recorded late");
        var corrected = E.Imaging("2014-01", "first read");
        var retracted = E.Imaging("2013-01", "wrong case");
        var history = HistoryBuilder.Of(
            E.Imaging("2015-01", "b"), late, corrected, retracted,
            E.Correct(corrected.EntryId, E.Imaging("2011-06", "second read")), E.Retract(retracted.EntryId));

        // case-opened 2010-01, then second read 2011-06 (placed by the replacement's date), 2012-01, 2015-01.
        Assert.IsType<CaseOpened>(history.Effective[0].Entry);
        var findings = history.Effective.Skip(1).Select(e => ((ImagingPerformed)e.Entry).Findings).ToArray();
        Assert.Equal(new[] { "second read", "recorded late", "b" }, findings);
        Assert.Equal(EntryStatus.Corrected, history.StateOf(history.Recorded.Single(r => r.Entry.EntryId == corrected.EntryId && r.Entry is ClinicalEntry)).Status);
        Assert.Equal(EntryStatus.Retracted, history.StateOf(history.Recorded.Single(r => r.Entry.EntryId == retracted.EntryId && r.Entry is ClinicalEntry)).Status);
    }

    [Fact]
    public void Entries_on_the_same_anchor_keep_their_recording_order()
    {
        var first = E.Imaging("2015-03", "first");
        var second = E.Imaging("2015-03-01", "second");
        var history = HistoryBuilder.Of(first, second);

        var order = history.Effective.Skip(1).Select(e => e.Entry.EntryId).ToArray();

        Assert.Equal(new[] { first.EntryId, second.EntryId }, order);
    }

    [Fact]
    public void Statuses_name_the_correcting_and_retracting_entries_by_sequence()
    {
        var imaging = E.Imaging("2020-01");
        var history = HistoryBuilder.Of(imaging, E.Correct(imaging.EntryId, E.Imaging("2020-02")), E.Correct(imaging.EntryId, E.Imaging("2020-03")), E.Retract(imaging.EntryId));
        var sequences = history.Recorded.Select(r => r.Sequence).ToArray();

        var state = history.StateOf(history.Recorded.Single(r => r.Entry is ImagingPerformed));

        Assert.Equal(EntryStatus.Retracted, state.Status);
        Assert.Equal(sequences[3], state.CorrectedBy);
        Assert.Equal(sequences[4], state.RetractedBy);
    }
}
