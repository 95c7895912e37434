using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>A NUL character (\u0000), which PostgreSQL's jsonb cannot keep: a 400 that stores nothing, and the next writes go on.</summary>
public sealed class UnstorableTextTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task An_import_with_a_NUL_in_a_note_is_400_stores_nothing_and_valid_imports_after_it_succeed()
    {
        const string file = """{ "case": { "patientRef": "TEST-0002", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }, "entries": [ { "type": "biopsy-performed", "occurredOn": "2015-03", "technique": "core", "site": "left axilla", "note": "NOTE" } ] }""";

        var refused = await Api.Post("/cases/import", file.Replace("NOTE", "a\\u0000b"));

        refused.AssertInvalid("entries[0].note");
        Assert.Equal(0, (await Api.GetCurrent("/cases")).Json["total"]!.GetValue<long>());
        for (var i = 0; i < 8; i++) Assert.Equal(201, (await Api.Post("/cases/import", file)).Status);
    }

    [Fact]
    public async Task An_entry_with_a_NUL_is_400_and_leaves_the_case_as_it_was()
    {
        var caseId = await Api.OpenCase();
        var before = await Api.Snapshot(caseId);

        var refused = await Api.PostEntry(caseId, Bodies.Imaging("2016-01", findings: "stable\u0000"));

        refused.AssertProblem(400);
        await Api.AssertUnchanged(caseId, before);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2016-01"))).Status);
    }
}
