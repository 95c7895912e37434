using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Fhir;
using TreatmentLedger.Api.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace TreatmentLedger.Api.Tests.Fhir;

/// <summary><c>POST /cases/import/fhir</c>: the Bundle <c>GET /cases/{caseId}/fhir</c> answers makes the same case again.</summary>
public sealed class FhirImportTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static readonly string[] CaseRoutes = ["lines", "cumulative-dose", "progression-free-intervals", "outcomes"];

    private async Task<string> ExportText(Guid caseId)
    {
        var response = await Api.Get($"/cases/{caseId}/fhir");
        Assert.True(200 == response.Status, $"{response.Status} {response.Text}");
        return response.Text;
    }

    private Task<LedgerApi.Response> ImportFhir(string bundle, string query = "") =>
        Api.Send("POST", "/cases/import/fhir" + query, Encoding.UTF8.GetBytes(bundle), FhirTerms.MediaType);

    private async Task<Guid> Imported(string bundle, string query = "")
    {
        var response = await ImportFhir(bundle, query);
        Assert.True(201 == response.Status, $"FHIR import refused: {response.Status} {response.Text}");
        return response.Json["caseId"]!.GetValue<Guid>();
    }

    /// <summary>The resources made from entries, as JSON, without the OperationOutcome of what was not mapped.</summary>
    private static List<string> Resources(string bundle) =>
        JsonNode.Parse(bundle)!["entry"]!.AsArray()
            .Where(e => e!["resource"]!["resourceType"]!.GetValue<string>() != "OperationOutcome")
            .Select(e => e!.ToJsonString()).ToList();

    [Fact]
    public async Task The_founding_case_exported_and_imported_again_has_the_same_lines_doses_intervals_and_resources()
    {
        var import = await Api.Post("/cases/import", DemoCase.Read().AsObject());
        Assert.Equal(201, import.Status);
        var original = import.Json["caseId"]!.GetValue<Guid>();
        var exported = await ExportText(original);

        var copy = await Imported(exported);

        Assert.NotEqual(original, copy);
        foreach (var route in CaseRoutes)
        {
            var expected = await Api.Get($"/cases/{original}/{route}");
            var actual = await Api.Get($"/cases/{copy}/{route}");
            Assert.Equal(200, expected.Status);
            Assert.True(JsonNode.DeepEquals(expected.Body, actual.Body),
                $"/{route} differs:\n original {expected.Text}\n imported {actual.Text}");
        }
        Assert.Equal(Resources(exported), Resources(await ExportText(copy)));
    }

    [Fact]
    public async Task A_radiotherapy_course_summary_of_two_volumes_becomes_one_entry_per_volume()
    {
        var import = await Api.Post("/cases/import", DemoCase.Read().AsObject());
        Assert.Equal(201, import.Status);
        var bundle = JsonNode.Parse(await ExportText(import.Json["caseId"]!.GetValue<Guid>()))!.AsObject();
        var course = bundle["entry"]!.AsArray().Select(e => e!["resource"]!.AsObject())
            .First(r => r["meta"]?["profile"]?.AsArray().Any(p => p!.GetValue<string>() == FhirTerms.RadiotherapyCourseSummary) == true);
        var entryId = course["identifier"]!.AsArray().Single(i => i!["system"]!.GetValue<string>() == FhirTerms.EntrySystem)!["value"]!.GetValue<string>();
        var dose = course["extension"]!.AsArray().Single(e => e!["url"]!.GetValue<string>() == FhirTerms.DoseDeliveredToVolume)!;
        // A second volume, not held in the Bundle: its target is the reference itself (INTEROP.md).
        var second = dose.DeepClone().AsObject();
        foreach (var part in second["extension"]!.AsArray())
            switch (part!["url"]!.GetValue<string>())
            {
                case "volume": part["valueReference"] = new JsonObject { ["reference"] = "BodyStructure/second-volume" }; break;
                case "totalDoseDelivered": part["valueQuantity"]!["value"] = 2000; break;
                case "fractionsDelivered": part["valueUnsignedInt"] = 5; break;
            }
        course["extension"]!.AsArray().Add(second);

        var caseId = await Imported(bundle.ToJsonString());
        var log = await Api.Get($"/cases/{caseId}/entries");
        var entries = log.Json["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var first = entries.FindIndex(e => e["entryId"]?.GetValue<string>() == entryId);
        Assert.True(first >= 0, log.Text);
        // The course's second volume is the entry recorded right after the first.
        var courses = entries.Skip(first).Take(2).ToList();
        Assert.All(courses, c => Assert.Equal("radiotherapy-delivered", c["type"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(courses[0]["occurredOn"], courses[1]["occurredOn"]));
        var added = courses[1];
        Assert.NotEqual(entryId, added["entryId"]!.GetValue<string>());
        Assert.Equal("BodyStructure/second-volume", added["target"]!.GetValue<string>());
        Assert.Equal(20m, added["totalDoseGy"]!.GetValue<decimal>());
        Assert.Equal(5, added["fractions"]!.GetValue<int>());
        Assert.Equal(courses[0]["site"]!.GetValue<string>(), added["site"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_resource_without_an_entry_identifier_is_a_422_naming_it_unless_lenient_records_the_rest()
    {
        var caseId = await Api.OpenCase("FHIR-0001", "2020-01");
        var bundle = JsonSerializer.Deserialize<Bundle>(await ExportText(caseId), FhirTerms.Json)!;
        var foreign = new Observation { Id = "foreign-1", Status = ObservationStatus.Final, Code = new CodeableConcept { Text = "haemoglobin" } };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = "urn:uuid:6f1c1f0e-8a57-4a4e-9d8e-1f0c2a3b4c5d", Resource = foreign });
        var text = JsonSerializer.Serialize(bundle, FhirTerms.Json);
        // The board as of every event stored so far (GET /cases is an async read model): its total counts the cases.
        var cases = (await Api.GetCurrent("/cases")).Json["total"]!.GetValue<long>();

        var refused = await ImportFhir(text);

        Assert.Equal(422, refused.Status);
        var named = refused.Json["notImported"]!.AsArray().Select(n => n!["resource"]!.GetValue<string>()).ToList();
        Assert.Equal([$"Bundle.entry[{bundle.Entry.Count - 1}] (Observation/foreign-1)"], named);
        Assert.Equal(cases, (await Api.GetCurrent("/cases")).Json["total"]!.GetValue<long>());

        var lenient = await ImportFhir(text, "?lenient=true");

        Assert.Equal(201, lenient.Status);
        Assert.Equal(named, lenient.Json["notImported"]!.AsArray().Select(n => n!["resource"]!.GetValue<string>()));
        Assert.Single(lenient.Json["entries"]!.AsArray());
    }

    [Fact]
    public async Task A_body_that_is_not_a_FHIR_Bundle_is_a_400_and_lenient_must_be_true_or_false()
    {
        var notBundle = await ImportFhir("""{ "resourceType": "Patient", "gender": "female" }""");
        Assert.Equal(400, notBundle.Status);

        var badLenient = await ImportFhir("""{ "resourceType": "Bundle", "type": "collection" }""", "?lenient=yes");
        Assert.Equal(400, badLenient.Status);
        Assert.NotNull(badLenient.Json["errors"]!["lenient"]);
    }
}
