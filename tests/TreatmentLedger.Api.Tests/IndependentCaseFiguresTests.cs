using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// The independently written case file (Cases/independent-case.json: mixed date precision, a switch, the same regimen
/// restarted, a correction, a retraction, death during a line) against figures worked out by hand with DOMAIN.md's
/// arithmetic: days = anchor(to) - anchor(from), minDays = earliest(to) - latest(from), maxDays = latest(to) - earliest(from).
/// </summary>
public sealed class IndependentCaseFiguresTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private async Task<Guid> Import()
    {
        var file = CaseFiles.Read(CaseFiles.IndependentCase);
        var response = await Api.Post("/cases/import", file);
        Assert.Equal(201, response.Status);
        return response.Json["caseId"]!.GetValue<Guid>();
    }

    private static (int Days, int Min, int Max) Days(JsonNode duration) =>
        (duration["days"]!.GetValue<int>(), duration["minDays"]!.GetValue<int>(), duration["maxDays"]!.GetValue<int>());

    [Fact]
    public async Task Lines_with_a_switch_a_restart_and_a_death()
    {
        var caseId = await Import();

        var lines = (await Api.Get($"/cases/{caseId}/lines")).Json["lines"]!.AsArray();

        var expected = new (string Regimen, string Start, string Stop, string Reason, int Days)[]
        {
            ("FOLFOX", "2016-07-11", "2016-09-20", "completed", 71),
            ("FOLFIRI", "2017-10-02", "2018-07-09", "switched", 280),
            ("FOLFOX", "2018-07-09", "2018-09-03", "toxicity", 56),
            ("sotorasib", "2018-11-19", "2023-09-04", "switched", 1750),
            ("trifluridine/tipiracil", "2023-09-04", "2024-01-16", "death", 134),
        };
        Assert.Equal(expected.Length, lines.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var line = lines[i]!;
            Assert.Equal(i + 1, line["number"]!.GetValue<int>());
            Assert.Equal(expected[i].Regimen, line["regimen"]!.GetValue<string>());
            Assert.Equal(expected[i].Start, line["startedOn"]!.GetValue<string>());
            Assert.Equal(expected[i].Stop, line["stoppedOn"]!.GetValue<string>());
            Assert.Equal(expected[i].Reason, line["stopReason"]!.GetValue<string>());
            Assert.Equal((expected[i].Days, expected[i].Days, expected[i].Days), Days(line["duration"]!));
        }
        // Line 1: three cycles, the oxaliplatin reduction, and the response as corrected (SD on 2016-09-14, not PR).
        Assert.Equal(3, lines[0]!["cycles"]!.GetValue<int>());
        Assert.Equal("reduced", lines[0]!["doseChanges"]![0]!["direction"]!.GetValue<string>());
        Assert.Equal("SD", lines[0]!["bestResponse"]!.GetValue<string>());
        Assert.Equal("2016-09-14", lines[0]!["responses"]![0]!["on"]!.GetValue<string>());
        Assert.Equal(480m, lines[3]!["agents"]![0]!["dailyDoseMg"]!.GetValue<decimal>());
        Assert.Equal(2, lines[3]!["localTherapies"]!.AsArray().Count);
    }

    [Fact]
    public async Task Progression_free_intervals_case_level_and_per_line()
    {
        var caseId = await Import();

        var body = (await Api.Get($"/cases/{caseId}/progression-free-intervals")).Json;

        var intervals = body["intervals"]!.AsArray();
        var expected = new (string From, string To, string Reason, int Days, int Min, int Max)[]
        {
            ("2016-05-03", "2017-09", "progression", 486, 486, 515),
            ("2017-09", "2018-06", "progression", 273, 244, 302),
            ("2018-06", "2020-04", "progression", 670, 641, 699),
            ("2020-04", "2021", "progression", 275, 246, 639),
            ("2021", "2023-08", "progression", 942, 578, 972),
            ("2023-08", "2024-01-16", "death", 168, 138, 168),
        };
        Assert.Equal(expected.Length, intervals.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].From, intervals[i]!["from"]!["on"]!.GetValue<string>());
            Assert.Equal(expected[i].To, intervals[i]!["to"]!["on"]!.GetValue<string>());
            Assert.Equal(expected[i].Reason, intervals[i]!["to"]!["reason"]!.GetValue<string>());
            Assert.Equal((expected[i].Days, expected[i].Min, expected[i].Max), Days(intervals[i]!["duration"]!));
        }

        var perLine = body["perLine"]!.AsArray();
        Assert.Equal(["censored", "progression", "censored", "progression", "death"], perLine.Select(l => l!["endReason"]!.GetValue<string>()));
        Assert.Equal((242, 242, 271), Days(perLine[1]!["duration"]!));
        Assert.Equal((499, 499, 528), Days(perLine[3]!["duration"]!));
        Assert.Equal((134, 134, 134), Days(perLine[4]!["duration"]!));
    }

    [Fact]
    public async Task Cumulative_dose_by_site_and_drug_and_oral_exposure()
    {
        var caseId = await Import();

        var dose = (await Api.Get($"/cases/{caseId}/cumulative-dose")).Json;

        var sites = dose["radiotherapy"]!["bySite"]!.AsArray();
        var pelvis = sites.Single(s => s!["site"]!.GetValue<string>() == "pelvis")!;
        Assert.Equal(31.25m, pelvis["eqd2Gy"]!.GetValue<decimal>()); // 25 (5 + 10) / 12
        Assert.Equal(37.5m, pelvis["bedGy"]!.GetValue<decimal>()); // 25 (1 + 5/10)
        var lung = sites.Single(s => s!["site"]!.GetValue<string>() == "right lower lobe")!;
        Assert.Equal(126m, lung["eqd2Gy"]!.GetValue<decimal>()); // 54 (18 + 10) / 12
        Assert.Equal(151.2m, lung["bedGy"]!.GetValue<decimal>()); // 54 (1 + 18/10)

        var byDrug = dose["systemic"]!["byDrug"]!.AsArray();
        var oxaliplatin = byDrug.Single(d => d!["drug"]!.GetValue<string>() == "oxaliplatin")!;
        Assert.Equal(320m, oxaliplatin["totalAmount"]!.GetValue<decimal>()); // 85 + 85 + 65 + 85
        Assert.Equal(4, oxaliplatin["administrations"]!.GetValue<int>());
        Assert.Equal(11200m, byDrug.Single(d => d!["drug"]!.GetValue<string>() == "fluorouracil")!["totalAmount"]!.GetValue<decimal>());

        var sotorasib = dose["systemic"]!["oralExposure"]!.AsArray().Single()!;
        Assert.Equal(960m * 56 + 480m * 1694, sotorasib["totalMg"]!.GetValue<decimal>()); // 2018-11-19..2019-01-14..2023-09-04
        Assert.Equal(1750, sotorasib["days"]!.GetValue<int>());
        Assert.Empty(dose["alerts"]!.AsArray());
    }

    [Fact]
    public async Task As_of_mid_2019_sotorasib_is_active_and_known_before_the_import_the_case_is_unknown()
    {
        var before = Fixture.Clock.GetUtcNow();
        Fixture.Clock.Offset = TimeSpan.FromMinutes(1);
        var caseId = await Import();

        var summary = (await Api.Get($"/cases/{caseId}?asOf=2019-06-30")).Json;
        Assert.Equal("on-treatment", summary["status"]!.GetValue<string>());
        Assert.Equal("sotorasib", summary["currentLine"]!["regimen"]!.GetValue<string>());
        Assert.Equal((223, 223, 223), Days(summary["currentLine"]!["duration"]!));
        Assert.True(summary["currentLine"]!["duration"]!["censored"]!.GetValue<bool>());

        Assert.Equal(404, (await Api.Get($"/cases/{caseId}/lines?knownAt={Uri.EscapeDataString(before.ToString("O"))}")).Status);
        var final = (await Api.Get($"/cases/{caseId}")).Json;
        Assert.Equal("deceased", final["status"]!.GetValue<string>());
        Assert.Equal("2024-01-16", final["diedOn"]!.GetValue<string>());
        Assert.Equal(5, final["lineCount"]!.GetValue<int>());
    }
}
