using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary><c>GET /cases/{caseId}/cumulative-dose</c>: rows per site and target, LQ warnings, doses it could not count, estimates.</summary>
public sealed class CumulativeDoseRouteTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static JsonObject Radiotherapy(string on, string site, string? target, string technique, decimal totalDoseGy, int fractions)
    {
        var entry = new JsonObject
        {
            ["type"] = "radiotherapy-delivered", ["occurredOn"] = on, ["site"] = site, ["technique"] = technique,
            ["totalDoseGy"] = totalDoseGy, ["fractions"] = fractions,
        };
        if (target is not null) entry["target"] = target;
        return entry;
    }

    private static JsonObject Cycle(string on, int cycle, string drug, decimal amount, string unit) => new()
    {
        ["type"] = "cycle-administered", ["occurredOn"] = on, ["cycle"] = cycle,
        ["doses"] = new JsonArray(new JsonObject { ["drug"] = drug, ["amount"] = amount, ["unit"] = unit }),
    };

    [Fact]
    public async Task Lesions_are_separate_rows_and_an_uncounted_anthracycline_dose_makes_the_alert_incomplete()
    {
        var caseId = await Api.OpenCase(occurredOn: "2012-01");
        var estimatedCourse = Guid.NewGuid();
        var liposomalCycle = Guid.NewGuid();
        var batch = await Api.PostBatch(caseId, Bodies.Batch(
            Radiotherapy("2012-03", "brain", "metastasis 1", "SRS", 27, 3)
                .With("entryId", estimatedCourse.ToString()).With("estimated", new JsonArray("totalDoseGy")),
            Radiotherapy("2012-03", "Brain ", "metastasis 2", "SRS", 24, 3),
            Radiotherapy("2013-05", "brain", null, "WBRT", 30, 10),
            new JsonObject
            {
                ["type"] = "systemic-therapy-started", ["occurredOn"] = "2014-01", ["regimen"] = "AC", ["therapyClass"] = "chemotherapy",
                ["agents"] = new JsonArray(new JsonObject { ["drug"] = "doxorubicin" }, new JsonObject { ["drug"] = "cyclophosphamide" }),
                ["bsaM2"] = 1.8,
            },
            Cycle("2014-01", 1, "doxorubicin", 108, "mg"),
            Cycle("2014-02", 2, "liposomal doxorubicin", 30, "mg/m2").With("entryId", liposomalCycle.ToString())));
        Assert.Equal(201, batch.Status);

        var dose = (await Api.Get($"/cases/{caseId}/cumulative-dose")).Json;

        var rows = dose["radiotherapy"]!["bySite"]!.AsArray();
        Assert.Equal(3, rows.Count);
        var first = rows.Single(r => r!["target"]?.GetValue<string>() == "metastasis 1")!;
        Assert.Equal("brain", first["site"]!.GetValue<string>());
        Assert.Equal(1, first["courses"]!.GetValue<int>());
        Assert.Equal(42.75m, first["eqd2Gy"]!.GetValue<decimal>()); // 27 (9 + 10) / 12
        Assert.True(first["lqWarning"]!.GetValue<bool>());
        Assert.True(rows.Single(r => r!["target"]?.GetValue<string>() == "metastasis 2")!["lqWarning"]!.GetValue<bool>());
        var wholeBrain = rows.Single(r => r!["target"] is null)!;
        Assert.Equal(30m, wholeBrain["totalDoseGy"]!.GetValue<decimal>());
        Assert.False(wholeBrain["lqWarning"]!.GetValue<bool>());

        var unconverted = Assert.Single(dose["unconvertedDoses"]!.AsArray())!;
        Assert.Equal(liposomalCycle, unconverted["entryId"]!.GetValue<Guid>());
        Assert.Equal("liposomal doxorubicin", unconverted["drug"]!.GetValue<string>());
        Assert.Equal(30m, unconverted["amount"]!.GetValue<decimal>());
        Assert.Equal("mg/m2", unconverted["unit"]!.GetValue<string>());

        var alert = Assert.Single(dose["alerts"]!.AsArray())!;
        Assert.Equal("anthracycline-cumulative-dose", alert["kind"]!.GetValue<string>());
        Assert.Equal("info", alert["level"]!.GetValue<string>());
        Assert.Equal(60m, alert["value"]!.GetValue<decimal>()); // 108 mg / 1.8 m2; the liposomal dose is not counted
        Assert.Equal("mg/m2", alert["unit"]!.GetValue<string>());
        Assert.True(alert["incomplete"]!.GetValue<bool>());

        var estimate = Assert.Single(dose["estimatesUsed"]!.AsArray())!;
        Assert.Equal(estimatedCourse, estimate["entryId"]!.GetValue<Guid>());
        Assert.Equal(["totalDoseGy"], estimate["fields"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task Without_anything_uncounted_the_alert_is_complete_and_the_lists_are_empty()
    {
        var caseId = await Api.OpenCase(occurredOn: "2014-01");
        var batch = await Api.PostBatch(caseId, Bodies.Batch(
            new JsonObject { ["type"] = "systemic-therapy-started", ["occurredOn"] = "2014-01", ["regimen"] = "doxorubicin", ["therapyClass"] = "chemotherapy" },
            Cycle("2014-01", 1, "doxorubicin", 450, "mg/m2")));
        Assert.Equal(201, batch.Status);

        var dose = (await Api.Get($"/cases/{caseId}/cumulative-dose")).Json;

        var alert = Assert.Single(dose["alerts"]!.AsArray())!;
        Assert.Equal("warning", alert["level"]!.GetValue<string>());
        Assert.Equal(450m, alert["value"]!.GetValue<decimal>());
        Assert.False(alert["incomplete"]!.GetValue<bool>());
        Assert.Empty(dose["unconvertedDoses"]!.AsArray());
        Assert.Empty(dose["estimatesUsed"]!.AsArray());
    }
}
