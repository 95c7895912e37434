using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

public sealed class HealthTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task Health_is_200_when_the_store_answers()
    {
        var response = await Api.Get("/health");

        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.Raw.Context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal("ok", response.Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_needs_no_case_and_changes_none()
    {
        var caseId = await Api.OpenCase();
        var before = await Api.Snapshot(caseId);

        Assert.Equal(200, (await Api.Get("/health")).Status);
        Assert.Equal(200, (await Api.Get("/health")).Status);

        await Api.AssertUnchanged(caseId, before);
    }
}
