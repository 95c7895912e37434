using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

public sealed class RecordingTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task Opening_a_case_answers_201_with_its_location_and_version()
    {
        var response = await Api.Post("/cases", """{ "patientRef": "TEST-0001", "sex": "female", "birthYear": 1992, "occurredOn": "2007-02" }""");

        Assert.Equal(201, response.Status);
        var caseId = response.Json["caseId"]!.GetValue<Guid>();
        Assert.Equal($"/cases/{caseId}", response.Header("Location"));
        Assert.Equal(1, response.Json["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_entry_is_appended_and_appears_in_the_audit_log_with_its_metadata()
    {
        var caseId = await Api.OpenCase();
        var entryId = Guid.NewGuid();
        var response = await Api.Post($"/cases/{caseId}/entries",
            $$"""{ "type": "biopsy-performed", "occurredOn": "2015-03-12", "entryId": "{{entryId}}", "technique": "core", "site": "left axilla", "diagnosis": "spindle cell lesion" }""",
            ClinicianNamed("dr-test"), ("X-Correlation-Id", "corr-42"));

        Assert.Equal(201, response.Status);
        Assert.Equal(entryId, response.Json["entryId"]!.GetValue<Guid>());
        Assert.Equal(2, response.Json["version"]!.GetValue<long>());

        var log = await Api.Get($"/cases/{caseId}/entries");
        var entry = log.Json["entries"]!.AsArray()[1]!.AsObject();
        Assert.Equal("biopsy-performed", entry["type"]!.GetValue<string>());
        Assert.Equal("2015-03-12", entry["occurredOn"]!.GetValue<string>());
        Assert.Equal("left axilla", entry["site"]!.GetValue<string>());
        Assert.Equal("dr-test", entry["recordedBy"]!.GetValue<string>());
        Assert.Equal("corr-42", entry["correlationId"]!.GetValue<string>());
        Assert.Equal("active", entry["status"]!.GetValue<string>());
        Assert.Equal(response.Json["sequence"]!.GetValue<long>(), entry["sequence"]!.GetValue<long>());
    }
}
