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

    private async Task<(Bundle Bundle, int Imaging)> ExportedWithImaging()
    {
        var caseId = await Api.OpenCase("FHIR-0002", "2020-01");
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries", Bodies.Imaging("2020-02"))).Status);
        var bundle = JsonSerializer.Deserialize<Bundle>(await ExportText(caseId), FhirTerms.Json)!;
        return (bundle, bundle.Entry.FindIndex(e => e.Resource is Observation o && o.Identifier.Any(i => i.Type?.Text == "imaging-performed")));
    }

    [Fact]
    public async Task Two_resources_naming_one_entry_are_a_422_naming_both_not_one_dropped_unseen()
    {
        var (bundle, imaging) = await ExportedWithImaging();
        var copy = (Observation)bundle.Entry[imaging].Resource!.DeepCopy();
        copy.Id = "second-version";
        copy.Effective = new FhirDateTime("2020-03");
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = "urn:uuid:3c6d2f7a-1b2c-4d5e-8f90-a1b2c3d4e5f6", Resource = copy });
        var text = JsonSerializer.Serialize(bundle, FhirTerms.Json);

        var refused = await ImportFhir(text);

        Assert.Equal(422, refused.Status);
        var named = Assert.Single(refused.Json["notImported"]!.AsArray())!["resource"]!.GetValue<string>();
        Assert.Contains($"Bundle.entry[{imaging}]", named);
        Assert.Contains($"Bundle.entry[{bundle.Entry.Count - 1}] (Observation/second-version)", named);
        var lenient = await ImportFhir(text, "?lenient=true");
        Assert.Equal(201, lenient.Status);
        Assert.Single(lenient.Json["entries"]!.AsArray());
    }

    [Fact]
    public async Task A_resource_about_another_patient_is_a_422_naming_it_not_recorded_on_this_case()
    {
        var (bundle, imaging) = await ExportedWithImaging();
        ((Observation)bundle.Entry[imaging].Resource!).Subject = new ResourceReference("urn:uuid:00000000-0000-4000-8000-000000000999");
        var text = JsonSerializer.Serialize(bundle, FhirTerms.Json);

        var refused = await ImportFhir(text);

        Assert.Equal(422, refused.Status);
        var notImported = Assert.Single(refused.Json["notImported"]!.AsArray())!;
        Assert.StartsWith($"Bundle.entry[{imaging}] (Observation/", notImported["resource"]!.GetValue<string>());
        Assert.Contains("urn:uuid:00000000-0000-4000-8000-000000000999", notImported["reason"]!.GetValue<string>());
        var lenient = await ImportFhir(text, "?lenient=true");
        Assert.Equal(201, lenient.Status);
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

        // A Bundle with nothing in it opens no case, and says what would.
        var empty = await ImportFhir("""{ "resourceType": "Bundle", "type": "collection" }""");
        Assert.Equal(422, empty.Status);
        Assert.Contains("Patient", empty.Json["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_medication_request_has_one_of_the_statuses_of_INTEROP_an_interruption_said_by_its_direction()
    {
        var caseId = await Api.OpenCase("FHIR-0004", "2020-01");
        var batch = await Api.PostBatch(caseId, Bodies.Batch(Bodies.Start("2020-02"),
            Bodies.DoseAdjusted("2020-04").With("direction", "interrupted"), Bodies.DoseAdjusted("2020-05").With("direction", "resumed"),
            Bodies.Start("2020-06", regimen: "alectinib").With("lineIntent", "new-line")));
        Assert.True(batch.Status == 201, batch.Text);
        var exported = await ExportText(caseId);

        var requests = JsonNode.Parse(exported)!["entry"]!.AsArray().Select(e => e!["resource"]!)
            .Where(r => r["resourceType"]!.GetValue<string>() == "MedicationRequest").ToList();

        Assert.All(requests, r => Assert.Contains(r["status"]!.GetValue<string>(), new[] { "active", "completed", "stopped" }));
        var interrupted = requests.Single(r => r["extension"]!.AsArray().Any(e => e!["valueCode"]?.GetValue<string>() == "interrupted"));
        Assert.Equal("stopped", interrupted["status"]!.GetValue<string>());
        Assert.Equal(Resources(exported), Resources(await ExportText(await Imported(exported))));
    }

    [Fact]
    public async Task A_Bundle_of_another_type_than_collection_is_a_400_on_type()
    {
        var caseId = await Api.OpenCase("FHIR-0002", "2020-01");
        var bundle = JsonNode.Parse(await ExportText(caseId))!;
        bundle["type"] = "transaction";

        var refused = await ImportFhir(bundle.ToJsonString());

        Assert.Equal(400, refused.Status);
        Assert.NotNull(refused.Json["errors"]!["type"]);
    }

    /// <summary>A case with a biopsy (its date and site estimated) and an expert re-read with an IHC and a FISH marker.</summary>
    private async Task<Guid> DiagnosedCase()
    {
        var caseId = await Api.OpenCase("FHIR-0003", "2018-05");
        var biopsy = Bodies.Biopsy("2018-05", site: "right lung").With("diagnosis", "IMT").With("estimated", new JsonArray("occurredOn", "site"));
        var reread = JsonNode.Parse("""
            { "type": "biopsy-reread", "occurredOn": "2018-07", "reviewer": "expert network", "diagnosis": "ALK-rearranged IMT",
              "markers": [ { "name": "ALK", "method": "IHC", "result": "positive" }, { "name": "MYC", "method": "FISH", "result": "not rearranged" } ] }
            """)!;
        var batch = await Api.PostBatch(caseId, Bodies.Batch(biopsy, reread.AsObject()));
        Assert.True(batch.Status == 201, batch.Text);
        return caseId;
    }

    [Fact]
    public async Task The_condition_names_the_entries_it_is_made_from_and_what_of_it_is_estimated_and_a_FISH_marker_is_a_genomic_variant()
    {
        var caseId = await DiagnosedCase();
        var exported = await ExportText(caseId);
        var resources = JsonNode.Parse(exported)!["entry"]!.AsArray().Select(e => e!["resource"]!).ToList();
        var log = await Api.Log(caseId);
        Guid IdOf(string type) => log.Single(e => e["type"]!.GetValue<string>() == type)["entryId"]!.GetValue<Guid>();

        var condition = resources.Single(r => r["resourceType"]!.GetValue<string>() == "Condition");
        Assert.Equal(
            [$"biopsy-reread {IdOf("biopsy-reread")}", $"biopsy-performed {IdOf("biopsy-performed")}"],
            condition["identifier"]!.AsArray().Select(i => $"{i!["type"]!["text"]} {i["value"]}"));
        Assert.Equal(["biopsy-performed.occurredOn", "biopsy-performed.site"],
            condition["extension"]!.AsArray().Where(e => e!["url"]!.GetValue<string>() == FhirTerms.Estimated).Select(e => e!["valueString"]!.GetValue<string>()));
        var variant = resources.Single(r => r["meta"]?["profile"]?[0]?.GetValue<string>() == FhirTerms.GenomicVariant);
        Assert.Equal("FISH", variant["method"]!["text"]!.GetValue<string>());
        Assert.Contains("MYC", variant["component"]!.ToJsonString());
        Assert.Contains(resources, r => r["meta"]?["profile"]?[0]?.GetValue<string>() == FhirTerms.TumorMarkerTest);

        // Both validate, and the case comes back the same.
        var bundle = JsonSerializer.Deserialize<Bundle>(exported, FhirTerms.Json)!;
        Assert.Empty(FhirValidation.CoreErrors(bundle));
        foreach (var resource in bundle.Entry.Select(e => e.Resource!).Where(r => r is Condition || r.Meta?.Profile.Contains(FhirTerms.GenomicVariant) == true))
            Assert.Empty(FhirValidation.ProfileErrors(resource, resource.Meta!.Profile.First()!));
        var copy = await Imported(exported);
        Assert.Equal(Resources(exported), Resources(await ExportText(copy)));
        Assert.Equal(
            (await Api.Log(caseId)).Select(e => e["markers"]?.ToJsonString()),
            (await Api.Log(copy)).Select(e => e["markers"]?.ToJsonString()));
    }

    [Fact]
    public async Task A_condition_that_says_other_than_the_biopsies_is_a_422_naming_it_unless_lenient_records_the_rest()
    {
        var exported = JsonNode.Parse(await ExportText(await DiagnosedCase()))!;
        var entries = exported["entry"]!.AsArray();
        var index = entries.Select((e, i) => (e, i)).Single(p => p.e!["resource"]!["resourceType"]!.GetValue<string>() == "Condition").i;
        entries[index]!["resource"]!["code"]!["text"] = "small cell lung cancer";

        var refused = await ImportFhir(exported.ToJsonString());

        Assert.Equal(422, refused.Status);
        var named = Assert.Single(refused.Json["notImported"]!.AsArray())!;
        Assert.StartsWith($"Bundle.entry[{index}] (Condition/", named["resource"]!.GetValue<string>());
        Assert.Contains("ALK-rearranged IMT", named["reason"]!.GetValue<string>());
        var lenient = await ImportFhir(exported.ToJsonString(), "?lenient=true");
        Assert.Equal(201, lenient.Status);
        Assert.Single(lenient.Json["notImported"]!.AsArray());

        // A Condition with no biopsy to make it: the Patient and the Condition alone.
        var alone = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "collection",
            ["entry"] = new JsonArray(entries.Where(e => e!["resource"]!["resourceType"]!.GetValue<string>() is "Patient" or "Condition").Select(e => e!.DeepClone()).ToArray()),
        };
        var withoutBiopsy = await ImportFhir(alone.ToJsonString());
        Assert.Equal(422, withoutBiopsy.Status);
        Assert.Contains("no biopsy", Assert.Single(withoutBiopsy.Json["notImported"]!.AsArray())!["reason"]!.GetValue<string>());
    }
}
