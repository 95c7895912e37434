using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Store;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Api.Tests;

/// <summary>The dashboards' projection and the live reads take a case's earlier entries from here when every one of them is kept.</summary>
public class RecentHistoriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<RecordedEntry> Versions(int count) => Enumerable.Range(1, count)
        .Select(v => new RecordedEntry(new FollowUpRecorded { EntryId = Guid.NewGuid(), OccurredOn = ClinicalDate.Parse("2020-01") },
            v, v, Now, "tester", null))
        .ToList();

    [Fact]
    public void Answers_the_entries_before_a_version_from_a_kept_history()
    {
        var recent = new RecentHistories(100);
        var caseId = Guid.NewGuid();
        var history = Versions(5);
        recent.Keep("h", caseId, history);

        Assert.Equal(history, recent.EarlierThan("h", caseId, 6));
        // A page replayed (a rebuild, a crash) starts earlier: the prefix before it.
        Assert.Equal(history.Take(2), recent.EarlierThan("h", caseId, 3));
        // A page further on than the kept history: entries in between are not kept.
        Assert.Null(recent.EarlierThan("h", caseId, 7));
    }

    [Fact]
    public void Knows_nothing_of_a_case_it_did_not_keep_but_that_a_first_entry_has_nothing_before_it()
    {
        var recent = new RecentHistories(100);
        var caseId = Guid.NewGuid();
        recent.Keep("h", caseId, Versions(3));

        Assert.Null(recent.EarlierThan("h", Guid.NewGuid(), 2));
        Assert.Null(recent.EarlierThan("other hospital", caseId, 2));
        Assert.Empty(recent.EarlierThan("h", Guid.NewGuid(), 1)!);
    }

    [Fact]
    public void Keeps_only_a_whole_history_from_version_one()
    {
        var recent = new RecentHistories(100);
        var withHole = Versions(4);
        withHole.RemoveAt(1);
        var fromTwo = Versions(4).Skip(1).ToList();
        var hole = Guid.NewGuid();
        var tail = Guid.NewGuid();
        recent.Keep("h", hole, withHole);
        recent.Keep("h", tail, fromTwo);

        Assert.Null(recent.EarlierThan("h", hole, 3));
        Assert.Null(recent.EarlierThan("h", tail, 3));
    }

    [Fact]
    public void Gives_up_the_case_seen_longest_ago_past_its_capacity()
    {
        var recent = new RecentHistories(10);
        var (first, second, third) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        recent.Keep("h", first, Versions(4));
        recent.Keep("h", second, Versions(4));
        recent.Keep("h", first, Versions(5)); // seen again: now the most recent
        recent.Keep("h", third, Versions(4)); // 13 entries: the second goes

        Assert.Null(recent.EarlierThan("h", second, 5));
        Assert.NotNull(recent.EarlierThan("h", first, 6));
        Assert.NotNull(recent.EarlierThan("h", third, 5));
        // A history longer than the whole capacity is not kept, and drives nothing out.
        recent.Keep("h", Guid.NewGuid(), Versions(11));
        Assert.NotNull(recent.EarlierThan("h", first, 6));
    }

    [Fact]
    public void Answers_a_kept_history_whole_and_nothing_for_a_case_not_kept()
    {
        var recent = new RecentHistories(100);
        var caseId = Guid.NewGuid();
        var history = Versions(3);
        recent.Keep("h", caseId, history);
        history.Add(Versions(4)[3]); // the caller's list is copied when kept

        Assert.Equal(history.Take(3), recent.Entries("h", caseId));
        recent.Entries("h", caseId).Add(history[3]); // and the list answered is the caller's own
        Assert.Equal(history.Take(3), recent.Entries("h", caseId));
        Assert.Empty(recent.Entries("other hospital", caseId));
        Assert.Empty(recent.Entries("h", Guid.NewGuid()));
    }

    [Fact]
    public void The_dashboards_keep_a_case_once_a_second_transaction_recorded_it_not_a_case_imported_at_once()
    {
        var imported = Versions(3);
        var appendedLater = Versions(3);
        appendedLater[2] = appendedLater[2] with { RecordedAt = Now.AddSeconds(1) };

        Assert.False(CaseFactsProjection.RecordedOverTime(new CaseHistory(imported)));
        Assert.True(CaseFactsProjection.RecordedOverTime(new CaseHistory(appendedLater)));
    }
}
