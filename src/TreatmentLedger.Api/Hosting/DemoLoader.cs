using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Marten;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Hosting;

/// <summary>What loading the demo cohort did: files generated, already in the store, imported, refused, and how long it took.</summary>
public sealed record CohortLoad(int Generated, int AlreadyLoaded, int Imported, int Refused, int Entries, int Throttled, TimeSpan Elapsed);

/// <summary>
/// Loads demo case files as any client would: <c>POST /cases/import</c> with the <paramref name="http"/> client's token
/// (a clinician of the demo hospital), so that every file is validated and judged by the ledger's rules. The cohort's
/// files go <see cref="InFlight"/> at a time: the writer queue (<c>Recording/CaseWriter</c>) stores concurrent imports
/// together, one transaction for several cases. A file the rate limit turns away (429) is sent again after its
/// <c>Retry-After</c>; nothing was stored for it. Logs hold counts only, never a patientRef.
/// </summary>
public sealed class DemoLoader(HttpClient http, IDocumentStore store, ILogger logger, int inFlight = DemoLoader.InFlight)
{
    /// <summary>Imports in flight at once while loading the cohort, by default.</summary>
    public const int InFlight = 8;

    public const string CorrelationId = "demo-load";

    /// <summary>Imports the founding case unless a case with its patientRef is in the store; answers its case id either way.</summary>
    public async Task<Guid?> LoadFoundingCaseAsync(JsonNode file, string baseUrl, CancellationToken ct)
    {
        var patientRef = file["case"]!["patientRef"]!.GetValue<string>();
        await using (var session = store.QuerySession(DemoHospital.Name))
        {
            var existing = await session.Query<CaseState>().Where(c => c.Summary.PatientRef == patientRef).Select(c => c.Id).ToListAsync(ct);
            if (existing.Count > 0)
            {
                logger.LogInformation("Demo case already loaded: {Url}", $"{baseUrl}/cases/{existing[0]}");
                return existing[0];
            }
        }
        var (status, body, _) = await ImportWithRetriesAsync(file.ToJsonString(), ct);
        if (status != HttpStatusCode.Created)
        {
            logger.LogError("The demo case file was refused ({Status}) on {Fields}", (int)status, RefusedFields(body));
            return null;
        }
        var caseId = JsonNode.Parse(body)!["caseId"]!.GetValue<Guid>();
        logger.LogInformation("Demo case loaded: {Url}", $"{baseUrl}/cases/{caseId}");
        return caseId;
    }

    /// <summary>
    /// Imports the cases of the demo cohort (<paramref name="files"/>, else <see cref="DemoCohort.Generate"/>) whose
    /// patientRef is not in the store yet: all of them on a first start, none after (a load cut short is completed).
    /// </summary>
    public async Task<CohortLoad> LoadCohortAsync(CancellationToken ct, IReadOnlyList<JsonObject>? files = null)
    {
        var clock = Stopwatch.StartNew();
        files ??= DemoCohort.Generate();
        HashSet<string> present;
        await using (var session = store.QuerySession(DemoHospital.Name))
        {
            present = (await session.Query<CaseState>()
                .Where(c => c.Summary.PatientRef.StartsWith(DemoCohort.PatientRefPrefix))
                .Select(c => c.Summary.PatientRef)
                .ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        }
        var missing = files.Where(f => !present.Contains(f["case"]!["patientRef"]!.GetValue<string>())).ToList();
        if (missing.Count == 0)
        {
            logger.LogInformation("Demo cohort already loaded: {Cases} synthetic cases", files.Count);
            return new CohortLoad(files.Count, files.Count, 0, 0, 0, 0, clock.Elapsed);
        }

        int imported = 0, refused = 0, entries = 0, throttled = 0;
        string? firstRefusal = null;
        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = ct }, async (file, token) =>
        {
            var (status, body, retries) = await ImportWithRetriesAsync(file.ToJsonString(), token);
            Interlocked.Add(ref throttled, retries);
            if (status == HttpStatusCode.Created)
            {
                Interlocked.Increment(ref imported);
                Interlocked.Add(ref entries, file["entries"]!.AsArray().Count + 1);
            }
            else
            {
                Interlocked.Increment(ref refused);
                Interlocked.CompareExchange(ref firstRefusal, $"{(int)status} on {RefusedFields(body)}", null);
            }
        });
        clock.Stop();
        var load = new CohortLoad(files.Count, files.Count - missing.Count, imported, refused, entries, throttled, clock.Elapsed);
        if (refused > 0)
            logger.LogError("Demo cohort: {Refused} of {Cases} synthetic case files refused (the first: {Refusal})", refused, missing.Count, firstRefusal);
        logger.LogInformation("Demo cohort loaded: {Imported} synthetic cases ({Entries} entries) in {Seconds} s, {InFlight} imports in flight, {Throttled} sent again after a 429",
            imported, entries, Math.Round(clock.Elapsed.TotalSeconds, 1), inFlight, throttled);
        return load;
    }

    private async Task<(HttpStatusCode Status, string Body, int Retries)> ImportWithRetriesAsync(string json, CancellationToken ct)
    {
        for (var retries = 0; ; retries++)
        {
            var (status, body, retryAfter) = await SendAsync(json, ct);
            if (status != HttpStatusCode.TooManyRequests || retries >= 100) return (status, body, retries);
            await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(1), ct);
        }
    }

    private async Task<(HttpStatusCode Status, string Body, TimeSpan? RetryAfter)> SendAsync(string json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cases/import") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add(Http.RecordingHeaders.CorrelationIdHeader, CorrelationId);
        using var response = await http.SendAsync(request, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct), response.Headers.RetryAfter?.Delta);
    }

    /// <summary>The fields a refusal names: only them, since the messages may quote the file's values.</summary>
    private static string RefusedFields(string body)
    {
        try
        {
            var errors = JsonNode.Parse(body)?["errors"]?.AsObject().Select(e => e.Key).ToList() ?? [];
            return errors.Count > 0 ? string.Join(", ", errors) : "no field (a clinical rule or the store)";
        }
        catch (System.Text.Json.JsonException)
        {
            return "an answer that is not JSON";
        }
    }
}
