using System.Text.Json.Nodes;
using TreatmentLedger.Api.Fhir;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using Xunit.Abstractions;

namespace TreatmentLedger.Api.Tests.Fhir;

/// <summary>
/// The export's mapping (the function <c>GET /cases/{caseId}/fhir</c> answers with) over every case of the demo cohort and
/// over cases generated from another seed, each held against R4 core and the mCODE profiles its resources claim.
/// </summary>
public sealed class FhirCohortValidationTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> Cohorts() => new() { { "demo cohort", DemoCohort.Seed }, { "generated", 7 } };

    [Theory]
    [MemberData(nameof(Cohorts))]
    public void Every_exported_case_validates_against_R4_core_and_its_mCODE_profiles(string cohort, int seed)
    {
        var files = DemoCohort.Generate(seed, cohort == "generated" ? 40 : DemoCohort.CaseCount);
        var errors = new List<string>();
        foreach (var file in files)
        {
            var history = HistoryOf(file);
            var bundle = FhirExport.Of(history.Opening!, history.Effective);
            var patientRef = file["case"]!["patientRef"]!.GetValue<string>();
            errors.AddRange(FhirValidation.CoreErrors(bundle).Select(e => $"{patientRef}: {e}"));
            foreach (var resource in bundle.Entry.Select(e => e.Resource!))
                foreach (var profile in resource.Meta?.Profile ?? [])
                    errors.AddRange(FhirValidation.ProfileErrors(resource, profile!).Select(e => $"{patientRef} {resource.TypeName}/{resource.Id}: {e}"));
        }
        output.WriteLine($"{files.Count} cases of the {cohort}");
        foreach (var error in errors.Take(50)) output.WriteLine(error);
        Assert.Empty(errors);
    }

    /// <summary>A case file as the ledger would hold it after <c>POST /cases/import</c>: its entries read and recorded in order.</summary>
    private static CaseHistory HistoryOf(JsonObject generated)
    {
        // As the loader sends it: text (the payload reader takes JSON numbers as parsed).
        var file = JsonNode.Parse(generated.ToJsonString())!.AsObject();
        var errors = new ValidationErrors();
        var entries = EntryRequests.ReadCaseFile(file, errors, DateOnly.FromDateTime(DateTime.UtcNow));
        Assert.False(errors.Any, string.Join("; ", errors.ToDictionary().Select(p => $"{p.Key}: {string.Join(", ", p.Value)}")));
        return new CaseHistory(entries!.Select((entry, i) => new RecordedEntry(
            entry.EntryId == Guid.Empty && entry is ClinicalEntry ? entry with { EntryId = Guid.NewGuid() } : entry,
            i + 1, i + 1, DateTimeOffset.UtcNow, null, null)));
    }
}
