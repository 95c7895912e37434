using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Api.Tests;

/// <summary>How the write model's rebuild cuts the cases into transactions (its results: <see cref="ReplayTests"/>).</summary>
public sealed class WriteModelRebuildTests
{
    [Fact]
    public void Batches_hold_at_most_500_cases_and_50_000_events_and_a_longer_case_alone()
    {
        var ids = Enumerable.Range(1, 6).Select(i => new Guid(i, 0, 0, new byte[8])).ToArray();

        (Guid Id, long Events)[] cases = [(ids[0], 10), (ids[1], 60_000), (ids[2], 25_000), (ids[3], 25_000), (ids[4], 1), (ids[5], 1)];

        var batches = WriteModelRebuild.Batches(cases, c => c.Events).Select(b => b.Select(c => c.Id)).ToList();

        Assert.Equal([[ids[0]], [ids[1]], [ids[2], ids[3]], [ids[4], ids[5]]], batches);
    }

    [Fact]
    public void Many_short_cases_go_500_a_batch_in_their_order_each_once()
    {
        var cases = Enumerable.Range(1, 1_001).Select(i => (new Guid(i, 0, 0, new byte[8]), 50L)).ToList();

        var batches = WriteModelRebuild.Batches(cases, c => c.Item2).ToList();

        Assert.Equal([500, 500, 1], batches.Select(b => b.Length));
        Assert.Equal(cases, batches.SelectMany(b => b));
    }
}
