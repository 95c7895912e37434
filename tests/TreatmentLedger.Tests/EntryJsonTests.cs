using System.Text.Json.Nodes;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Tests;

public sealed class EntryJsonTests
{
    private static readonly DateOnly Today = new(2024, 6, 15);
    private const string Target = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    /// <summary>The smallest valid entry of every type: the required fields of DOMAIN.md and nothing else.</summary>
    public static TheoryData<string, Type> MinimalEntries => new()
    {
        { """{ "type": "case-opened", "occurredOn": "2007-02", "patientRef": "IMT-0001", "sex": "female" }""", typeof(CaseOpened) },
        { """{ "type": "imaging-performed", "occurredOn": "2007-02", "modality": "MRI" }""", typeof(ImagingPerformed) },
        { """{ "type": "biopsy-performed", "occurredOn": "2007-02", "technique": "micro", "site": "left axilla" }""", typeof(BiopsyPerformed) },
        { """{ "type": "biopsy-reread", "occurredOn": "2007-02", "reviewer": "expert network", "diagnosis": "IMT" }""", typeof(BiopsyReread) },
        { """{ "type": "molecular-test-reported", "occurredOn": "2022", "method": "NGS-panel", "conclusive": false }""", typeof(MolecularTestReported) },
        { """{ "type": "surgery-performed", "occurredOn": "2007-04", "procedure": "resection", "site": "axilla", "intent": "curative", "margin": "R2" }""", typeof(SurgeryPerformed) },
        { """{ "type": "pathology-reported", "occurredOn": "2013", "specimen": "adrenal" }""", typeof(PathologyReported) },
        { """{ "type": "embolization-performed", "occurredOn": "2011-09", "site": "axilla" }""", typeof(EmbolizationPerformed) },
        { """{ "type": "radiotherapy-delivered", "occurredOn": "2011-10", "site": "axilla", "technique": "IMRT", "totalDoseGy": 54, "fractions": 25 }""", typeof(RadiotherapyDelivered) },
        { """{ "type": "systemic-therapy-started", "occurredOn": "2012-02", "regimen": "crizotinib", "therapyClass": "targeted" }""", typeof(SystemicTherapyStarted) },
        { """{ "type": "cycle-administered", "occurredOn": "2008-03", "cycle": 1, "doses": [ { "drug": "doxorubicin", "amount": 75, "unit": "mg/m2" } ] }""", typeof(CycleAdministered) },
        { """{ "type": "dose-adjusted", "occurredOn": "2012-05", "drug": "crizotinib", "direction": "reduced" }""", typeof(DoseAdjusted) },
        { """{ "type": "systemic-therapy-stopped", "occurredOn": "2021-08", "reason": "progression" }""", typeof(SystemicTherapyStopped) },
        { """{ "type": "adverse-event-observed", "occurredOn": "2012-05", "term": "neutropenia", "grade": 4 }""", typeof(AdverseEventObserved) },
        { """{ "type": "complication-occurred", "occurredOn": "2011-09", "description": "major haemorrhage" }""", typeof(ComplicationOccurred) },
        { """{ "type": "response-assessed", "occurredOn": "2022", "response": "PR", "method": "PET" }""", typeof(ResponseAssessed) },
        { """{ "type": "progression-observed", "occurredOn": "2012-02", "scope": "metastatic" }""", typeof(ProgressionObserved) },
        { """{ "type": "treatment-decision-recorded", "occurredOn": "2014-11", "treatment": "ceritinib", "decision": "access-refused" }""", typeof(TreatmentDecisionRecorded) },
        { """{ "type": "patient-died", "occurredOn": "2023-03" }""", typeof(PatientDied) },
        { """{ "type": "follow-up-recorded", "occurredOn": "2024-05", "vitalStatus": "alive" }""", typeof(FollowUpRecorded) },
        { $$"""{ "type": "entry-retracted", "entryId": "{{Target}}", "reason": "wrong case" }""", typeof(EntryRetracted) },
        { $$"""{ "type": "entry-corrected", "entryId": "{{Target}}", "reason": "re-read", "replacement": { "type": "patient-died", "occurredOn": "2023-04" } }""", typeof(EntryCorrected) },
    };

    private static (Entry? Entry, IDictionary<string, string[]> Errors) Read(string json, DateOnly? today = null)
    {
        var errors = new ValidationErrors();
        var entry = EntryJson.Read(JsonNode.Parse(json), "", errors, today ?? Today);
        return (entry, errors.ToDictionary());
    }

    private static void AssertRefused(string json, string field, DateOnly? today = null)
    {
        var (entry, errors) = Read(json, today);
        Assert.Null(entry);
        Assert.True(errors.ContainsKey(field), $"expected an error on '{field}', got: {string.Join(", ", errors.Keys)}");
        Assert.All(errors[field], message => Assert.False(string.IsNullOrWhiteSpace(message)));
    }

    [Theory]
    [MemberData(nameof(MinimalEntries))]
    public void Reads_every_entry_type_from_a_minimal_payload(string json, Type expected)
    {
        var (entry, errors) = Read(json);

        Assert.Empty(errors);
        Assert.NotNull(entry);
        Assert.IsType(expected, entry);
        Assert.Equal(JsonNode.Parse(json)!["type"]!.GetValue<string>(), entry.Type);
    }

    [Fact]
    public void Every_entry_type_of_the_spec_has_a_minimal_payload_here()
    {
        var covered = MinimalEntries.Select(row => (Type)row[1]).ToHashSet();

        Assert.Equal(EntryTypes.All.Select(t => t.Type).ToHashSet(), covered);
    }

    [Fact]
    public void A_clinical_entry_keeps_the_fields_it_was_given()
    {
        var (entry, _) = Read("""
            { "type": "radiotherapy-delivered", "occurredOn": "2011-10", "endedOn": "2011-11", "entryId": "a2d1c1b8-5a1f-4c55-9d0c-2c4d8b9b7e10",
              "site": "left axilla", "technique": "IMRT", "totalDoseGy": 54, "fractions": 25, "intent": "haemostatic",
              "note": "54 Gy / 25 fractions", "source": "seed section 2" }
            """);

        var rt = Assert.IsType<RadiotherapyDelivered>(entry);
        Assert.Equal(Guid.Parse("a2d1c1b8-5a1f-4c55-9d0c-2c4d8b9b7e10"), rt.EntryId);
        Assert.Equal("2011-10", rt.OccurredOn.ToString());
        Assert.Equal("2011-11", rt.EndedOn.ToString());
        Assert.Equal("left axilla", rt.Site);
        Assert.Equal("IMRT", rt.Technique);
        Assert.Equal(54m, rt.TotalDoseGy);
        Assert.Equal(25, rt.Fractions);
        Assert.Equal("haemostatic", rt.Intent);
        Assert.Equal("54 Gy / 25 fractions", rt.Note);
        Assert.Equal("seed section 2", rt.Source);
    }

    [Fact]
    public void A_clinical_entry_without_entryId_is_left_for_the_server_to_name()
    {
        var (entry, _) = Read("""{ "type": "patient-died", "occurredOn": "2023-03" }""");

        Assert.Equal(Guid.Empty, entry!.EntryId);
    }

    [Fact]
    public void A_retraction_names_its_target_by_entryId()
    {
        var (entry, _) = Read($$"""{ "type": "entry-retracted", "entryId": "{{Target}}", "reason": "wrong case" }""");

        var retraction = Assert.IsType<EntryRetracted>(entry);
        Assert.Equal(Guid.Parse(Target), retraction.EntryId);
        Assert.Equal("wrong case", retraction.Reason);
        Assert.Null(retraction.OccurredOn);
    }

    [Fact]
    public void A_correction_accepts_and_ignores_an_occurredOn()
    {
        var (entry, errors) = Read($$"""{ "type": "entry-retracted", "occurredOn": "2016-06", "entryId": "{{Target}}", "reason": "wrong case" }""");

        Assert.Empty(errors);
        Assert.Null(entry!.OccurredOn);
    }

    [Fact]
    public void A_correction_replacement_takes_the_target_entryId()
    {
        var (entry, _) = Read($$"""
            { "type": "entry-corrected", "entryId": "{{Target}}", "reason": "re-read",
              "replacement": { "type": "response-assessed", "occurredOn": "2016-09-14", "response": "SD", "method": "CT" } }
            """);

        var correction = Assert.IsType<EntryCorrected>(entry);
        Assert.Equal(Guid.Parse(Target), correction.EntryId);
        var replacement = Assert.IsType<ResponseAssessed>(correction.Replacement);
        Assert.Equal(Guid.Parse(Target), replacement.EntryId);
        Assert.Equal("SD", replacement.Response);
        Assert.Equal("2016-09-14", replacement.OccurredOn.ToString());
    }

    [Theory]
    [InlineData("""{ "occurredOn": "2021-03", "modality": "MRI" }""", "type")]
    [InlineData("""{ "type": "imaging-performed", "modality": "MRI" }""", "occurredOn")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2021-03" }""", "modality")]
    [InlineData("""{ "type": "biopsy-performed", "occurredOn": "2021-03", "technique": "core" }""", "site")]
    [InlineData("""{ "type": "biopsy-performed", "occurredOn": "2021-03", "technique": "core", "site": "   " }""", "site")]
    [InlineData("""{ "type": "molecular-test-reported", "occurredOn": "2021-03", "method": "WGS" }""", "conclusive")]
    [InlineData("""{ "type": "surgery-performed", "occurredOn": "2021-03", "procedure": "resection", "site": "axilla", "intent": "curative" }""", "margin")]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "IMRT", "fractions": 25 }""", "totalDoseGy")]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "IMRT", "totalDoseGy": 54 }""", "fractions")]
    [InlineData("""{ "type": "systemic-therapy-started", "occurredOn": "2021-03", "regimen": "crizotinib" }""", "therapyClass")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 1 }""", "doses")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 1, "doses": [] }""", "doses")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 1, "doses": [ { "drug": "doxorubicin", "unit": "mg/m2" } ] }""", "doses[0].amount")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "doses": [ { "drug": "doxorubicin", "amount": 75, "unit": "mg/m2" } ] }""", "cycle")]
    [InlineData("""{ "type": "dose-adjusted", "occurredOn": "2021-03", "drug": "crizotinib" }""", "direction")]
    [InlineData("""{ "type": "systemic-therapy-stopped", "occurredOn": "2021-03" }""", "reason")]
    [InlineData("""{ "type": "adverse-event-observed", "occurredOn": "2021-03", "term": "neutropenia" }""", "grade")]
    [InlineData("""{ "type": "response-assessed", "occurredOn": "2021-03", "response": "PR" }""", "method")]
    [InlineData("""{ "type": "progression-observed", "occurredOn": "2021-03" }""", "scope")]
    [InlineData("""{ "type": "treatment-decision-recorded", "occurredOn": "2021-03", "treatment": "cryotherapy" }""", "decision")]
    [InlineData("""{ "type": "case-opened", "occurredOn": "2021-03", "sex": "female" }""", "patientRef")]
    [InlineData("""{ "type": "biopsy-reread", "occurredOn": "2021-03", "reviewer": "network", "diagnosis": "IMT", "markers": [ { "method": "IHC" } ] }""", "markers[0].name")]
    [InlineData("""{ "type": "entry-retracted", "reason": "wrong case" }""", "entryId")]
    [InlineData($$"""{ "type": "entry-retracted", "entryId": "{{Target}}" }""", "reason")]
    [InlineData($$"""{ "type": "entry-corrected", "entryId": "{{Target}}", "reason": "re-read" }""", "replacement")]
    [InlineData($$"""{ "type": "entry-corrected", "entryId": "{{Target}}", "reason": "re-read", "replacement": { "type": "biopsy-performed", "occurredOn": "2021-03", "technique": "core" } }""", "replacement.site")]
    public void A_missing_required_field_is_named(string json, string field) => AssertRefused(json, field);

    [Theory]
    [InlineData("""{ "type": 7, "occurredOn": "2021-03", "modality": "MRI" }""", "type")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": 2021, "modality": "MRI" }""", "occurredOn")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2021-03", "modality": "MRI", "sites": "chest" }""", "sites")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2021-03", "modality": "MRI", "sites": [ "chest", 3 ] }""", "sites[1]")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2021-03", "modality": "MRI", "largestLesionMm": "80" }""", "largestLesionMm")]
    [InlineData("""{ "type": "biopsy-performed", "occurredOn": "2021-03", "technique": "core", "site": 42 }""", "site")]
    [InlineData("""{ "type": "molecular-test-reported", "occurredOn": "2021-03", "method": "WGS", "conclusive": "yes" }""", "conclusive")]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "IMRT", "totalDoseGy": 54, "fractions": "25" }""", "fractions")]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "IMRT", "totalDoseGy": 54, "fractions": 2.5 }""", "fractions")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 1, "doses": { "drug": "doxorubicin" } }""", "doses")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 1, "doses": [ "doxorubicin" ] }""", "doses[0]")]
    [InlineData("""{ "type": "patient-died", "occurredOn": "2023-03", "diseaseRelated": "true" }""", "diseaseRelated")]
    [InlineData("""{ "type": "patient-died", "occurredOn": "2023-03", "entryId": "not-a-uuid" }""", "entryId")]
    [InlineData("""{ "type": "patient-died", "occurredOn": "2023-03", "entryId": "00000000-0000-0000-0000-000000000000" }""", "entryId")]
    [InlineData("""{ "type": "entry-retracted", "entryId": 12, "reason": "wrong case" }""", "entryId")]
    [InlineData($$"""{ "type": "entry-corrected", "entryId": "{{Target}}", "reason": "re-read", "replacement": "patient-died" }""", "replacement")]
    public void A_value_of_the_wrong_kind_is_named(string json, string field) => AssertRefused(json, field);

    [Theory]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "IMRT", "totalDoseGy": 0, "fractions": 25 }""", "totalDoseGy")]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "IMRT", "totalDoseGy": -2, "fractions": 25 }""", "totalDoseGy")]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "IMRT", "totalDoseGy": 200.5, "fractions": 25 }""", "totalDoseGy")]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "IMRT", "totalDoseGy": 54, "fractions": 0 }""", "fractions")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 0, "doses": [ { "drug": "doxorubicin", "amount": 75, "unit": "mg/m2" } ] }""", "cycle")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 1, "doses": [ { "drug": "doxorubicin", "amount": 0, "unit": "mg/m2" } ] }""", "doses[0].amount")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 1, "doses": [ { "drug": "a", "amount": 1, "unit": "mg" }, { "drug": "b", "amount": -5, "unit": "mg" } ] }""", "doses[1].amount")]
    [InlineData("""{ "type": "adverse-event-observed", "occurredOn": "2021-03", "term": "neutropenia", "grade": 6 }""", "grade")]
    [InlineData("""{ "type": "adverse-event-observed", "occurredOn": "2021-03", "term": "neutropenia", "grade": 0 }""", "grade")]
    [InlineData("""{ "type": "pathology-reported", "occurredOn": "2021-03", "specimen": "adrenal", "ki67Percent": 101 }""", "ki67Percent")]
    [InlineData("""{ "type": "case-opened", "occurredOn": "2021-03", "patientRef": "P-1", "sex": "male", "birthYear": 2025 }""", "birthYear")]
    public void A_value_out_of_range_is_named(string json, string field) => AssertRefused(json, field);

    [Fact]
    public void A_patient_born_after_the_case_was_opened_is_refused_on_birthYear_one_born_that_year_is_not()
    {
        AssertRefused("""{ "type": "case-opened", "occurredOn": "2020-05", "patientRef": "P-1", "sex": "male", "birthYear": 2021 }""", "birthYear");
        AssertRefused("""{ "type": "case-opened", "occurredOn": "2019", "patientRef": "P-1", "sex": "male", "birthYear": 2020 }""", "birthYear");
        var (entry, errors) = Read("""{ "type": "case-opened", "occurredOn": "2020-05", "patientRef": "P-1", "sex": "male", "birthYear": 2020 }""");
        Assert.Empty(errors);
        Assert.Equal(2020, ((CaseOpened)entry!).BirthYear);
    }

    [Fact]
    public void A_radiotherapy_of_exactly_200_Gy_in_one_fraction_is_within_range()
    {
        var (entry, errors) = Read("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "SRS", "totalDoseGy": 200, "fractions": 1 }""");

        Assert.Empty(errors);
        Assert.NotNull(entry);
    }

    [Fact]
    public void A_note_may_hold_2000_characters_but_not_more()
    {
        var fits = new JsonObject { ["type"] = "patient-died", ["occurredOn"] = "2023-03", ["note"] = new string('x', 2000) };
        var tooLong = new JsonObject { ["type"] = "patient-died", ["occurredOn"] = "2023-03", ["note"] = new string('x', 2001) };

        Assert.Empty(Read(fits.ToJsonString()).Errors);
        AssertRefused(tooLong.ToJsonString(), "note");
    }

    [Theory]
    [InlineData("""{ "type": "case-opened", "occurredOn": "2021-03", "patientRef": "P-1", "sex": "f" }""", "sex")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2021-03", "modality": "mri" }""", "modality")]
    [InlineData("""{ "type": "biopsy-performed", "occurredOn": "2021-03", "technique": "punch", "site": "skin" }""", "technique")]
    [InlineData("""{ "type": "surgery-performed", "occurredOn": "2021-03", "procedure": "resection", "site": "axilla", "intent": "curative", "margin": "R3" }""", "margin")]
    [InlineData("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-03", "site": "axilla", "technique": "protons", "totalDoseGy": 54, "fractions": 25 }""", "technique")]
    [InlineData("""{ "type": "systemic-therapy-started", "occurredOn": "2021-03", "regimen": "crizotinib", "therapyClass": "targeted", "access": "black-market" }""", "access")]
    [InlineData("""{ "type": "dose-adjusted", "occurredOn": "2021-03", "drug": "crizotinib", "direction": "halved" }""", "direction")]
    [InlineData("""{ "type": "systemic-therapy-stopped", "occurredOn": "2021-03", "reason": "switched" }""", "reason")]
    [InlineData("""{ "type": "response-assessed", "occurredOn": "2021-03", "response": "VGPR", "method": "CT" }""", "response")]
    [InlineData("""{ "type": "progression-observed", "occurredOn": "2021-03", "scope": "distant" }""", "scope")]
    [InlineData("""{ "type": "treatment-decision-recorded", "occurredOn": "2021-03", "treatment": "x", "decision": "maybe" }""", "decision")]
    [InlineData("""{ "type": "molecular-test-reported", "occurredOn": "2021-03", "method": "Sanger", "conclusive": true }""", "method")]
    public void An_unknown_enum_value_is_named(string json, string field) => AssertRefused(json, field);

    [Theory]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2021-03", "modality": "MRI", "contrast": true }""", "contrast")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2021-03", "modality": "MRI", "OccurredOn": "2021-03" }""", "OccurredOn")]
    [InlineData("""{ "type": "cycle-administered", "occurredOn": "2021-03", "cycle": 1, "doses": [ { "drug": "doxorubicin", "amount": 75, "unit": "mg/m2", "route": "iv" } ] }""", "doses[0].route")]
    [InlineData("""{ "type": "systemic-therapy-started", "occurredOn": "2021-03", "regimen": "crizotinib", "therapyClass": "targeted", "agents": [ { "drug": "crizotinib", "mg": 250 } ] }""", "agents[0].mg")]
    [InlineData("""{ "type": "patient-died", "occurredOn": "2023-03", "sequence": 5 }""", "sequence")]
    [InlineData("""{ "type": "patient-died", "occurredOn": "2023-03", "recordedBy": "someone" }""", "recordedBy")]
    [InlineData($$"""{ "type": "entry-retracted", "entryId": "{{Target}}", "reason": "wrong case", "replacement": {} }""", "replacement")]
    [InlineData($$"""{ "type": "entry-corrected", "entryId": "{{Target}}", "reason": "re-read", "replacement": { "type": "patient-died", "occurredOn": "2023-03", "causes": "x" } }""", "replacement.causes")]
    public void An_unknown_field_is_named(string json, string field) => AssertRefused(json, field);

    [Theory]
    [InlineData("chemo-given")]
    [InlineData("Case-Opened")]
    [InlineData("")]
    public void An_unknown_type_is_named(string type) =>
        AssertRefused($$"""{ "type": "{{type}}", "occurredOn": "2021-03" }""", "type");

    [Fact]
    public void A_body_that_is_not_an_object_is_refused()
    {
        var errors = new ValidationErrors();

        Assert.Null(EntryJson.Read(JsonNode.Parse("[1, 2]"), "", errors, Today));
        Assert.True(errors.Any);
    }

    [Fact]
    public void Errors_inside_a_list_carry_the_list_path()
    {
        var errors = new ValidationErrors();
        var json = JsonNode.Parse("""{ "type": "biopsy-performed", "occurredOn": "2021-02-30", "technique": "core" }""");

        EntryJson.Read(json, "entries[3]", errors, Today);

        var keys = errors.ToDictionary().Keys;
        Assert.Contains("entries[3].occurredOn", keys);
        Assert.Contains("entries[3].site", keys);
    }

    [Fact]
    public void Every_problem_of_an_entry_is_reported_at_once()
    {
        var (_, errors) = Read("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-13", "technique": "protons", "totalDoseGy": 0, "fractions": 25, "extra": 1 }""");

        Assert.Equal(new[] { "extra", "occurredOn", "site", "technique", "totalDoseGy" }, errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("2021-02-30")]
    [InlineData("2023-02-29")]
    [InlineData("2021-13")]
    [InlineData("2021-2-3")]
    [InlineData("21-02")]
    [InlineData("")]
    public void An_impossible_or_malformed_date_is_named(string date)
    {
        AssertRefused($$"""{ "type": "patient-died", "occurredOn": "{{date}}" }""", "occurredOn");
        AssertRefused($$"""{ "type": "patient-died", "occurredOn": "2020", "endedOn": "{{date}}" }""", "endedOn");
    }

    [Theory]
    [InlineData("2024-06-15")]
    [InlineData("2024-06")]
    [InlineData("2024")]
    [InlineData("2024-06-14")]
    public void A_date_whose_period_has_begun_by_today_is_accepted(string date)
    {
        var (entry, errors) = Read($$"""{ "type": "imaging-performed", "occurredOn": "{{date}}", "modality": "CT" }""");

        Assert.Empty(errors);
        Assert.NotNull(entry);
    }

    [Theory]
    [InlineData("2024-06-16")]
    [InlineData("2024-07")]
    [InlineData("2025")]
    public void A_date_later_than_today_is_refused(string date)
    {
        AssertRefused($$"""{ "type": "imaging-performed", "occurredOn": "{{date}}", "modality": "CT" }""", "occurredOn");
        AssertRefused($$"""{ "type": "imaging-performed", "occurredOn": "2024-01", "endedOn": "{{date}}", "modality": "CT" }""", "endedOn");
        AssertRefused(
            $$"""{ "type": "entry-corrected", "entryId": "{{Target}}", "reason": "r", "replacement": { "type": "imaging-performed", "occurredOn": "{{date}}", "modality": "CT" } }""",
            "replacement.occurredOn");
    }

    [Fact]
    public void The_future_is_judged_against_the_today_argument()
    {
        const string json = """{ "type": "imaging-performed", "occurredOn": "2024-06-16", "modality": "CT" }""";

        AssertRefused(json, "occurredOn", today: new DateOnly(2024, 6, 15));
        Assert.Empty(Read(json, today: new DateOnly(2024, 6, 16)).Errors);
    }

    [Theory]
    [InlineData("2021-03-10", "2021-03-09")]
    [InlineData("2021-03", "2021-02")]
    [InlineData("2021-03", "2021-02-28")]
    [InlineData("2021", "2020-12")]
    public void An_endedOn_before_occurredOn_is_refused(string occurredOn, string endedOn) =>
        AssertRefused($$"""{ "type": "complication-occurred", "occurredOn": "{{occurredOn}}", "endedOn": "{{endedOn}}", "description": "leak" }""", "endedOn");

    [Theory]
    [InlineData("2021-03-10", "2021-03-10")]
    [InlineData("2021-03-10", "2021-03")]
    [InlineData("2021-03", "2021-03-01")]
    [InlineData("2021", "2021-06")]
    [InlineData("2021-03-10", "2022")]
    public void An_endedOn_on_or_overlapping_occurredOn_is_accepted(string occurredOn, string endedOn)
    {
        var (entry, errors) = Read($$"""{ "type": "complication-occurred", "occurredOn": "{{occurredOn}}", "endedOn": "{{endedOn}}", "description": "leak" }""");

        Assert.Empty(errors);
        Assert.Equal(endedOn, entry!.EndedOn.ToString());
    }

    [Theory]
    [InlineData("entry-corrected")]
    [InlineData("entry-retracted")]
    public void A_correction_whose_replacement_is_itself_a_correction_is_refused_on_replacement_type(string replacementType)
    {
        var json = $$"""
            { "type": "entry-corrected", "entryId": "{{Target}}", "reason": "re-read",
              "replacement": { "type": "{{replacementType}}", "entryId": "{{Target}}", "reason": "nested",
                               "replacement": { "type": "patient-died", "occurredOn": "2023-03" } } }
            """;

        AssertRefused(json, "replacement.type");
    }

    [Fact]
    public void A_replacement_may_not_name_another_entry()
    {
        AssertRefused(
            $$"""{ "type": "entry-corrected", "entryId": "{{Target}}", "reason": "r", "replacement": { "type": "patient-died", "occurredOn": "2023-03", "entryId": "{{Guid.NewGuid()}}" } }""",
            "replacement.entryId");
    }

    [Fact]
    public void A_replacement_may_repeat_the_target_entryId()
    {
        var (entry, errors) = Read(
            $$"""{ "type": "entry-corrected", "entryId": "{{Target}}", "reason": "r", "replacement": { "type": "patient-died", "occurredOn": "2023-03", "entryId": "{{Target}}" } }""");

        Assert.Empty(errors);
        Assert.Equal(Guid.Parse(Target), ((EntryCorrected)entry!).Replacement.EntryId);
    }

    /// <summary>Entries with every optional field filled, in the canonical form the server writes back.</summary>
    public static TheoryData<string> FullEntries => new()
    {
        """{ "type": "case-opened", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d01", "occurredOn": "2007-02", "patientRef": "IMT-0001", "sex": "female", "birthYear": 1992, "presentation": "axillary pain", "note": "15-year-old", "source": "seed section 2" }""",
        """{ "type": "imaging-performed", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d02", "occurredOn": "2007-02", "endedOn": "2007-03", "modality": "MRI", "sites": ["left axilla", "humerus"], "findings": "8 cm lesion", "largestLesionMm": 80.5 }""",
        """{ "type": "biopsy-performed", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d03", "occurredOn": "2007-02", "technique": "micro", "site": "left axilla", "diagnosis": "fibromatous tumour" }""",
        """{ "type": "biopsy-reread", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d04", "occurredOn": "2007-02", "reviewer": "RRePS", "diagnosis": "IMT", "markers": [ { "name": "ALK", "method": "IHC", "result": "high" } ] }""",
        """{ "type": "molecular-test-reported", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d05", "occurredOn": "2023", "method": "WGS", "genes": ["ALK", "PTPN1"], "findings": [ { "gene": "PTPN1", "alteration": "c.1088+1G>A", "kind": "splice" } ], "conclusive": true }""",
        """{ "type": "surgery-performed", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d06", "occurredOn": "2007-04", "procedure": "resection", "site": "axilla", "intent": "curative", "margin": "R2" }""",
        """{ "type": "pathology-reported", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d07", "occurredOn": "2013", "specimen": "adrenal", "findings": "no tumour", "ki67Percent": 30, "tumourPresent": false }""",
        """{ "type": "embolization-performed", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d08", "occurredOn": "2011-09", "site": "axilla", "vessels": 6, "reason": "haemorrhage" }""",
        """{ "type": "radiotherapy-delivered", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d09", "occurredOn": "2011-10", "endedOn": "2011-11", "site": "axilla", "technique": "IMRT", "totalDoseGy": 54, "fractions": 25, "intent": "haemostatic" }""",
        """{ "type": "systemic-therapy-started", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d10", "occurredOn": "2012-02", "regimen": "crizotinib", "therapyClass": "targeted", "agents": [ { "drug": "crizotinib", "dose": 250, "unit": "mg", "frequency": "twice daily", "dailyDoseMg": 500 } ], "access": "compassionate" }""",
        """{ "type": "cycle-administered", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d11", "occurredOn": "2008-03-04", "cycle": 2, "doses": [ { "drug": "doxorubicin", "amount": 37.5, "unit": "mg/m2" }, { "drug": "ifosfamide", "amount": 3000, "unit": "mg/m2" } ] }""",
        """{ "type": "dose-adjusted", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d12", "occurredOn": "2012-05", "drug": "crizotinib", "direction": "reduced", "dose": 200, "unit": "mg", "dailyDoseMg": 400, "reason": "grade IV neutropenia" }""",
        """{ "type": "systemic-therapy-stopped", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d13", "occurredOn": "2021-08", "reason": "progression" }""",
        """{ "type": "adverse-event-observed", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d14", "occurredOn": "2012-05", "term": "neutropenia", "grade": 4, "attributedTo": "crizotinib" }""",
        """{ "type": "complication-occurred", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d15", "occurredOn": "2011-09", "description": "major haemorrhage", "grade": 4 }""",
        """{ "type": "response-assessed", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d16", "occurredOn": "2022", "response": "PR", "method": "PET", "description": "major partial response" }""",
        """{ "type": "progression-observed", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d17", "occurredOn": "2012-02", "scope": "metastatic", "sites": ["liver", "adrenal"], "newLesions": true }""",
        """{ "type": "treatment-decision-recorded", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d18", "occurredOn": "2014-11", "treatment": "ceritinib", "decision": "access-refused", "reason": "not available" }""",
        """{ "type": "patient-died", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d19", "occurredOn": "2023-03", "cause": "septic shock", "diseaseRelated": true, "treatmentRelated": false }""",
        """{ "type": "entry-retracted", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d02", "reason": "wrong case", "note": "n", "source": "s" }""",
        """{ "type": "entry-corrected", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d16", "reason": "re-read", "replacement": { "type": "response-assessed", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d16", "occurredOn": "2022-03", "response": "SD", "method": "CT", "note": "re-read" } }""",
    };

    [Theory]
    [MemberData(nameof(FullEntries))]
    public void Write_of_Read_keeps_every_field(string json)
    {
        var (entry, errors) = Read(json);
        Assert.Empty(errors);

        var written = EntryJson.Write(entry!);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), written), $"written back as {written.ToJsonString()}");
        Assert.Equal("type", written.First().Key);
    }

    [Theory]
    [MemberData(nameof(FullEntries))]
    public void Reading_what_was_written_gives_the_same_entry(string json)
    {
        var first = Read(json).Entry!;

        var (second, errors) = Read(EntryJson.Write(first).ToJsonString());

        Assert.Empty(errors);
        Assert.Equal(EntryJson.Fingerprint(first), EntryJson.Fingerprint(second!));
    }

    [Fact]
    public void The_fingerprint_tells_other_content_apart()
    {
        var a = Read("""{ "type": "patient-died", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d19", "occurredOn": "2023-03" }""").Entry!;
        var b = Read("""{ "type": "patient-died", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d19", "occurredOn": "2023-04" }""").Entry!;
        var c = Read("""{ "occurredOn": "2023-03", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d19", "type": "patient-died" }""").Entry!;

        Assert.NotEqual(EntryJson.Fingerprint(a), EntryJson.Fingerprint(b));
        Assert.Equal(EntryJson.Fingerprint(a), EntryJson.Fingerprint(c));
    }

    [Theory]
    [InlineData("54", "54.0", true)]
    [InlineData("54", "54.00", true)]
    [InlineData("54", "5.4e1", true)]
    [InlineData("54", "54.5", false)]
    public void Numbers_are_compared_by_value_not_by_spelling(string one, string other, bool same)
    {
        const string template = """{ "type": "radiotherapy-delivered", "entryId": "0b4c5a1e-7a41-4d5e-9a6e-1f3f3a6c2d09", "occurredOn": "2011-10", "site": "axilla", "technique": "IMRT", "totalDoseGy": DOSE, "fractions": 25 }""";
        var a = Read(template.Replace("DOSE", one, StringComparison.Ordinal)).Entry!;
        var b = Read(template.Replace("DOSE", other, StringComparison.Ordinal)).Entry!;

        Assert.Equal(same, EntryJson.Fingerprint(a) == EntryJson.Fingerprint(b));
    }
}
