using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary><c>GET /cases</c>: the dashboard read model.</summary>
public sealed class CaseListTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private async Task<Guid> CaseOn(string patientRef, string? regimen, bool died = false)
    {
        var caseId = await Api.OpenCase(patientRef, "2015-01");
        if (regimen is not null)
            Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries",
                $$"""{ "type": "systemic-therapy-started", "occurredOn": "2016-01", "regimen": "{{regimen}}", "therapyClass": "targeted" }""")).Status);
        if (died)
            Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries", """{ "type": "patient-died", "occurredOn": "2017-01" }""")).Status);
        return caseId;
    }

    [Fact]
    public async Task Lists_one_row_a_case_with_status_and_current_line()
    {
        var onCrizotinib = await CaseOn("TEST-A", "crizotinib");
        await CaseOn("TEST-B", null);
        await CaseOn("TEST-C", "alectinib", died: true);

        var list = (await Api.GetCurrent("/cases")).Json;

        Assert.Equal(3, list["total"]!.GetValue<long>());
        var row = list["cases"]!.AsArray().Single(c => c!["caseId"]!.GetValue<Guid>() == onCrizotinib)!;
        Assert.Equal("TEST-A", row["patientRef"]!.GetValue<string>());
        Assert.Equal("on-treatment", row["status"]!.GetValue<string>());
        Assert.Equal(1, row["currentLineNumber"]!.GetValue<int>());
        Assert.Equal("crizotinib", row["currentRegimen"]!.GetValue<string>());
        Assert.Equal(1, row["lineCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Filters_by_status_and_regimen_and_pages()
    {
        await CaseOn("TEST-A", "crizotinib");
        await CaseOn("TEST-B", "Crizotinib");
        await CaseOn("TEST-C", "alectinib", died: true);
        await CaseOn("TEST-D", null);

        var deceased = (await Api.GetCurrent("/cases?status=deceased")).Json["cases"]!.AsArray();
        Assert.Equal("TEST-C", Assert.Single(deceased)!["patientRef"]!.GetValue<string>());
        Assert.Equal("off-treatment", (await Api.GetCurrent("/cases?status=off-treatment")).Json["cases"]![0]!["status"]!.GetValue<string>());

        var crizotinib = (await Api.GetCurrent("/cases?regimen=crizotinib")).Json;
        Assert.Equal(2, crizotinib["total"]!.GetValue<long>());

        var page1 = (await Api.GetCurrent("/cases?pageSize=3&page=1")).Json;
        var page2 = (await Api.GetCurrent("/cases?pageSize=3&page=2")).Json;
        Assert.Equal(3, page1["cases"]!.AsArray().Count);
        Assert.Single(page2["cases"]!.AsArray());
        Assert.Equal(4, page2["total"]!.GetValue<long>());
        var all = page1["cases"]!.AsArray().Concat(page2["cases"]!.AsArray()).Select(c => c!["patientRef"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(4, all.Count);

        // Past the last row: no cases, and the total still counts those that match, however far the page.
        foreach (var url in new[] { "/cases?pageSize=3&page=3", "/cases?regimen=crizotinib&pageSize=1&page=5",
                     "/cases?page=42949674", "/cases?pageSize=500&page=2147483647" })
        {
            var past = await Api.GetCurrent(url);
            Assert.True(past.Status == 200, $"{url}: {past.Status} {past.Text}");
            Assert.Empty(past.Json["cases"]!.AsArray());
            Assert.Equal(url.Contains("crizotinib") ? 2 : 4, past.Json["total"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task Bad_filters_are_refused_field_by_field()
    {
        var response = await Api.Get("/cases?status=alive&pageSize=0");

        Assert.Equal(400, response.Status);
        Assert.NotNull(response.Json["errors"]!["status"]);
        Assert.NotNull(response.Json["errors"]!["pageSize"]);
    }
}
