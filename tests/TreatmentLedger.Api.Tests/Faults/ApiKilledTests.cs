using TreatmentLedger.Api.Tests.Support;
using Xunit.Abstractions;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>The API process SIGKILLed while clients write, then started again over the same database.</summary>
[Collection(FaultCollection.Name)]
public sealed class ApiKilledTests(ITestOutputHelper output)
{
    [Fact]
    public async Task After_a_restart_every_acknowledged_entry_is_stored_once_and_no_unanswered_one_twice()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        var settings = new Dictionary<string, string> { ["LEDGER_CONNECTION_STRING"] = postgres.ConnectionString };
        var load = new WriteLoad();
        List<Guid> cases;
        await using (var ledger = await LedgerProcess.StartAsync(settings))
        {
            cases = await WriteLoad.OpenCasesAsync(ledger.Client, 4);
            using var stop = new CancellationTokenSource();
            var writing = load.RunAsync(ledger.Client, cases, stop.Token);
            await Until(() => load.Attempts.Count(a => a.Status == 201) >= 40);
            ledger.Kill();
            await Until(() => load.Attempts.Count(a => a.Status is null) >= 4);
            await stop.CancelAsync();
            await writing;
        }

        var attempts = load.Attempts;
        var unanswered = attempts.Where(a => a.Status is null).ToList();
        Assert.All(attempts, a => Assert.True(a.Status is 201 or null, $"{a.Status}: {a.Body}"));

        await using var restarted = await LedgerProcess.StartAsync(settings);
        var acknowledged = attempts.Where(a => a.Status == 201).ToList();
        foreach (var caseId in cases)
        {
            // Before any retry: what was acknowledged is there once, and an unanswered entry at most once.
            var contents = await CaseContents.ReadAsync(restarted.Client, caseId);
            Assert.All(acknowledged.Where(a => a.CaseId == caseId), a => Assert.Single(contents.EntryIds, a.EntryId));
            Assert.Equal(contents.EntryIds.Count, contents.EntryIds.Distinct().Count());
            Assert.Empty(contents.EntryIds.Except(attempts.Select(a => a.EntryId)));
        }

        // The client sends what got no answer again, with the same entryId: it is recorded once, whether or not it was before.
        foreach (var retry in unanswered) Assert.Equal(201, (await WriteLoad.PostAsync(restarted.Client, retry.CaseId, retry.EntryId)).Status);
        foreach (var caseId in cases)
        {
            (await CaseContents.ReadAsync(restarted.Client, caseId)).AssertHoldsExactlyOnce(attempts.Where(a => a.CaseId == caseId).Select(a => a.EntryId));
        }

        output.WriteLine($"{attempts.Count} writes: {acknowledged.Count} acknowledged, {unanswered.Count} unanswered when the API was killed");
    }

    private static async Task Until(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("Waited 60 s in vain");
            await Task.Delay(20);
        }
    }
}
