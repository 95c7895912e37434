using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Faults;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.Testing;

namespace TreatmentLedger.Api.Tests.Dashboard;

/// <summary>
/// The API started as <c>ops/run</c> starts it (LEDGER_DEMO=1: the founding case and the synthetic cohort), and its
/// dashboard page opened in headless Chromium with a clinician of the demo hospital: the page shows the whole cohort.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class DemoDashboardTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_page_shows_the_demo_cohort_and_the_founding_case_with_their_curves()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        await using var ledger = await LedgerProcess.StartAsync(new Dictionary<string, string>
        {
            ["LEDGER_CONNECTION_STRING"] = postgres.ConnectionString,
            ["LEDGER_DEMO"] = "1",
        });
        var token = ledger.TokenAt(DemoHospital.Name, "test-demo-clinician", Roles.Clinician);
        using var client = LedgerClient.Create(ledger.BaseUrl, token);
        var expected = DemoCohort.CaseCount + 1;
        // The demo loads in the background; the board (an async read model) then holds every case.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await client.GetFromJsonAsync<JsonObject>("/cases?pageSize=1"))!["total"]!.GetValue<long>() < expected)
        {
            Assert.True(waited.Elapsed < Soon, $"the board did not reach {expected} cases within {Soon}");
            await Task.Delay(200);
        }
        var founding = await client.GetFromJsonAsync<JsonObject>("/cases?pageSize=100&sort=patientRef");

        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync($"{ledger.BaseUrl}/dashboard");
        await browser.WaitForAsync("window.dashboard !== undefined", Soon, "the page's script to run");
        await browser.EvaluateAsync($"document.getElementById('token').value = {JsonValue.Create(token)!.ToJsonString()}; document.getElementById('token-form').requestSubmit()");
        await browser.WaitForAsync("window.dashboard.rendered", Soon, "the page's first rendering with data");

        await browser.WaitForAsync($"document.getElementById('page-info').textContent.includes('({expected} cases)')", Soon, "the whole cohort on the board");
        // Every regimen of the cohort in the table; the first three ticked and drawn (the page's default).
        var regimens = (await client.GetFromJsonAsync<JsonObject>("/cohorts/regimens"))!["regimens"]!.AsArray()
            .Select(r => r!["regimen"]!.GetValue<string>()).ToList();
        Assert.True(regimens.Count >= 6, string.Join(", ", regimens));
        await browser.WaitForAsync($"document.querySelectorAll('#regimen-table tbody tr[data-regimen]').length === {regimens.Count}", Soon, "the regimen table");
        foreach (var regimen in regimens.Take(3))
            await browser.WaitForAsync($"document.querySelector('#curves-figure svg')?.textContent.includes({JsonValue.Create(regimen)!.ToJsonString()})", Soon, $"the {regimen} curve");
        // The founding case is among them, under its pseudonym.
        Assert.Contains(founding!["cases"]!.AsArray(), c => c!["patientRef"]!.GetValue<string>() == "IMT-ALK-0001");
    }
}
