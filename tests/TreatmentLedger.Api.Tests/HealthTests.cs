using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

public sealed class HealthTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    public async Task Readiness_is_200_when_the_store_answers(string route)
    {
        var response = await Api.Get(route);

        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.Raw.Context.Response.ContentType, StringComparison.Ordinal);
        // "degraded" while the async projection restarts after the tests' reset: that is about projections, not the store.
        Assert.Contains(response.Json["status"]!.GetValue<string>(), new[] { "ok", "degraded" });
        Assert.Equal("answering", response.Json["store"]!.GetValue<string>());
    }

    [Fact]
    public async Task Liveness_is_200()
    {
        var response = await Api.Get("/health/live");

        Assert.Equal(200, response.Status);
        Assert.Equal("alive", response.Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_needs_no_case_and_changes_none()
    {
        var caseId = await Api.OpenCase();
        var before = await Api.Snapshot(caseId);

        Assert.Equal(200, (await Api.Get("/health")).Status);
        Assert.Equal(200, (await Api.Get("/health/ready")).Status);
        Assert.Equal(200, (await Api.Get("/health/live")).Status);

        await Api.AssertUnchanged(caseId, before);
    }
}
