using CsCheck;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// Generated hostile requests at every write and read route (wrong content types, NUL and control characters,
/// invalid UTF-8, lone surrogates, deep and huge JSON, wrong types, odd case ids, bad query values and If-Match,
/// wrong methods, unknown routes): never a 5xx, never a stack trace or SQL, every refusal a problem answer that
/// names the field, header or parameter when it is a 400, and nothing refused stored.
/// </summary>
public sealed class HostileRequestsTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static readonly string[] Leaks = ["   at ", "Exception", "Npgsql", "mt_events", "SQLSTATE", "insert into", "select "];

    private const int PerRoute = 1_000;

    public static TheoryData<string> Routes => new(HostileRequests.Routes);

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Hostile_requests_get_no_5xx_store_nothing_when_refused_and_answer_problems_that_name_what_is_wrong(string route)
    {
        var caseId = await Api.OpenCase();
        // The access log is for auditors; every other route is a clinician's.
        var api = route == "GET /access-log" ? Api.As(Fixture.Token("audit-1", LedgerFixture.Hospital, Roles.Auditor)) : Api;
        var sent = 0;
        await HostileRequests.Against(route, caseId).SampleAsync(async request =>
        {
            sent++;
            var before = await StoredEventCount.Of(Fixture);
            var response = await api.Send(request.Method, request.Url, request.Body, request.ContentType, request.Headers);
            var why = $"{response.Status} {response.Text[..Math.Min(response.Text.Length, 600)]}";

            Assert.True(response.Status < 500, why);
            Assert.DoesNotContain(Leaks, leak => response.Text.Contains(leak, StringComparison.OrdinalIgnoreCase));
            if (request.Status is { } status) Assert.True(status == response.Status, $"expected {status}; {why}");
            if (response.Status < 400) return;

            Assert.Equal(before, await StoredEventCount.Of(Fixture));
            Assert.StartsWith("application/problem+json", response.Raw.Context.Response.ContentType, StringComparison.Ordinal);
            Assert.Equal(response.Status, response.Json["status"]!.GetValue<int>());
            Assert.False(string.IsNullOrWhiteSpace(response.Json["title"]?.GetValue<string>()), why);
            if (response.Status != 400) return;
            var errors = response.Json["errors"]?.AsObject();
            Assert.True(errors is { Count: > 0 }, why);
            if (request.Names is { } name) Assert.True(errors.ContainsKey(name), $"expected an error on '{name}'; {why}");
        }, iter: PerRoute, threads: 1, print: r => r.ToString());
        Assert.Equal(PerRoute, sent);
    }
}
