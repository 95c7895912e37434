using System.Text.Json.Nodes;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

public sealed class OpenCaseTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static JsonObject Opening() => new()
    {
        ["patientRef"] = "IMT-0001",
        ["sex"] = "female",
        ["birthYear"] = 1992,
        ["presentation"] = "axillary pain",
        ["occurredOn"] = "2007-02",
    };

    [Fact]
    public async Task Opens_a_case_at_version_1_with_its_location()
    {
        var response = await Api.Post("/cases", Opening());

        Assert.Equal(201, response.Status);
        var caseId = response.Json["caseId"]!.GetValue<Guid>();
        Assert.NotEqual(Guid.Empty, caseId);
        Assert.Equal(1, response.Json["version"]!.GetValue<long>());
        Assert.Equal($"/cases/{caseId}", response.Header("Location"));
        Assert.Equal(1, await Api.Version(caseId));
        // Its sequence is the position a reader of the dashboards waits for to see the case.
        var sequence = response.Json["sequence"]!.GetValue<long>();
        Assert.Equal(sequence, (await Api.Get($"/cases/{caseId}/entries")).Json["entries"]![0]!["sequence"]!.GetValue<long>());
        var board = (await Api.Get($"/cases?minPosition={sequence}")).Json;
        Assert.False(board["stale"]!.GetValue<bool>());
        Assert.Contains(board["cases"]!.AsArray(), row => row!["caseId"]!.GetValue<Guid>() == caseId);
    }

    [Fact]
    public async Task The_opening_is_the_first_entry_of_the_audit_log_with_its_payload()
    {
        var response = await Api.Post("/cases", Opening(), ClinicianNamed("dr-open"));
        var caseId = response.Json["caseId"]!.GetValue<Guid>();

        var entry = Assert.Single(await Api.Log(caseId));

        Assert.Equal("case-opened", entry["type"]!.GetValue<string>());
        Assert.Equal("2007-02", entry["occurredOn"]!.GetValue<string>());
        Assert.Equal("IMT-0001", entry["patientRef"]!.GetValue<string>());
        Assert.Equal("female", entry["sex"]!.GetValue<string>());
        Assert.Equal(1992, entry["birthYear"]!.GetValue<int>());
        Assert.Equal("axillary pain", entry["presentation"]!.GetValue<string>());
        Assert.Equal(1, entry["version"]!.GetValue<long>());
        Assert.Equal("active", entry["status"]!.GetValue<string>());
        Assert.Equal("dr-open", entry["recordedBy"]!.GetValue<string>());
        Assert.NotEqual(Guid.Empty, entry["entryId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_client_entryId_for_the_opening_is_kept()
    {
        var entryId = Guid.NewGuid();

        var response = await Api.Post("/cases", Opening().With("entryId", entryId.ToString()));

        var caseId = response.Json["caseId"]!.GetValue<Guid>();
        Assert.Equal(entryId, Assert.Single(await Api.Log(caseId))["entryId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_type_of_case_opened_may_be_given()
    {
        var response = await Api.Post("/cases", Opening().With("type", "case-opened"));

        Assert.Equal(201, response.Status);
    }

    [Fact]
    public async Task Each_opening_makes_a_case_of_its_own()
    {
        var first = await Api.OpenCase("TEST-0001");
        var second = await Api.OpenCase("TEST-0002");

        Assert.NotEqual(first, second);
        Assert.Equal("TEST-0001", Assert.Single(await Api.Log(first))["patientRef"]!.GetValue<string>());
        Assert.Equal("TEST-0002", Assert.Single(await Api.Log(second))["patientRef"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_date_of_today_on_the_server_clock_is_accepted()
    {
        var today = Fixture.Clock.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var response = await Api.Post("/cases", Opening().With("occurredOn", today));

        Assert.Equal(201, response.Status);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { """{ "sex": "female", "occurredOn": "2007-02" }""", "patientRef" },
        { """{ "patientRef": "   ", "sex": "female", "occurredOn": "2007-02" }""", "patientRef" },
        { """{ "patientRef": "P-1", "occurredOn": "2007-02" }""", "sex" },
        { """{ "patientRef": "P-1", "sex": "F", "occurredOn": "2007-02" }""", "sex" },
        { """{ "patientRef": "P-1", "sex": "female" }""", "occurredOn" },
        { """{ "patientRef": "P-1", "sex": "female", "occurredOn": "2021-02-30" }""", "occurredOn" },
        { """{ "patientRef": "P-1", "sex": "female", "occurredOn": "2021-13" }""", "occurredOn" },
        { """{ "patientRef": "P-1", "sex": "female", "occurredOn": "07-02" }""", "occurredOn" },
        { """{ "patientRef": "P-1", "sex": "female", "occurredOn": "2007-02", "birthYear": "1992" }""", "birthYear" },
        { """{ "patientRef": "P-1", "sex": "female", "occurredOn": "2007-02", "birthYear": 1492 }""", "birthYear" },
        { """{ "patientRef": "P-1", "sex": "female", "occurredOn": "2007-02", "name": "Jane Doe" }""", "name" },
        { """{ "patientRef": "P-1", "sex": "female", "occurredOn": "2007-02", "type": "biopsy-performed" }""", "type" },
        { """{ "patientRef": "P-1", "sex": "female", "occurredOn": "2007-02", "entryId": "nope" }""", "entryId" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_opening_is_refused_field_by_field(string body, string field)
    {
        var response = await Api.Post("/cases", body);

        response.AssertInvalid(field);
        Assert.Null(response.Header("Location"));
        Assert.Empty((await Api.GetCurrent("/cases")).Json["cases"]!.AsArray());
    }

    [Fact]
    public async Task A_date_after_today_on_the_server_clock_is_refused()
    {
        var tomorrow = Fixture.Clock.Today.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var response = await Api.Post("/cases", Opening().With("occurredOn", tomorrow));

        response.AssertInvalid("occurredOn");
        Assert.Empty((await Api.GetCurrent("/cases")).Json["cases"]!.AsArray());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("\"IMT-0001\"")]
    public async Task A_body_that_is_not_an_object_is_refused(string body)
    {
        var response = await Api.Post("/cases", body);

        response.AssertProblem(400);
    }

    [Fact]
    public async Task A_refused_opening_creates_no_case()
    {
        var before = (await Api.GetCurrent("/cases")).Json["cases"]!.AsArray().Count;

        var response = await Api.Post("/cases", Opening().With("sex", "F"));

        response.AssertInvalid("sex");
        Assert.Equal(before, (await Api.GetCurrent("/cases")).Json["cases"]!.AsArray().Count);
    }

    [Fact]
    public async Task An_opening_sent_again_with_its_entryId_answers_as_the_first_time_and_opens_no_second_case()
    {
        var entryId = Guid.NewGuid();
        var first = await Api.Post("/cases", Opening().With("entryId", entryId.ToString()));
        Assert.Equal(201, first.Status);
        var caseId = first.Json["caseId"]!.GetValue<Guid>();
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries", Bodies.Biopsy("2007-03"))).Status);

        var again = await Api.Post("/cases", Opening().With("entryId", entryId.ToString()));
        Assert.Equal(201, again.Status);
        Assert.Equal(first.Json.ToJsonString(), again.Json.ToJsonString());
        Assert.Equal($"/cases/{caseId}", again.Header("Location"));
        Assert.Equal(2, (await Api.Get($"/cases/{caseId}/entries")).Json["entries"]!.AsArray().Count);

        var other = await Api.Post("/cases", Opening().With("entryId", entryId.ToString()).With("patientRef", "IMT-0002"));
        Assert.Equal(409, other.Status);
        Assert.Equal(2, await Api.Version(caseId));

        // Another hospital's opening with the same entryId is its own case.
        var elsewhere = await Api.As(Fixture.Token("dr-elsewhere", "other-hospital", Roles.Clinician))
            .Post("/cases", Opening().With("entryId", entryId.ToString()));
        Assert.Equal(201, elsewhere.Status);
        Assert.NotEqual(caseId, elsewhere.Json["caseId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Concurrent_openings_with_one_entryId_open_one_case_and_all_answer_it()
    {
        var body = Opening().With("entryId", Guid.NewGuid().ToString()).ToJsonString();
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Api.Post("/cases", body)));
        Assert.All(answers, a => Assert.Equal(201, a.Status));
        var caseIds = answers.Select(a => a.Json["caseId"]!.GetValue<Guid>()).Distinct().ToList();
        var caseId = Assert.Single(caseIds);
        Assert.All(answers, a => Assert.Equal(1, a.Json["version"]!.GetValue<long>()));
        Assert.Single((await Api.Get($"/cases/{caseId}/entries")).Json["entries"]!.AsArray());
    }
}
