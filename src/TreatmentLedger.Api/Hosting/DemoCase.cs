using System.Text.Json.Nodes;
using Marten;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// Loads the founding case (ops/demo/imt-alk-case.json, embedded in this assembly) at start-up, once:
/// a case with the demo's patientRef already in the store is left as it is.
/// </summary>
public sealed class DemoCase(IDocumentStore store, CaseWriter writer, LedgerSettings settings, ILogger<DemoCase> logger) : IHostedService
{
    public const string ResourceName = "demo-case.json";

    public static JsonNode Read()
    {
        using var stream = typeof(DemoCase).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"the demo case file {ResourceName} is not embedded");
        return JsonNode.Parse(stream)!;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        var file = Read();
        var patientRef = file["case"]!["patientRef"]!.GetValue<string>();
        await using (var session = store.QuerySession())
        {
            var existing = await session.Query<CaseState>().Where(c => c.Summary.PatientRef == patientRef).Select(c => c.Id).ToListAsync(ct);
            if (existing.Count > 0)
            {
                logger.LogInformation("Demo case {PatientRef} already loaded: {Url}", patientRef, $"{settings.BaseUrl}/cases/{existing[0]}");
                return;
            }
        }
        var (written, problem) = await ImportCase.ImportAsync(file, writer, new RecordingContext("demo-loader", "demo-load"), ct);
        if (problem is not null || written is null)
            throw new InvalidOperationException("the demo case file was refused; run the tests to see why");
        logger.LogInformation("Demo case {PatientRef} loaded with {Count} entries: {Url}", patientRef, written.Entries.Count, $"{settings.BaseUrl}/cases/{written.CaseId}");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
