using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using TreatmentLedger.Api.Fhir;
using TreatmentLedger.Api.Tests.Support;
using Xunit.Abstractions;

namespace TreatmentLedger.Api.Tests.Fhir;

/// <summary><c>GET /cases/{caseId}/fhir</c>: the case as an mCODE-shaped FHIR R4 Bundle that the Firely validator accepts.</summary>
public sealed class FhirExportTests(LedgerFixture fixture, ITestOutputHelper output) : LedgerTest(fixture)
{
    private static JsonObject FoundingCase() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cases", "imt-alk-case.json")))!.AsObject();

    private async Task<Guid> Import(JsonObject file)
    {
        var response = await Api.Post("/cases/import", file);
        Assert.True(201 == response.Status, $"import refused: {response.Status} {response.Text}");
        return response.Json["caseId"]!.GetValue<Guid>();
    }

    private async Task<Bundle> Export(Guid caseId, string query = "")
    {
        var response = await Api.Get($"/cases/{caseId}/fhir{query}");
        Assert.True(200 == response.Status, $"{response.Status} {response.Text}");
        Assert.StartsWith(FhirTerms.MediaType, response.Header("Content-Type"));
        return JsonSerializer.Deserialize<Bundle>(response.Text, FhirTerms.Json)!;
    }

    [Fact]
    public async Task The_founding_case_validates_against_R4_core_and_each_resource_against_its_mCODE_profile()
    {
        var bundle = await Export(await Import(FoundingCase()));

        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        var errors = FhirValidation.CoreErrors(bundle).ToList();
        foreach (var resource in bundle.Entry.Select(e => e.Resource!))
            foreach (var profile in resource.Meta?.Profile ?? [])
                errors.AddRange(FhirValidation.ProfileErrors(resource, profile!).Select(e => $"{resource.TypeName}/{resource.Id} ({profile}) {e}"));
        foreach (var error in errors) output.WriteLine(error);
        Assert.Empty(errors);
    }
}
