using System.Diagnostics;
using TreatmentLedger.Api.Tests.Support;
using Xunit.Abstractions;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>The embedded PostgreSQL's postmaster SIGKILLed while clients write: the ledger answers 503 meanwhile, restarts it and carries on.</summary>
[Collection(FaultCollection.Name)]
public sealed class PostgresKilledTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Writes_during_the_outage_answer_503_in_time_and_every_acknowledged_entry_is_stored_once()
    {
        var folder = Path.Combine("/tmp", "ledger-fault-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            await using var ledger = await LedgerProcess.StartAsync(new Dictionary<string, string> { ["LEDGER_DATA"] = folder });
            var cases = await WriteLoad.OpenCasesAsync(ledger.Client, 4);
            var load = new WriteLoad();
            using var stop = new CancellationTokenSource();
            var writing = load.RunAsync(ledger.Client, cases, stop.Token);

            await Until(() => load.Attempts.Count(a => a.Status == 201) >= 20, ledger);
            var killed = Stopwatch.StartNew();
            using (var postmaster = Process.GetProcessById(int.Parse(File.ReadLines(Path.Combine(folder, "postmaster.pid")).First())))
            {
                postmaster.Kill();
            }

            // Writers carry on until the outage has been seen and 20 entries have been acknowledged after it.
            await Until(() => load.Attempts.SkipWhile(a => a.Status != 503).Count(a => a.Status == 201) >= 20, ledger);
            var untilRecovered = killed.Elapsed;
            await stop.CancelAsync();
            await writing;

            var attempts = load.Attempts;
            var refused = attempts.Where(a => a.Status == 503).ToList();
            Assert.NotEmpty(refused);
            Assert.All(attempts, a => Assert.True(a.Status is 201 or 503, $"{a.Status}: {a.Body}"));
            Assert.All(attempts, a => Assert.True(a.Took < TimeSpan.FromSeconds(5), $"{a.Status} after {a.Took}"));
            Assert.All(refused, a => Assert.Contains("\"status\":503", a.Body));
            Assert.DoesNotContain(attempts, a => a.Body.Contains("Npgsql", StringComparison.OrdinalIgnoreCase) || a.Body.Contains(" at ", StringComparison.Ordinal));

            // A refused entry may still have been committed (the server died after the commit, before the answer): the
            // client sends it again with the same entryId, and it is recorded once.
            foreach (var retry in refused) Assert.Equal(201, (await WriteLoad.PostAsync(ledger.Client, retry.CaseId, retry.EntryId)).Status);
            foreach (var caseId in cases)
            {
                var contents = await CaseContents.ReadAsync(ledger.Client, caseId);
                contents.AssertHoldsExactlyOnce(attempts.Where(a => a.CaseId == caseId).Select(a => a.EntryId));
            }

            output.WriteLine($"{attempts.Count} writes, {refused.Count} answered 503 (slowest {refused.Max(a => a.Took).TotalMilliseconds:F0} ms), " +
                             $"slowest answer {attempts.Max(a => a.Took).TotalMilliseconds:F0} ms; 20 writes acknowledged again {untilRecovered.TotalSeconds:F1} s after the kill");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task Until(Func<bool> condition, LedgerProcess ledger)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Waited 60 s in vain; the API said:\n{ledger.Output}");
            await Task.Delay(50);
        }
    }
}
