using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary><c>POST /cases/import</c> and <c>GET /cases/{caseId}/export</c>: a case file in, the same case file out.</summary>
public sealed class ImportExportTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private const string IndependentCase = CaseFiles.IndependentCase;
    private const string DemoCase = CaseFiles.FoundingCase;

    private static List<JsonObject> EntriesOf(JsonObject file) => file["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();

    /// <summary>
    /// A case-file entry as the ledger keeps it: DOMAIN.md has occurredOn ignored on the two correction types, and a
    /// replacement is the corrected entry itself (its entryId, if written, is the target's).
    /// </summary>
    private static JsonObject AsKept(JsonObject entry)
    {
        var kept = entry.DeepClone().AsObject();
        var type = kept["type"]!.GetValue<string>();
        if (type is "entry-corrected" or "entry-retracted") kept.Remove("occurredOn");
        if (type == "entry-corrected")
        {
            var replacement = kept["replacement"]!.AsObject();
            if (replacement["entryId"] is { } id) Assert.Equal(kept["entryId"]!.GetValue<Guid>(), id.GetValue<Guid>());
            replacement.Remove("entryId");
        }
        return kept;
    }

    private static void AssertSameEntries(IReadOnlyList<JsonObject> expected, IReadOnlyList<JsonObject> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (AsKept(expected[i]), AsKept(actual[i]));
            Assert.True(JsonNode.DeepEquals(e, a), $"entry {i} differs:\n expected {e.ToJsonString()}\n actual   {a.ToJsonString()}");
        }
    }

    private static void AssertSameFile(JsonObject expected, JsonObject actual)
    {
        Assert.True(JsonNode.DeepEquals(expected["case"], actual["case"]),
            $"case differs:\n expected {expected["case"]!.ToJsonString()}\n actual   {actual["case"]!.ToJsonString()}");
        AssertSameEntries(EntriesOf(expected), EntriesOf(actual));
    }

    private async Task<(Guid CaseId, LedgerApi.Response Response)> Import(JsonObject file, params (string Name, string Value)[] headers)
    {
        var response = await Api.Post("/cases/import", file, headers);
        Assert.True(201 == response.Status, $"import refused: {response.Status} {response.Body?.ToJsonString()}");
        return (response.Json["caseId"]!.GetValue<Guid>(), response);
    }

    private async Task<JsonObject> Export(Guid caseId)
    {
        var response = await Api.Get($"/cases/{caseId}/export");
        Assert.Equal(200, response.Status);
        return response.Json;
    }

    private async Task<int> CaseCount()
    {
        var list = await Api.GetCurrent("/cases");
        Assert.Equal(200, list.Status);
        return list.Json["cases"]!.AsArray().Count;
    }

    [Theory]
    [InlineData(IndependentCase)]
    [InlineData(DemoCase)]
    public async Task Import_answers_the_new_case_with_every_entry_in_order(string name)
    {
        var file = CaseFiles.Read(name);
        var fileEntries = EntriesOf(file);

        var (caseId, response) = await Import(file);

        Assert.Equal($"/cases/{caseId}", response.Header("Location"));
        Assert.Equal(1 + fileEntries.Count, response.Json["version"]!.GetValue<long>());
        Assert.Equal(1 + fileEntries.Count, await Api.Version(caseId));
        var answered = response.Json["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.Equal(1 + fileEntries.Count, answered.Count);
        Assert.Equal(file["case"]!["entryId"]!.GetValue<Guid>(), answered[0]["entryId"]!.GetValue<Guid>());
        Assert.Equal(fileEntries.Select(e => e["entryId"]!.GetValue<Guid>()), answered.Skip(1).Select(e => e["entryId"]!.GetValue<Guid>()));
        var sequences = answered.Select(e => e["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
    }

    [Theory]
    [InlineData(IndependentCase)]
    [InlineData(DemoCase)]
    public async Task The_audit_log_lists_the_imported_entries_in_sequence_order_with_payloads_and_entryIds_intact(string name)
    {
        var file = CaseFiles.Read(name);

        var (caseId, response) = await Import(file, ClinicianNamed("importer"), ("X-Correlation-Id", "import-42"));

        var log = await Api.Log(caseId);
        var opening = file["case"]!.DeepClone().AsObject();
        opening["type"] = "case-opened";
        var expected = new List<JsonObject> { opening };
        expected.AddRange(EntriesOf(file));
        AssertSameEntries(expected, log.Select(LedgerAssertions.WithoutMetadata).ToList());

        Assert.Equal(Enumerable.Range(1, log.Count).Select(v => (long)v), log.Select(e => e["version"]!.GetValue<long>()));
        Assert.Equal(
            response.Json["entries"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()),
            log.Select(e => e["sequence"]!.GetValue<long>()));
        Assert.All(log, e => Assert.Equal("importer", e["recordedBy"]!.GetValue<string>()));
        Assert.All(log, e => Assert.Equal("import-42", e["correlationId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_audit_log_shows_what_the_independent_case_corrected_and_retracted()
    {
        var (caseId, _) = await Import(CaseFiles.Read(IndependentCase));

        var log = await Api.Log(caseId);

        JsonObject Row(string entryId, string type) =>
            log.Single(e => e["entryId"]!.GetValue<string>() == entryId && e["type"]!.GetValue<string>() == type);
        var retracted = Row("2e2f88fb-069f-4509-83c3-9e98910366d1", "imaging-performed");
        var retraction = Row("2e2f88fb-069f-4509-83c3-9e98910366d1", "entry-retracted");
        var corrected = Row("267d9f17-434c-4fd1-89f4-3a8ed29d2ca7", "response-assessed");
        var correction = Row("267d9f17-434c-4fd1-89f4-3a8ed29d2ca7", "entry-corrected");
        Assert.Equal("retracted", retracted["status"]!.GetValue<string>());
        Assert.Equal(retraction["sequence"]!.GetValue<long>(), retracted["retractedBy"]!.GetValue<long>());
        Assert.Equal("corrected", corrected["status"]!.GetValue<string>());
        Assert.Equal(correction["sequence"]!.GetValue<long>(), corrected["correctedBy"]!.GetValue<long>());
        // The original keeps what it said first; the correction carries the replacement.
        Assert.Equal("PR", corrected["response"]!.GetValue<string>());
        Assert.Equal("SD", correction["replacement"]!["response"]!.GetValue<string>());
        var others = log.Except(new[] { retracted, corrected }).ToList();
        Assert.All(others, e => Assert.Equal("active", e["status"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(IndependentCase)]
    [InlineData(DemoCase)]
    public async Task Export_gives_back_the_imported_file(string name)
    {
        var file = CaseFiles.Read(name);
        var (caseId, _) = await Import(file);

        var export = await Export(caseId);

        Assert.Equal(new[] { "case", "entries" }, export.Select(p => p.Key).Order(StringComparer.Ordinal));
        AssertSameFile(file, export);
    }

    [Theory]
    [InlineData(IndependentCase)]
    [InlineData(DemoCase)]
    public async Task Export_lists_the_audit_log_entries_in_the_same_order_without_server_metadata(string name)
    {
        var (caseId, _) = await Import(CaseFiles.Read(name));

        var export = await Export(caseId);
        var log = (await Api.Log(caseId)).Select(LedgerAssertions.WithoutMetadata).ToList();

        var opening = log[0].DeepClone().AsObject();
        opening.Remove("type");
        Assert.True(JsonNode.DeepEquals(opening, export["case"]), $"case: {export["case"]!.ToJsonString()} vs {opening.ToJsonString()}");
        var exported = EntriesOf(export);
        Assert.Equal(log.Count - 1, exported.Count);
        for (var i = 0; i < exported.Count; i++)
            Assert.True(JsonNode.DeepEquals(log[i + 1], exported[i]), $"entry {i}: {exported[i].ToJsonString()} vs {log[i + 1].ToJsonString()}");
        Assert.All(exported, e => Assert.DoesNotContain(e, p => LedgerAssertions.ServerMetadata.Contains(p.Key)));
    }

    [Theory]
    [InlineData(IndependentCase)]
    [InlineData(DemoCase)]
    public async Task Re_importing_an_export_makes_a_new_case_with_the_same_export(string name)
    {
        var (firstCase, _) = await Import(CaseFiles.Read(name));
        var firstExport = await Export(firstCase);

        var (secondCase, second) = await Import(firstExport);
        var secondExport = await Export(secondCase);

        Assert.NotEqual(firstCase, secondCase);
        Assert.Equal(await Api.Version(firstCase), second.Json["version"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(firstExport, secondExport),
            $"exports differ:\n first  {firstExport.ToJsonString()}\n second {secondExport.ToJsonString()}");
    }

    [Fact]
    public async Task A_case_built_entry_by_entry_exports_to_a_file_that_rebuilds_it()
    {
        var caseId = await Api.OpenCase();
        var imaging = Guid.NewGuid();
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-04", imaging))).Status);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Start("2015-05"))).Status);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Cycle("2015-06"))).Status);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Correct(imaging, Bodies.Imaging("2015-03", findings: "re-read")))).Status);
        var export = await Export(caseId);

        var (copy, _) = await Import(export);

        Assert.True(JsonNode.DeepEquals(export, await Export(copy)));
        // Server-chosen entryIds were written out, so the copy keeps them too.
        Assert.Equal(
            (await Api.Log(caseId)).Select(e => e["entryId"]!.GetValue<Guid>()),
            (await Api.Log(copy)).Select(e => e["entryId"]!.GetValue<Guid>()));
    }

    [Fact]
    public async Task A_case_whose_correction_is_dated_after_the_death_exports_to_a_file_that_imports_again()
    {
        var caseId = await Api.OpenCase();
        var visit = Guid.NewGuid();
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.FollowUp("2020-03", visit))).Status);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Died("2020-06"))).Status);
        // DOMAIN.md: after the death, corrections are accepted, whatever their date.
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Correct(visit, Bodies.FollowUp("2020-09")))).Status);
        var export = await Export(caseId);

        var (copy, _) = await Import(export);

        Assert.True(JsonNode.DeepEquals(export, await Export(copy)));
    }

    [Fact]
    public async Task An_imported_case_takes_new_entries_at_the_version_the_import_answered()
    {
        var (caseId, response) = await Import(CaseFiles.Read(IndependentCase));
        var version = response.Json["version"]!.GetValue<long>();

        // The independent case ends with a death in 2024-01; a late entry before it is accepted.
        var appended = await Api.PostEntry(caseId, Bodies.Imaging("2023-12"), ("If-Match", $"\"{version}\""));

        Assert.Equal(201, appended.Status);
        Assert.Equal(version + 1, appended.Json["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_import_with_one_malformed_entry_is_400_naming_it_and_creates_no_case()
    {
        var file = CaseFiles.Read(IndependentCase);
        file["entries"]![7]!["totalDoseGy"] = 0;
        file["entries"]![12]!["occurredOn"] = "2016-02-30";
        var before = await CaseCount();

        var response = await Api.Post("/cases/import", file);

        response.AssertInvalid("entries[7].totalDoseGy");
        response.AssertInvalid("entries[12].occurredOn");
        Assert.Null(response.Header("Location"));
        Assert.Null(response.Json["caseId"]);
        Assert.Equal(before, await CaseCount());
    }

    [Fact]
    public async Task An_import_with_one_entry_breaking_a_rule_is_422_naming_it_and_creates_no_case()
    {
        var file = CaseFiles.Read(IndependentCase);
        // Before any line of therapy: a cycle has no active line.
        file["entries"]!.AsArray().Insert(3, Bodies.Cycle("2016-05-20"));
        var before = await CaseCount();

        var response = await Api.Post("/cases/import", file);

        response.AssertProblem(422);
        Assert.Contains("entries[3]", response.Body!.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(response.Header("Location"));
        Assert.Null(response.Json["caseId"]);
        Assert.Equal(before, await CaseCount());
    }

    [Fact]
    public async Task A_case_file_may_list_cycles_before_the_start_of_their_line_recorded_late()
    {
        var file = new JsonObject
        {
            ["case"] = new JsonObject { ["patientRef"] = "TEST-LATE-01", ["sex"] = "male", ["occurredOn"] = "2015-01" },
            ["entries"] = new JsonArray(Bodies.Cycle("2015-03", cycle: 1), Bodies.Cycle("2015-04", cycle: 2), Bodies.Start("2015-02-20")),
        };

        var (caseId, response) = await Import(file);

        Assert.Equal(201, response.Status);
        var line = (await Api.Get($"/cases/{caseId}/lines")).Json["lines"]![0]!;
        Assert.Equal(2, line["cycles"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_import_with_an_entry_after_the_death_is_422()
    {
        var file = CaseFiles.Read(IndependentCase);
        file["entries"]!.AsArray().Add(Bodies.Imaging("2024-03"));
        var before = await CaseCount();

        var response = await Api.Post("/cases/import", file);

        response.AssertProblem(422);
        Assert.Contains($"entries[{file["entries"]!.AsArray().Count - 1}]", response.Body!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(before, await CaseCount());
    }

    [Fact]
    public async Task A_refused_import_leaves_the_file_importable()
    {
        var file = CaseFiles.Read(IndependentCase);
        var broken = file.DeepClone().AsObject();
        broken["entries"]![0]!["modality"] = "CAT";
        Assert.Equal(400, (await Api.Post("/cases/import", broken)).Status);

        var (caseId, _) = await Import(file);

        Assert.Equal(1 + EntriesOf(file).Count, (await Api.Log(caseId)).Count);
        Assert.Equal(1, await CaseCount());
    }

    public static TheoryData<string, string> MalformedFiles => new()
    {
        { """{ "entries": [] }""", "case" },
        { """{ "case": { "patientRef": "P-1", "sex": "female", "occurredOn": "2016-05" } }""", "entries" },
        { """{ "case": { "patientRef": "P-1", "sex": "female", "occurredOn": "2016-05" }, "entries": [], "patient": "Jane" }""", "patient" },
        { """{ "case": { "type": "biopsy-performed", "patientRef": "P-1", "sex": "female", "occurredOn": "2016-05" }, "entries": [] }""", "case.type" },
        { """{ "case": { "patientRef": "P-1", "sex": "female", "occurredOn": "2016-02-30" }, "entries": [] }""", "case.occurredOn" },
        { """{ "case": { "patientRef": "P-1", "occurredOn": "2016-05" }, "entries": [] }""", "case.sex" },
        { """{ "case": { "patientRef": "P-1", "sex": "female", "occurredOn": "2016-05", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d01" }, "entries": [ { "type": "patient-died", "occurredOn": "2020", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d01" } ] }""", "case.entryId" },
        { """{ "case": { "patientRef": "P-1", "sex": "female", "occurredOn": "2016-05" }, "entries": [ { "type": "patient-died", "occurredOn": "2020", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d02" }, { "type": "imaging-performed", "occurredOn": "2019", "modality": "CT", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d02" } ] }""", "entries[1].entryId" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public async Task A_malformed_case_file_is_400_with_the_field_named(string body, string field)
    {
        var before = await CaseCount();

        var response = await Api.Post("/cases/import", body);

        response.AssertInvalid(field);
        Assert.Equal(before, await CaseCount());
    }

    [Fact]
    public async Task A_case_file_with_only_the_opening_imports_and_exports_empty_entries()
    {
        var file = JsonNode.Parse("""{ "case": { "patientRef": "P-1", "sex": "other", "occurredOn": "2016-05", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d09" }, "entries": [] }""")!.AsObject();

        var (caseId, response) = await Import(file);

        Assert.Equal(1, response.Json["version"]!.GetValue<long>());
        AssertSameFile(file, await Export(caseId));
    }

    [Fact]
    public async Task Export_of_an_unknown_case_is_404()
    {
        (await Api.Get($"/cases/{Guid.NewGuid()}/export")).AssertProblem(404);
    }
}
