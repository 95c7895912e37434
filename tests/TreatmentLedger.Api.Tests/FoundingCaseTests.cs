using System.Text.Json.Nodes;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>The figures a clinician would quote from the founding case report, derived by the ledger from the demo case file.</summary>
public sealed class FoundingCaseTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private async Task<Guid> ImportDemo()
    {
        var imported = await Api.Post("/cases/import", DemoCase.Read());
        Assert.Equal(201, imported.Status);
        return imported.Json["caseId"]!.GetValue<Guid>();
    }

    private static JsonObject LineOf(JsonObject body, string regimen) =>
        body["lines"]!.AsArray().Select(l => l!.AsObject()).Single(l => l["regimen"]!.GetValue<string>() == regimen);

    [Fact]
    public async Task The_lines_come_in_the_order_of_the_report_with_their_start_stop_and_reason()
    {
        var caseId = await ImportDemo();

        var lines = (await Api.Get($"/cases/{caseId}/lines")).Json["lines"]!.AsArray().Select(l => l!.AsObject()).ToList();

        Assert.Equal(Enumerable.Range(1, lines.Count), lines.Select(l => l["number"]!.GetValue<int>()));
        var regimens = lines.Select(l => l["regimen"]!.GetValue<string>()).ToList();
        var alk = new[] { "crizotinib", "alectinib", "brigatinib", "lorlatinib", "doxorubicin" };
        Assert.Equal(alk, regimens.TakeLast(5));
        Assert.Contains(regimens, r => r.Contains("naproxen", StringComparison.OrdinalIgnoreCase));

        var crizotinib = LineOf(new JsonObject { ["lines"] = new JsonArray(lines.Select(l => l.DeepClone()).ToArray()) }, "crizotinib");
        Assert.Equal("2012-02", crizotinib["startedOn"]!.GetValue<string>());
        Assert.Equal("2021-08", crizotinib["stoppedOn"]!.GetValue<string>());
        Assert.Equal("progression", crizotinib["stopReason"]!.GetValue<string>());
        Assert.Equal("2023-01", lines[^2]["startedOn"]!.GetValue<string>());
        Assert.Equal("ineffective", lines[^2]["stopReason"]!.GetValue<string>());
        Assert.Equal("2023-03", lines[^1]["startedOn"]!.GetValue<string>());
        Assert.Equal("death", lines[^1]["stopReason"]!.GetValue<string>());
        Assert.All(lines, l => Assert.False(l["active"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Nine_and_a_half_years_on_crizotinib_against_a_progression_free_interval_of_months()
    {
        var caseId = await ImportDemo();

        var crizotinib = LineOf((await Api.Get($"/cases/{caseId}/lines")).Json, "crizotinib");

        var duration = crizotinib["duration"]!.AsObject();
        Assert.Equal(3469, duration["days"]!.GetValue<int>());
        Assert.Equal(3499, duration["maxDays"]!.GetValue<int>());
        Assert.Equal(115.0, duration["maxMonths"]!.GetValue<double>());
        Assert.Equal(114.0, duration["months"]!.GetValue<double>());
        Assert.False(duration["censored"]!.GetValue<bool>());

        var progressionFree = crizotinib["progressionFree"]!.AsObject();
        Assert.Equal("progression", progressionFree["endReason"]!.GetValue<string>());
        Assert.InRange(progressionFree["duration"]!["months"]!.GetValue<double>(), 1, 12);
        Assert.NotEmpty(crizotinib["localTherapies"]!.AsArray());

        var perLine = (await Api.Get($"/cases/{caseId}/progression-free-intervals")).Json["perLine"]!.AsArray()
            .Single(l => l!["regimen"]!.GetValue<string>() == "crizotinib")!;
        Assert.Equal(progressionFree["duration"]!.ToJsonString(), perLine["duration"]!.ToJsonString());
    }

    [Theory]
    [InlineData("10", 54.72)]
    [InlineData("3", 55.73)]
    public async Task The_haemostatic_course_of_54_Gy_in_25_fractions_has_the_EQD2_of_the_formula(string alphaBeta, double eqd2)
    {
        var caseId = await ImportDemo();

        var dose = (await Api.Get($"/cases/{caseId}/cumulative-dose?alphaBeta={alphaBeta}")).Json;

        var axilla = dose["radiotherapy"]!["bySite"]!.AsArray().Single(s => s!["totalDoseGy"]!.GetValue<decimal>() == 54m)!;
        Assert.Equal(25, axilla["fractions"]!.GetValue<int>());
        Assert.Equal(eqd2, axilla["eqd2Gy"]!.GetValue<double>());
    }

    [Fact]
    public async Task Case_level_intervals_run_from_diagnosis_to_death()
    {
        var caseId = await ImportDemo();

        var intervals = (await Api.Get($"/cases/{caseId}/progression-free-intervals")).Json["intervals"]!.AsArray();

        Assert.Equal("diagnosis", intervals[0]!["from"]!["reason"]!.GetValue<string>());
        Assert.Equal("2007-02", intervals[0]!["from"]!["on"]!.GetValue<string>());
        Assert.Equal("death", intervals[^1]!["to"]!["reason"]!.GetValue<string>());
        Assert.Equal("2023-03", intervals[^1]!["to"]!["on"]!.GetValue<string>());
        Assert.All(intervals.Take(intervals.Count - 1), i => Assert.Equal("progression", i!["to"]!["reason"]!.GetValue<string>()));
        for (var i = 1; i < intervals.Count; i++)
            Assert.Equal(intervals[i - 1]!["to"]!["on"]!.GetValue<string>(), intervals[i]!["from"]!["on"]!.GetValue<string>());
    }

    [Fact]
    public async Task As_of_November_2014_crizotinib_is_the_active_line()
    {
        var caseId = await ImportDemo();

        var summary = (await Api.Get($"/cases/{caseId}?asOf=2014-11-30")).Json;

        Assert.Equal("on-treatment", summary["status"]!.GetValue<string>());
        Assert.Equal("crizotinib", summary["currentLine"]!["regimen"]!.GetValue<string>());
        Assert.True(summary["currentLine"]!["active"]!.GetValue<bool>());
        Assert.True(summary["currentLine"]!["duration"]!["censored"]!.GetValue<bool>());
        Assert.Null(summary["diedOn"]);
        var lines = (await Api.Get($"/cases/{caseId}/lines?asOf=2014-11-30")).Json["lines"]!.AsArray();
        Assert.Equal("crizotinib", lines[^1]!["regimen"]!.GetValue<string>());
        Assert.Null(lines[^1]!["stoppedOn"]);
    }

    [Fact]
    public async Task Sixteen_years_of_overall_survival_and_the_crizotinib_line_s_pfs2()
    {
        var caseId = await ImportDemo();

        var outcomes = (await Api.Get($"/cases/{caseId}/outcomes")).Json;

        // Diagnosis 2007-02 to death 2023-03: 5872 days (anchor to anchor), 16.1 years; the report's "sixteen years".
        var os = outcomes["overallSurvival"]!;
        Assert.Equal("death", os["endReason"]!.GetValue<string>());
        Assert.Equal((5872, 5845, 5902), (os["days"]!.GetValue<int>(), os["minDays"]!.GetValue<int>(), os["maxDays"]!.GetValue<int>()));
        Assert.Equal(192.9, os["months"]!.GetValue<double>());
        // First metastasis 2012-02 to death 2023-03: 4046 days (11.1 years), where the report writes "nine years".
        Assert.Equal(4046, outcomes["survivalFromFirstMetastasis"]!["days"]!.GetValue<int>());
        var crizotinib = outcomes["lines"]!.AsArray().Single(l => l!["regimen"]!.GetValue<string>() == "crizotinib")!;
        // PFS2: crizotinib start 2012-02 to the alectinib line's progression of 2022-08.
        Assert.Equal(("progression", 3834), (crizotinib["pfs2"]!["endReason"]!.GetValue<string>(), crizotinib["pfs2"]!["days"]!.GetValue<int>()));
        Assert.Equal(("next-line", 3469), (crizotinib["timeToNextTreatment"]!["endReason"]!.GetValue<string>(),
            crizotinib["timeToNextTreatment"]!["days"]!.GetValue<int>()));
        // The diagnosis month is an estimate (the report dates the presentation, not the biopsy), and so is the death month.
        var estimated = outcomes["estimatesUsed"]!.AsArray().Select(e => e!["entryId"]!.GetValue<string>()).ToList();
        Assert.Contains("e9e29fee-73f5-4105-812c-65f1c5173180", estimated);
        Assert.Contains("a4cad1a0-16a5-4652-ab24-3725a50beb15", estimated);
    }

    [Fact]
    public async Task Brigatinib_and_lorlatinib_failed_as_events_and_vinorelbine_methotrexate_had_40_cycles()
    {
        var caseId = await ImportDemo();

        var lines = (await Api.Get($"/cases/{caseId}/lines")).Json;

        foreach (var (regimen, days) in new[] { ("brigatinib", 91), ("lorlatinib", 31) })
        {
            var free = LineOf(lines, regimen)["progressionFree"]!;
            Assert.Equal("progression", free["endReason"]!.GetValue<string>());
            Assert.Equal("stop-reason", free["inferredFrom"]!.GetValue<string>());
            Assert.Equal(days, free["duration"]!["days"]!.GetValue<int>());
        }
        Assert.Equal(40, LineOf(lines, "vinorelbine/methotrexate (navelbine/methotrexate)")["cycles"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_seven_months_of_per_line_progression_free_survival_on_crizotinib_rest_on_an_estimated_date()
    {
        var caseId = await ImportDemo();

        var crizotinib = LineOf((await Api.Get($"/cases/{caseId}/lines")).Json, "crizotinib");

        Assert.Equal("2012-09", crizotinib["progressionFree"]!["endedOn"]!.GetValue<string>());
        var used = crizotinib["estimatesUsed"]!.AsArray()
            .Single(e => e!["entryId"]!.GetValue<string>() == "221479e8-3d7f-41c4-88f1-9d884e981dc4")!;
        Assert.Contains("occurredOn", used["fields"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task The_two_brain_SBRT_courses_are_two_rows_each_warned_and_resting_on_estimated_doses()
    {
        var caseId = await ImportDemo();

        var dose = (await Api.Get($"/cases/{caseId}/cumulative-dose")).Json;

        var rows = dose["radiotherapy"]!["bySite"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var stereotactic = rows.Where(r => r["totalDoseGy"]!.GetValue<decimal>() == 27m).ToList();
        Assert.Equal(2, stereotactic.Count);
        Assert.Equal(2, stereotactic.Select(r => r["target"]!.GetValue<string>()).Distinct().Count());
        Assert.All(stereotactic, r => Assert.True(r["lqWarning"]!.GetValue<bool>()));
        Assert.False(rows.Single(r => r["totalDoseGy"]!.GetValue<decimal>() == 54m)["lqWarning"]!.GetValue<bool>());
        var estimated = dose["estimatesUsed"]!.AsArray().Select(e => e!["entryId"]!.GetValue<string>()).ToList();
        Assert.Contains("3520758d-bf45-4915-a59e-6d26b50387e7", estimated);
        Assert.Contains("23c23db3-e210-4fb4-8dae-02deb7642192", estimated);
        Assert.DoesNotContain("41b0f27f-a17f-4dbc-b5a6-e8dabe19ac8b", estimated);
    }
}
