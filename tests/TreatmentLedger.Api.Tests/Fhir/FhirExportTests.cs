using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Fhir;
using TreatmentLedger.Api.Tests.Support;
using Xunit.Abstractions;

namespace TreatmentLedger.Api.Tests.Fhir;

/// <summary><c>GET /cases/{caseId}/fhir</c>: the case as an mCODE-shaped FHIR R4 Bundle that the Firely validator accepts.</summary>
public sealed class FhirExportTests(LedgerFixture fixture, ITestOutputHelper output) : LedgerTest(fixture)
{
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
        var bundle = await Export(await Import(DemoCase.Read().AsObject()));

        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        var errors = FhirValidation.CoreErrors(bundle).ToList();
        foreach (var resource in bundle.Entry.Select(e => e.Resource!))
            foreach (var profile in resource.Meta?.Profile ?? [])
                errors.AddRange(FhirValidation.ProfileErrors(resource, profile!).Select(e => $"{resource.TypeName}/{resource.Id} ({profile}) {e}"));
        foreach (var error in errors) output.WriteLine(error);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_profile_check_refuses_a_founding_case_resource_without_what_its_mCODE_profile_requires()
    {
        var bundle = await Export(await Import(DemoCase.Read().AsObject()));
        var resources = bundle.Entry.Select(e => e.Resource!).ToList();
        var patient = resources.OfType<Patient>().Single();
        var condition = resources.OfType<Condition>().Single(c => c.Meta!.Profile.Contains(FhirTerms.PrimaryCancerCondition));
        var status = resources.OfType<Observation>().First(o => o.Meta?.Profile.Contains(FhirTerms.DiseaseStatus) == true);
        Assert.Empty(FhirValidation.ProfileErrors(patient, FhirTerms.CancerPatient));
        Assert.Empty(FhirValidation.ProfileErrors(condition, FhirTerms.PrimaryCancerCondition));
        Assert.Empty(FhirValidation.ProfileErrors(status, FhirTerms.DiseaseStatus));

        // Each allowed by R4 core: no gender (mCODE's patient has it 1..1 from US Core), no code for the primary cancer
        // condition (1..1 in mCODE), another LOINC code than the one the disease status profile fixes.
        patient.Gender = null;
        condition.Code = null;
        status.Code = new CodeableConcept(FhirTerms.Loinc, "21908-9");
        Assert.Empty(FhirValidation.CoreErrors(bundle));

        var errors = FhirValidation.ProfileErrors(patient, FhirTerms.CancerPatient)
            .Concat(FhirValidation.ProfileErrors(condition, FhirTerms.PrimaryCancerCondition))
            .Concat(FhirValidation.ProfileErrors(status, FhirTerms.DiseaseStatus)).ToList();
        foreach (var error in errors) output.WriteLine(error);
        Assert.Contains("Patient: Missing required member: 'gender'", errors);
        Assert.Contains("Condition: Missing required member: 'code'", errors);
        Assert.Contains(errors, e => e.StartsWith("Observation.code[0]: ") && e.Contains("does not match pattern") && e.Contains(FhirTerms.DiseaseStatusCode));
    }
}
