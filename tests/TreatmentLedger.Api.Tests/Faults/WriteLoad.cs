using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>One write as a client saw it: the answer's status, or null when no answer came (the connection broke).</summary>
public sealed record Attempt(Guid CaseId, Guid EntryId, int? Status, TimeSpan Took, string Body);

/// <summary>
/// Writers posting entries, each with an entryId of its own, one writer a case, until stopped; what each got is kept
/// in order, so a test can wait for what it needs to see (an outage, then 201s again).
/// </summary>
public sealed class WriteLoad
{
    private readonly ConcurrentQueue<Attempt> _attempts = new();

    public IReadOnlyList<Attempt> Attempts => _attempts.ToList();

    public static async Task<List<Guid>> OpenCasesAsync(HttpClient client, int count)
    {
        var cases = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            using var opened = await client.PostAsync("/cases", Json($$"""{ "patientRef": "FAULT-{{i:D4}}", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }"""));
            Assert.Equal(201, (int)opened.StatusCode);
            cases.Add((await opened.Content.ReadFromJsonAsync<JsonObject>())!["caseId"]!.GetValue<Guid>());
        }
        return cases;
    }

    public Task RunAsync(HttpClient client, IReadOnlyList<Guid> cases, CancellationToken stop) =>
        Task.WhenAll(cases.Select(caseId => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) _attempts.Enqueue(await PostAsync(client, caseId, Guid.NewGuid()));
        })));

    /// <summary>Posts an imaging entry with this entryId (sending it again is how a client retries).</summary>
    public static async Task<Attempt> PostAsync(HttpClient client, Guid caseId, Guid entryId)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var answer = await client.PostAsync($"/cases/{caseId}/entries", Json(Bodies.Imaging("2016-01", entryId).ToJsonString()));
            var body = await answer.Content.ReadAsStringAsync();
            var attempt = new Attempt(caseId, entryId, (int)answer.StatusCode, watch.Elapsed, body);
            // The client is asked when to come back; it waits a little less, to meet the store as soon as it returns.
            if (attempt.Status == 503) await Task.Delay(200);
            return attempt;
        }
        catch (HttpRequestException e)
        {
            await Task.Delay(100);
            return new Attempt(caseId, entryId, null, watch.Elapsed, e.Message);
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
