using System.Text;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>Limits and bad input (SECURITY.md): each refusal is a problem answer, and nothing refused is stored.</summary>
public sealed class LimitsTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private const string Json = "application/json";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<LedgerApi.Response> Refused(Func<Task<LedgerApi.Response>> send)
    {
        var before = await StoredEventCount.Of(Fixture);
        var response = await send();
        Assert.Equal(before, await StoredEventCount.Of(Fixture));
        return response;
    }

    [Fact]
    public async Task A_NUL_character_in_a_field_is_a_400_naming_the_field()
    {
        var response = await Refused(() => Api.Post("/cases", """{ "patientRef": "a\u0000b", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }"""));
        response.AssertInvalid("patientRef");

        var caseId = await Api.OpenCase();
        var entry = Bodies.Start("2015-04");
        entry["agents"]![0]!["drug"] = "cri\0zotinib";
        (await Refused(() => Api.PostEntry(caseId, entry))).AssertInvalid("agents[0].drug");
    }

    [Fact]
    public async Task Invalid_UTF8_in_a_string_and_a_lone_surrogate_are_400s_naming_the_field()
    {
        var body = Utf8("""{ "patientRef": "aXb", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }""");
        body[Array.IndexOf(body, (byte)'X')] = 0xFF;
        (await Refused(() => Api.Send("POST", "/cases", body, Json))).AssertInvalid("patientRef");

        var surrogate = """{ "patientRef": "a\ud800b", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }""";
        (await Refused(() => Api.Post("/cases", surrogate))).AssertInvalid("patientRef");
    }

    [Fact]
    public async Task The_all_zero_case_id_is_an_unknown_case_on_every_case_route()
    {
        var zero = Guid.Empty;
        (await Refused(() => Api.PostEntry(zero, Bodies.Biopsy("2015-03-12")))).AssertProblem(404);
        (await Refused(() => Api.PostBatch(zero, Bodies.Batch(Bodies.Biopsy("2015-03-12"))))).AssertProblem(404);
        foreach (var view in new[] { "", "/lines", "/progression-free-intervals", "/cumulative-dose", "/outcomes", "/timeline", "/timeline.svg", "/entries", "/export" })
            (await Api.Get($"/cases/{zero}{view}")).AssertProblem(404);
    }

    [Fact]
    public async Task A_body_over_the_limit_of_its_route_is_a_413()
    {
        var caseId = await Api.OpenCase();
        var padded = Bodies.Biopsy("2015-03-12").ToJsonString() + new string(' ', 1 << 20);
        (await Refused(() => Api.Post($"/cases/{caseId}/entries", padded))).AssertProblem(413);
        (await Refused(() => Api.Post($"/cases/{caseId}/entries/batch", padded))).AssertProblem(413);

        // A case file may be larger: 2 MiB is taken, more than 32 MiB is not.
        var caseFile = """{ "case": { "patientRef": "TEST-0002", "sex": "male", "birthYear": 1970, "occurredOn": "2010" }, "entries": [] }""";
        Assert.Equal(201, (await Api.Post("/cases/import", caseFile + new string(' ', 2 << 20))).Status);
        (await Refused(() => Api.Post("/cases/import", caseFile + new string(' ', 32 << 20)))).AssertProblem(413);
    }

    [Fact]
    public async Task JSON_nested_deeper_than_64_levels_is_a_400()
    {
        var deep = new string('[', 65) + new string(']', 65);
        var body = $$"""{ "patientRef": "TEST-0003", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03", "note": {{deep}} }""";
        (await Refused(() => Api.Post("/cases", body))).AssertInvalid("$");
    }

    [Fact]
    public async Task A_batch_of_more_than_1000_entries_is_a_400_naming_entries()
    {
        var caseId = await Api.OpenCase();
        var entries = Enumerable.Range(0, 1001).Select(_ => (JsonNode)Bodies.Imaging("2015-04")).ToArray();
        (await Refused(() => Api.PostBatch(caseId, new JsonObject { ["entries"] = new JsonArray(entries) }))).AssertInvalid("entries");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData(null)]
    public async Task A_write_whose_body_is_not_declared_JSON_is_a_415(string? contentType)
    {
        var body = Utf8("""{ "patientRef": "TEST-0004", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }""");
        (await Refused(() => Api.Send("POST", "/cases", body, contentType))).AssertProblem(415);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task JSON_with_a_charset_or_a_json_suffix_is_taken(string contentType)
    {
        var body = Utf8("""{ "patientRef": "TEST-0005", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }""");
        Assert.Equal(201, (await Api.Send("POST", "/cases", body, contentType)).Status);
    }

    [Fact]
    public async Task Unknown_routes_are_404s_and_wrong_methods_405s_with_problem_bodies()
    {
        (await Api.Get("/no-such-route")).AssertProblem(404);
        (await Api.Get("/cases/not-a-case-id")).AssertProblem(404);
        (await Refused(() => Api.Send("DELETE", "/cases", null, null))).AssertProblem(405);
        (await Refused(() => Api.Send("PUT", $"/cases/{Guid.NewGuid()}", Utf8("{}"), Json))).AssertProblem(405);
    }

    [Fact]
    public async Task Query_parameters_a_route_does_not_take_or_gets_twice_are_400s_naming_them()
    {
        (await Api.Get("/cases?asOf=abc")).AssertInvalid("asOf");
        (await Api.Get("/cases?status=active&status=deceased")).AssertInvalid("status");
        (await Api.Get("/cases?regimen=a%00b")).AssertInvalid("regimen");
        var caseId = await Api.OpenCase();
        (await Api.Get($"/cases/{caseId}?colour=red")).AssertInvalid("colour");
        (await Refused(() => Api.Send("POST", $"/cases/{caseId}/entries?asOf=2015-01-01", Utf8(Bodies.Biopsy("2015-03-12").ToJsonString()), Json)))
            .AssertInvalid("asOf");
        Assert.Equal(200, (await Api.Get($"/cases/{caseId}/cumulative-dose?alphaBeta=3&asOf=2020-01-01")).Status);
    }

    [Fact]
    public async Task An_empty_If_Match_is_a_400_not_an_unconditional_write()
    {
        var caseId = await Api.OpenCase();
        (await Refused(() => Api.PostEntry(caseId, Bodies.Biopsy("2015-03-12"), ("If-Match", "")))).AssertInvalid("If-Match");
    }

    [Fact]
    public async Task A_header_with_control_characters_is_a_400_naming_it()
    {
        var caseId = await Api.OpenCase();
        (await Refused(() => Api.PostEntry(caseId, Bodies.Biopsy("2015-03-12"), ("X-Correlation-Id", "a\u0001b")))).AssertInvalid("X-Correlation-Id");
    }

    [Fact]
    public async Task Every_answer_says_nosniff_and_no_store_without_a_Server_header_and_pages_carry_a_policy_of_their_own()
    {
        var caseId = await Api.OpenCase();
        foreach (var response in new[] { await Api.Get($"/cases/{caseId}"), await Api.Get("/no-such-route"), await Api.Get("/health") })
        {
            Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
            Assert.Equal("no-store", response.Header("Cache-Control"));
            Assert.Null(response.Header("Server"));
            Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Header("Content-Security-Policy"));
        }
        var svg = await Api.Get($"/cases/{caseId}/timeline.svg");
        Assert.Equal(200, svg.Status);
        var policy = svg.Header("Content-Security-Policy")!;
        Assert.Contains("default-src 'self'", policy);
        Assert.DoesNotContain("http", policy);
    }
}
