using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Marten;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// Loads the founding case (ops/demo/imt-alk-case.json, embedded in this assembly) once the ledger listens, through its
/// own <c>POST /cases/import</c>, once: a case with the demo's patientRef already in the store is left as it is.
/// </summary>
public sealed class DemoCase(IDocumentStore store, LedgerSettings settings, IHostApplicationLifetime lifetime, ILogger<DemoCase> logger)
    : BackgroundService
{
    public const string ResourceName = "demo-case.json";

    public static JsonNode Read()
    {
        using var stream = typeof(DemoCase).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"the demo case file {ResourceName} is not embedded");
        return JsonNode.Parse(stream)!;
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (ct.Register(() => started.TrySetCanceled(ct)))
            await started.Task;

        var file = Read();
        var patientRef = file["case"]!["patientRef"]!.GetValue<string>();
        await using (var session = store.QuerySession(DemoHospital.Name))
        {
            var existing = await session.Query<CaseState>().Where(c => c.Summary.PatientRef == patientRef).Select(c => c.Id).ToListAsync(ct);
            if (existing.Count > 0)
            {
                logger.LogInformation("Demo case already loaded: {Url}", $"{settings.BaseUrl}/cases/{existing[0]}");
                return;
            }
        }
        if (DemoHospital.Token(settings, "demo-loader", Security.Roles.Clinician) is not { } token)
        {
            logger.LogWarning("Demo case not loaded: this ledger takes tokens of an identity provider, and the loader has none");
            return;
        }
        using var http = new HttpClient { BaseAddress = new Uri(settings.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cases/import") { Content = JsonContent.Create(file) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(Http.RecordingHeaders.CorrelationIdHeader, "demo-load");
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            // The fields only: the messages may quote the file's values, and logs hold nothing of a patient's data.
            var fields = JsonNode.Parse(body)?["errors"]?.AsObject().Select(e => e.Key) ?? [];
            logger.LogError("The demo case file was refused ({Status}) on {Fields}", (int)response.StatusCode, string.Join(", ", fields));
            return;
        }
        var caseId = JsonNode.Parse(body)!["caseId"]!.GetValue<Guid>();
        logger.LogInformation("Demo case loaded: {Url}", $"{settings.BaseUrl}/cases/{caseId}");
    }
}
