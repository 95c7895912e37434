using System.Diagnostics;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>
/// The API's PostgreSQL hangs (every server process stopped: sockets open, nothing answered), then carries on: reads and
/// writes answer 503 in time instead of waiting for it, and a write retried afterwards with its entryId lands once.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ServerHangsTests
{
    [Fact]
    public async Task Reads_and_writes_answer_503_within_5_s_while_the_server_hangs_and_a_retried_write_lands_once()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        await using var ledger = await LedgerProcess.StartAsync(new Dictionary<string, string> { ["LEDGER_CONNECTION_STRING"] = postgres.ConnectionString });
        var caseId = (await WriteLoad.OpenCasesAsync(ledger.Client, 1)).Single();
        // The pool holds open connections, which now hang rather than fail.
        Assert.Equal(201, (await WriteLoad.PostAsync(ledger.Client, caseId, Guid.NewGuid())).Status);

        postgres.FreezeServer();
        try
        {
            // Reads first, on the pool's open connections (each hangs until its own deadline): a view folding the stream
            // (the ledger's own SQL), the summary (Marten), the audit log, the board; then a write.
            foreach (var route in new[] { $"/cases/{caseId}/cumulative-dose", $"/cases/{caseId}", $"/cases/{caseId}/entries", "/cases", "/health/ready" })
            {
                var watch = Stopwatch.StartNew();
                using var answer = await ledger.Client.GetAsync(route);
                var body = await answer.Content.ReadAsStringAsync();
                Assert.True(503 == (int)answer.StatusCode, $"{route}: {(int)answer.StatusCode} {body}");
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{route} answered after {watch.Elapsed}");
                Assert.NotNull(answer.Headers.RetryAfter);
            }
            var write = await WriteLoad.PostAsync(ledger.Client, caseId, Guid.NewGuid());
            Assert.True(503 == write.Status, $"the write answered {write.Status} {write.Body}");
            Assert.True(write.Took < TimeSpan.FromSeconds(5), $"the write answered after {write.Took}");
            using (var live = await ledger.Client.GetAsync("/health/live")) Assert.Equal(200, (int)live.StatusCode);

            postgres.ThawServer();
            await ledger.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
            // Whether or not the hung write had committed, sending it again gives one entry.
            Assert.Equal(201, (await WriteLoad.PostAsync(ledger.Client, write.CaseId, write.EntryId)).Status);
            var contents = await CaseContents.ReadAsync(ledger.Client, caseId);
            Assert.Single(contents.EntryIds, write.EntryId);
            Assert.Equal(contents.EntryIds.Count + 1, contents.LogVersion);
        }
        finally
        {
            postgres.ThawServer();
        }
    }
}
