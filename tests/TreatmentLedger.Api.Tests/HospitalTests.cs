using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>Hospitals as tenants (SECURITY.md): a case belongs to the hospital that opened it, and no other sees it.</summary>
public sealed class HospitalTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static string Entry => Bodies.Imaging("2016-01").ToJsonString();

    private LedgerApi Other(string role = Roles.Clinician) => Api.As(Fixture.Token("dr-elsewhere", "other-hospital", role));

    [Fact]
    public async Task Another_hospitals_case_answers_exactly_as_a_case_that_does_not_exist()
    {
        var caseId = await Api.OpenCase();
        var missing = Guid.NewGuid();

        foreach (var view in CaseRoutes.Views)
        {
            var theirs = await Other().Get($"/cases/{caseId}{view}");
            var nobodys = await Other().Get($"/cases/{missing}{view}");
            Assert.Equal(404, theirs.Status);
            Assert.Equal(nobodys.Json["title"]!.GetValue<string>(), theirs.Json["title"]!.GetValue<string>());
            Assert.Equal(nobodys.Json.Count, theirs.Json.Count);
            Assert.Equal(200, (await Api.Get($"/cases/{caseId}{view}")).Status);
        }
        Assert.Equal(404, (await Other(Roles.Auditor).Get($"/cases/{caseId}")).Status);
    }

    [Fact]
    public async Task Another_hospital_cannot_write_to_a_case_and_its_refusal_stores_nothing()
    {
        var caseId = await Api.OpenCase();
        var before = await Api.Snapshot(caseId);

        Assert.Equal(404, (await Other().Post($"/cases/{caseId}/entries", Entry)).Status);
        Assert.Equal(404, (await Other().Post($"/cases/{caseId}/entries/batch", $$"""{ "entries": [{{Entry}}] }""")).Status);

        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task The_case_board_lists_the_callers_hospitals_cases_only()
    {
        var ours = await Api.OpenCase("TEST-OURS");
        var theirs = await Other().Post("/cases", """{ "patientRef": "TEST-THEIRS", "sex": "male", "birthYear": 1970, "occurredOn": "2015-03" }""");
        Assert.Equal(201, theirs.Status);

        var ourBoard = (await Api.GetCurrent("/cases")).Json;
        var theirBoard = (await Other().GetCurrent("/cases")).Json;

        Assert.Equal(1, ourBoard["total"]!.GetValue<long>());
        Assert.Equal(ours, ourBoard["cases"]![0]!["caseId"]!.GetValue<Guid>());
        Assert.Equal(1, theirBoard["total"]!.GetValue<long>());
        Assert.Equal("TEST-THEIRS", theirBoard["cases"]![0]!["patientRef"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_writers_of_two_hospitals_each_land_on_their_own_cases()
    {
        var ours = await Api.OpenCase("TEST-OURS");
        var opened = await Other().Post("/cases", """{ "patientRef": "TEST-THEIRS", "sex": "male", "birthYear": 1970, "occurredOn": "2015-03" }""");
        var theirs = opened.Json["caseId"]!.GetValue<Guid>();

        var writes = Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? Api.Post($"/cases/{ours}/entries", Entry)
            : Other().Post($"/cases/{theirs}/entries", Entry));
        var answers = await Task.WhenAll(writes);

        Assert.All(answers, a => Assert.Equal(201, a.Status));
        Assert.Equal(21, await Api.Version(ours));
        Assert.Equal(21, (await Other().Get($"/cases/{theirs}/entries")).Json["version"]!.GetValue<long>());
    }
}
