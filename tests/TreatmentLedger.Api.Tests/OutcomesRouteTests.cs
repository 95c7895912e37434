using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary><c>GET /cases/{caseId}/outcomes</c> and the revised line and interval rules as a client meets them.</summary>
public sealed class OutcomesRouteTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static JsonObject Start(string on, string regimen, string therapyClass = "targeted", string? lineIntent = null)
    {
        var start = Bodies.Start(on, regimen: regimen).With("therapyClass", therapyClass);
        return lineIntent is null ? start : start.With("lineIntent", lineIntent);
    }

    private static JsonObject FollowUp(string on) =>
        new() { ["type"] = "follow-up-recorded", ["occurredOn"] = on, ["vitalStatus"] = "alive", ["diseaseStatus"] = "stable" };

    private async Task Record(Guid caseId, params JsonObject[] entries)
    {
        var response = await Api.Post($"/cases/{caseId}/entries/batch", Bodies.Batch(entries));
        Assert.True(response.Status == 201, response.Body?.ToJsonString());
    }

    /// <summary>Biopsy 2015-03-10; A 2015-04-01; B 2016-02-01 stopped as ineffective 2016-10-01; C 2016-11-01; seen 2017-06-01.</summary>
    private async Task<Guid> ThreeLines()
    {
        var caseId = await Api.OpenCase(occurredOn: "2015-03");
        await Record(caseId,
            Bodies.Biopsy("2015-03-10"),
            Start("2015-04-01", "A"),
            Bodies.Progression("2016-01-15").With("scope", "metastatic"),
            Start("2016-02-01", "B"),
            Bodies.Stop("2016-10-01", reason: "ineffective"),
            Start("2016-11-01", "C"),
            FollowUp("2017-06-01"));
        return caseId;
    }

    [Fact]
    public async Task Outcomes_of_a_full_date_case_are_the_figures_worked_out_by_hand()
    {
        var caseId = await ThreeLines();

        var outcomes = await Api.Get($"/cases/{caseId}/outcomes");

        Assert.Equal(200, outcomes.Status);
        var os = outcomes.Json["overallSurvival"]!;
        Assert.Equal(("2015-03-10", "2017-06-01", "censored", 814), (os["from"]!.GetValue<string>(), os["to"]!.GetValue<string>(),
            os["endReason"]!.GetValue<string>(), os["days"]!.GetValue<int>()));
        Assert.True(os["censored"]!.GetValue<bool>());
        Assert.Equal(503, outcomes.Json["survivalFromFirstMetastasis"]!["days"]!.GetValue<int>());
        var lines = outcomes.Json["lines"]!.AsArray();
        Assert.Equal(["A", "B", "C"], lines.Select(l => l!["regimen"]!.GetValue<string>()));
        Assert.Equal(306, lines[0]!["timeToNextTreatment"]!["days"]!.GetValue<int>());
        Assert.Equal("progression", lines[0]!["pfs2"]!["endReason"]!.GetValue<string>());
        Assert.Equal(549, lines[0]!["pfs2"]!["days"]!.GetValue<int>());
        Assert.Equal(31, lines[1]!["treatmentFreeInterval"]!["days"]!.GetValue<int>());
        Assert.Null(lines[2]!["treatmentFreeInterval"]);
        Assert.Null(lines[2]!["pfs2"]);
        Assert.Empty(outcomes.Json["estimatesUsed"]!.AsArray());
    }

    [Fact]
    public async Task Outcomes_take_as_of_and_known_at_and_an_unknown_case_is_404()
    {
        var caseId = await Api.OpenCase(occurredOn: "2015-03");
        await Record(caseId, Bodies.Biopsy("2015-03-10"), Start("2015-04-01", "A"));
        var before = Fixture.Clock.GetUtcNow();
        Fixture.Clock.Offset += TimeSpan.FromMinutes(5);
        await Record(caseId, Bodies.Died("2016-05-01"));

        var now = (await Api.Get($"/cases/{caseId}/outcomes")).Json;
        var knownBefore = (await Api.Get($"/cases/{caseId}/outcomes?knownAt={Uri.EscapeDataString(before.ToString("O"))}")).Json;
        var asOf = (await Api.Get($"/cases/{caseId}/outcomes?asOf=2016-01-01")).Json;

        Assert.Equal("death", now["overallSurvival"]!["endReason"]!.GetValue<string>());
        Assert.Equal("censored", knownBefore["overallSurvival"]!["endReason"]!.GetValue<string>());
        Assert.Equal("2015-04-01", knownBefore["overallSurvival"]!["to"]!.GetValue<string>());
        Assert.Equal("censored", asOf["overallSurvival"]!["endReason"]!.GetValue<string>());
        (await Api.Get($"/cases/{Guid.NewGuid()}/outcomes")).AssertProblem(404);
        (await Api.Get($"/cases/{caseId}/outcomes?asOf=2016-13-01")).AssertProblem(400);
    }

    [Fact]
    public async Task A_follow_up_visit_moves_the_censoring_of_the_open_intervals()
    {
        var caseId = await Api.OpenCase(occurredOn: "2015-03");
        await Record(caseId, Bodies.Biopsy("2015-03-10"), Start("2015-04-01", "A"));
        var before = (await Api.Get($"/cases/{caseId}/progression-free-intervals")).Json;

        await Record(caseId, FollowUp("2019-05-20"));
        var after = (await Api.Get($"/cases/{caseId}/progression-free-intervals")).Json;

        Assert.Equal("2015-04-01", before["intervals"]![0]!["to"]!["on"]!.GetValue<string>());
        Assert.Equal("2019-05-20", after["intervals"]![0]!["to"]!["on"]!.GetValue<string>());
        Assert.Equal("censored", after["perLine"]![0]!["endReason"]!.GetValue<string>());
        Assert.Equal("2019-05-20", after["perLine"]![0]!["endedOn"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_ineffective_stop_ends_the_line_s_progression_free_interval_as_an_event()
    {
        var caseId = await ThreeLines();

        var perLine = (await Api.Get($"/cases/{caseId}/progression-free-intervals")).Json["perLine"]!.AsArray();
        var lineB = (await Api.Get($"/cases/{caseId}/lines")).Json["lines"]![1]!["progressionFree"]!;

        Assert.Equal("progression", perLine[1]!["endReason"]!.GetValue<string>());
        Assert.Equal("stop-reason", perLine[1]!["inferredFrom"]!.GetValue<string>());
        Assert.False(perLine[1]!["duration"]!["censored"]!.GetValue<bool>());
        Assert.Equal("stop-reason", lineB["inferredFrom"]!.GetValue<string>());
        Assert.Equal("2016-10-01", lineB["endedOn"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_combination_seven_days_apart_is_one_line_and_a_supportive_drug_opens_none()
    {
        var caseId = await Api.OpenCase(occurredOn: "2021-01");
        await Record(caseId,
            Start("2021-02-01", "doxorubicin", "chemotherapy"),
            Start("2021-02-01", "dexamethasone", "supportive"),
            Start("2021-02-08", "cyclophosphamide", "chemotherapy"),
            Bodies.Cycle("2021-02-08"),
            Bodies.Stop("2021-06-01", reason: "completed").With("cyclesGiven", 6));

        var lines = (await Api.Get($"/cases/{caseId}/lines")).Json["lines"]!.AsArray();

        var line = Assert.Single(lines)!;
        Assert.Equal("doxorubicin + cyclophosphamide", line["regimen"]!.GetValue<string>());
        Assert.Equal("induction", line["phase"]!.GetValue<string>());
        Assert.Equal(6, line["cycles"]!.GetValue<int>());
        Assert.Equal("dexamethasone", line["concomitant"]![0]!["regimen"]!.GetValue<string>());
        Assert.Equal("off-treatment", (await Api.Get($"/cases/{caseId}")).Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Maintenance_keeps_the_line_number_and_add_to_line_without_an_active_line_is_422()
    {
        var caseId = await Api.OpenCase(occurredOn: "2019-01");
        await Record(caseId, Start("2019-02-01", "carboplatin-pemetrexed", "chemotherapy"),
            Start("2019-05-01", "pemetrexed", "chemotherapy", "maintenance"));

        var summary = (await Api.Get($"/cases/{caseId}")).Json;
        Assert.Equal(1, summary["lineCount"]!.GetValue<int>());
        Assert.Equal("maintenance", (await Api.Get($"/cases/{caseId}/lines")).Json["lines"]![0]!["phase"]!.GetValue<string>());

        await Record(caseId, Bodies.Stop("2019-09-01", reason: "toxicity"));
        var before = await Api.Snapshot(caseId);
        var refused = await Api.PostEntry(caseId, Start("2019-10-01", "pembrolizumab", "immunotherapy", "add-to-line"));
        refused.AssertProblem(422);
        Assert.Contains("add-to-line", refused.Json["detail"]!.GetValue<string>());
        await Api.AssertUnchanged(caseId, before);
    }

    [Theory]
    [InlineData("""{ "type": "follow-up-recorded", "occurredOn": "2019-01" }""", "vitalStatus")]
    [InlineData("""{ "type": "follow-up-recorded", "occurredOn": "2019-01", "vitalStatus": "dead" }""", "vitalStatus")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2019-01", "modality": "MRI", "estimated": ["findings"] }""", "estimated[0]")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2019-01", "modality": "MRI", "estimated": ["note"] }""", "estimated[0]")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2019-01", "modality": "MRI", "estimated": ["modality", "modality"] }""", "estimated[1]")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2019-01", "modality": "MRI", "estimated": [] }""", "estimated")]
    [InlineData("""{ "type": "imaging-performed", "occurredOn": "2019-01", "modality": "MRI", "sites": ["a"], "estimated": ["sites[1]"] }""", "estimated[0]")]
    [InlineData("""{ "type": "systemic-therapy-started", "occurredOn": "2019-01", "regimen": "x", "therapyClass": "supportive", "lineIntent": "new-line" }""", "lineIntent")]
    [InlineData("""{ "type": "systemic-therapy-started", "occurredOn": "2019-01", "regimen": "x", "therapyClass": "targeted", "lineIntent": "switch" }""", "lineIntent")]
    [InlineData("""{ "type": "systemic-therapy-started", "occurredOn": "2019-01", "regimen": "x", "therapyClass": "chemotherapy", "bsaM2": 5 }""", "bsaM2")]
    [InlineData("""{ "type": "systemic-therapy-stopped", "occurredOn": "2019-01", "reason": "completed", "cyclesGiven": -1 }""", "cyclesGiven")]
    public async Task New_fields_are_validated_and_a_bad_one_is_named(string body, string field)
    {
        var caseId = await Api.OpenCase(occurredOn: "2018-01");
        var before = await Api.Snapshot(caseId);

        var response = await Api.Post($"/cases/{caseId}/entries", body);

        response.AssertProblem(400);
        Assert.True(response.Json["errors"]!.AsObject().ContainsKey(field), response.Body!.ToJsonString());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task Estimated_fields_are_kept_and_every_read_answer_says_which_it_used()
    {
        var caseId = await Api.OpenCase(occurredOn: "2018-01");
        var guessed = Guid.NewGuid();
        await Record(caseId,
            Start("2018-02-01", "imatinib").With("estimated", new JsonArray("agents[0].dose")),
            Bodies.Progression("2018-09", guessed).With("estimated", new JsonArray("occurredOn")));

        foreach (var route in new[] { "", "/lines", "/progression-free-intervals", "/cumulative-dose", "/outcomes", "/timeline", "/entries" })
        {
            var answer = await Api.Get($"/cases/{caseId}{route}");
            Assert.True(answer.Json["estimatesUsed"] is JsonArray, $"{route} has no estimatesUsed");
        }
        var row = (await Api.GetCurrent("/cases")).Json["cases"]![0]!;
        Assert.Equal(caseId, row["caseId"]!.GetValue<Guid>());
        Assert.Contains(row["estimatesUsed"]!.AsArray(), e => e!["entryId"]!.GetValue<Guid>() == guessed);
        var intervals = (await Api.Get($"/cases/{caseId}/progression-free-intervals")).Json["estimatesUsed"]!.AsArray();
        var used = Assert.Single(intervals)!;
        Assert.Equal(guessed, used["entryId"]!.GetValue<Guid>());
        Assert.Equal(["occurredOn"], used["fields"]!.AsArray().Select(f => f!.GetValue<string>()));
        var log = (await Api.Get($"/cases/{caseId}/entries")).Json["entries"]!.AsArray();
        Assert.Contains(log, e => e!["estimated"] is JsonArray a && a.Select(f => f!.GetValue<string>()).SequenceEqual(["agents[0].dose"]));
    }
}
