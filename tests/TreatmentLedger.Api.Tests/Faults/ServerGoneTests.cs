using System.Diagnostics;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>A PostgreSQL of its own (LEDGER_CONNECTION_STRING) dies and comes back: the API answers 503 meanwhile and carries on without a restart.</summary>
[Collection(FaultCollection.Name)]
public sealed class ServerGoneTests
{
    [Fact]
    public async Task Every_route_answers_503_with_Retry_After_within_5_s_and_the_ledger_recovers_when_the_server_returns()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync(durable: true);
        await using var ledger = await LedgerProcess.StartAsync(new Dictionary<string, string> { ["LEDGER_CONNECTION_STRING"] = postgres.ConnectionString });
        var caseId = (await WriteLoad.OpenCasesAsync(ledger.Client, 1)).Single();

        postgres.KillServer();
        string[] reads = [$"/cases/{caseId}", $"/cases/{caseId}/entries", $"/cases/{caseId}/timeline", "/cases", "/health/ready", "/health"];
        foreach (var route in reads)
        {
            var watch = Stopwatch.StartNew();
            using var answer = await ledger.Client.GetAsync(route);
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(503 == (int)answer.StatusCode, $"{route}: {(int)answer.StatusCode} {body}");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{route} answered after {watch.Elapsed}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(answer.Headers.RetryAfter);
        }
        var write = await WriteLoad.PostAsync(ledger.Client, caseId, Guid.NewGuid());
        Assert.Equal(503, write.Status);
        Assert.True(write.Took < TimeSpan.FromSeconds(5), $"the write answered after {write.Took}");
        using (var live = await ledger.Client.GetAsync("/health/live")) Assert.Equal(200, (int)live.StatusCode);

        await postgres.RestartServerAsync();
        await ledger.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(201, (await WriteLoad.PostAsync(ledger.Client, write.CaseId, write.EntryId)).Status);
        (await CaseContents.ReadAsync(ledger.Client, caseId)).AssertHoldsExactlyOnce([write.EntryId]);
    }
}
