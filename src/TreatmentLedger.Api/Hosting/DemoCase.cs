using System.Text.Json.Nodes;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// Loads the demo data once the ledger listens, through its own <c>POST /cases/import</c> with a token of the demo
/// hospital (<see cref="DemoLoader"/>): the founding case (ops/demo/imt-alk-case.json, embedded in this assembly), then
/// the synthetic cohort of <see cref="DemoCohort"/>. Each only once: a case whose patientRef is already in the store is
/// left as it is.
/// </summary>
public sealed class DemoCase(Marten.IDocumentStore store, LedgerSettings settings, IHostApplicationLifetime lifetime, ILogger<DemoCase> logger)
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

        if (DemoHospital.Token(settings, "demo-loader", Security.Roles.Clinician) is not { } token)
        {
            logger.LogWarning("Demo data not loaded: this ledger takes tokens of an identity provider, and the loader has none");
            return;
        }
        using var http = new HttpClient { BaseAddress = new Uri(settings.BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var loader = new DemoLoader(http, store, logger);
        await loader.LoadFoundingCaseAsync(Read(), settings.BaseUrl, ct);
        await loader.LoadCohortAsync(ct);
    }
}
