using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Api.Tests.Dashboards;

/// <summary>How the dashboards' rebuild folds the cases of a batch as their rows come (its results: <see cref="ProjectionsTests"/>).</summary>
public sealed class CasesAsReadTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RecordedEntry Entry(long version) =>
        new(new FollowUpRecorded { EntryId = Guid.NewGuid(), OccurredOn = ClinicalDate.Parse("2020-01") }, version, version, Now, "tester", null);

    /// <summary>Folds a case into the versions it was given, in the order given.</summary>
    private static CasesAsRead<long[]> Folding() => new((_, entries) => entries.Select(e => e.Version).ToArray());

    [Fact]
    public void Each_case_is_folded_once_with_all_its_rows_when_its_rows_come_together()
    {
        var (a, b) = (("h1", Guid.NewGuid()), ("h2", Guid.NewGuid()));
        var cases = Folding();
        cases.Add(a, Entry(1));
        cases.Add(a, Entry(2));
        cases.Add(b, Entry(1));
        cases.Add(b, Entry(2));
        cases.Add(b, Entry(3));

        var folded = cases.Finish();

        Assert.Equal([1, 2], folded[a]);
        Assert.Equal([1, 2, 3], folded[b]);
        Assert.Empty(cases.Apart);
    }

    [Fact]
    public void A_case_whose_rows_came_apart_is_not_folded_but_named()
    {
        var (a, b) = (("h", Guid.NewGuid()), ("h", Guid.NewGuid()));
        var cases = Folding();
        cases.Add(a, Entry(1));
        cases.Add(b, Entry(1));
        cases.Add(a, Entry(2));
        cases.Add(b, Entry(2));
        cases.Add(a, Entry(3));

        var folded = cases.Finish();

        Assert.Empty(folded);
        Assert.Equal([a, b], cases.Apart.OrderBy(k => k == b));
    }

    [Fact]
    public void The_same_case_id_in_two_hospitals_is_two_cases()
    {
        var id = Guid.NewGuid();
        var cases = Folding();
        cases.Add(("h1", id), Entry(1));
        cases.Add(("h2", id), Entry(1));
        cases.Add(("h2", id), Entry(2));

        var folded = cases.Finish();

        Assert.Equal([1], folded[("h1", id)]);
        Assert.Equal([1, 2], folded[("h2", id)]);
    }
}
