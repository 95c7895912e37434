using System.Globalization;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// <c>POST /cases/{caseId}/entries</c>: every rule of DOMAIN.md as a client meets it. Every refused request also shows,
/// through the audit log, that nothing was stored.
/// </summary>
public sealed class EntryRulesTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Posts and checks the answer is a refusal that left the case as it was.</summary>
    private async Task<LedgerApi.Response> Refused(Guid caseId, JsonNode body, int status, params (string Name, string Value)[] headers)
    {
        var before = await Api.Snapshot(caseId);
        var response = await Api.PostEntry(caseId, body, headers);
        response.AssertProblem(status);
        await Api.AssertUnchanged(caseId, before);
        return response;
    }

    private async Task<LedgerApi.Response> Accepted(Guid caseId, JsonNode body, params (string Name, string Value)[] headers)
    {
        var before = await Api.Snapshot(caseId);
        var response = await Api.PostEntry(caseId, body, headers);
        Assert.True(201 == response.Status, $"expected 201, got {response.Status}: {response.Body?.ToJsonString()}");
        Assert.Equal(before.Version + 1, response.Json["version"]!.GetValue<long>());
        Assert.Equal(new CaseSnapshot(before.Version + 1, before.EntryCount + 1), await Api.Snapshot(caseId));
        return response;
    }

    // 400: malformed entries

    public static TheoryData<string, string> Malformed => new()
    {
        { """{ "occurredOn": "2015-04", "modality": "MRI" }""", "type" },
        { """{ "type": "chemo-given", "occurredOn": "2015-04" }""", "type" },
        { """{ "type": "imaging-performed", "modality": "MRI" }""", "occurredOn" },
        { """{ "type": "imaging-performed", "occurredOn": "2021-02-30", "modality": "MRI" }""", "occurredOn" },
        { """{ "type": "imaging-performed", "occurredOn": "2021-13", "modality": "MRI" }""", "occurredOn" },
        { """{ "type": "imaging-performed", "occurredOn": "2021-2-3", "modality": "MRI" }""", "occurredOn" },
        { """{ "type": "imaging-performed", "occurredOn": "2015-04", "modality": "MRI", "endedOn": "2015-03" }""", "endedOn" },
        { """{ "type": "imaging-performed", "occurredOn": "2015-04" }""", "modality" },
        { """{ "type": "imaging-performed", "occurredOn": "2015-04", "modality": "fMRI" }""", "modality" },
        { """{ "type": "imaging-performed", "occurredOn": "2015-04", "modality": "MRI", "contrast": "gadolinium" }""", "contrast" },
        { """{ "type": "imaging-performed", "occurredOn": "2015-04", "modality": "MRI", "largestLesionMm": "80" }""", "largestLesionMm" },
        { """{ "type": "radiotherapy-delivered", "occurredOn": "2015-04", "site": "axilla", "technique": "IMRT", "totalDoseGy": 0, "fractions": 25 }""", "totalDoseGy" },
        { """{ "type": "radiotherapy-delivered", "occurredOn": "2015-04", "site": "axilla", "technique": "IMRT", "totalDoseGy": 54, "fractions": 0 }""", "fractions" },
        { """{ "type": "adverse-event-observed", "occurredOn": "2015-04", "term": "neutropenia", "grade": 6 }""", "grade" },
        { """{ "type": "cycle-administered", "occurredOn": "2015-04", "cycle": 1, "doses": [ { "drug": "doxorubicin", "amount": 0, "unit": "mg/m2" } ] }""", "doses[0].amount" },
        { """{ "type": "cycle-administered", "occurredOn": "2015-04", "cycle": 1, "doses": [ { "drug": "doxorubicin", "amount": 75, "unit": "mg/m2", "route": "iv" } ] }""", "doses[0].route" },
        { """{ "type": "patient-died", "occurredOn": "2015-04", "entryId": "not-a-uuid" }""", "entryId" },
        { """{ "type": "entry-retracted", "reason": "wrong case" }""", "entryId" },
        { """{ "type": "entry-corrected", "entryId": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "reason": "re-read", "replacement": { "type": "entry-retracted", "reason": "nested" } }""", "replacement.type" },
        { """{ "type": "entry-corrected", "entryId": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "reason": "re-read", "replacement": { "type": "imaging-performed", "occurredOn": "2015-04" } }""", "replacement.modality" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_entry_is_refused_with_the_field_named(string body, string field)
    {
        var caseId = await Api.OpenCase();

        var response = await Refused(caseId, JsonNode.Parse(body)!, 400);

        response.AssertInvalid(field);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[ { \"type\": \"patient-died\" } ]")]
    [InlineData("null")]
    public async Task A_body_that_is_not_an_entry_object_is_refused(string body)
    {
        var caseId = await Api.OpenCase();
        var before = await Api.Snapshot(caseId);

        var response = await Api.Post($"/cases/{caseId}/entries", body);

        response.AssertProblem(400);
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task A_date_after_today_on_the_server_clock_is_refused()
    {
        var caseId = await Api.OpenCase();
        var tomorrow = Day(Fixture.Clock.Today.AddDays(1));

        var response = await Refused(caseId, Bodies.Imaging(tomorrow), 400);

        response.AssertInvalid("occurredOn");
        await Accepted(caseId, Bodies.Imaging(Day(Fixture.Clock.Today)));
    }

    [Fact]
    public async Task Today_is_the_server_clock_so_moving_it_back_makes_a_recent_date_future()
    {
        var caseId = await Api.OpenCase();
        var tenDaysAgo = Day(Fixture.Clock.Today.AddDays(-10));
        Fixture.Clock.Offset = TimeSpan.FromDays(-30);

        var refused = await Refused(caseId, Bodies.Imaging(tenDaysAgo), 400);
        refused.AssertInvalid("occurredOn");

        Fixture.Clock.Offset = TimeSpan.Zero;
        await Accepted(caseId, Bodies.Imaging(tenDaysAgo));
    }

    [Fact]
    public async Task A_future_endedOn_is_refused()
    {
        var caseId = await Api.OpenCase();
        var nextYear = (Fixture.Clock.Today.Year + 1).ToString(CultureInfo.InvariantCulture);

        var response = await Refused(caseId, Bodies.Imaging("2015-04").With("endedOn", nextYear), 400);

        response.AssertInvalid("endedOn");
    }

    [Fact]
    public async Task Every_problem_of_an_entry_is_named_at_once()
    {
        var caseId = await Api.OpenCase();

        var response = await Refused(caseId,
            JsonNode.Parse("""{ "type": "radiotherapy-delivered", "occurredOn": "2021-02-30", "technique": "protons", "totalDoseGy": 54, "fractions": 25 }""")!, 400);

        response.AssertInvalid("occurredOn");
        response.AssertInvalid("site");
        response.AssertInvalid("technique");
    }

    // 404

    [Fact]
    public async Task An_unknown_case_is_404_and_stays_unknown()
    {
        var unknown = Guid.NewGuid();

        var response = await Api.PostEntry(unknown, Bodies.Imaging("2015-04"));

        response.AssertProblem(404);
        (await Api.Get($"/cases/{unknown}/entries")).AssertProblem(404);
    }

    [Fact]
    public async Task A_case_id_that_is_not_a_uuid_is_not_found()
    {
        var response = await Api.Post("/cases/not-a-case/entries", Bodies.Imaging("2015-04"));

        Assert.Equal(404, response.Status);
    }

    // 422: clinical rules

    [Theory]
    [InlineData("cycle-administered")]
    [InlineData("dose-adjusted")]
    [InlineData("systemic-therapy-stopped")]
    public async Task An_entry_that_needs_an_active_line_is_refused_without_one(string type)
    {
        var caseId = await Api.OpenCase();

        await Refused(caseId, NeedingALine(type, "2015-06"), 422);
    }

    [Theory]
    [InlineData("cycle-administered")]
    [InlineData("dose-adjusted")]
    [InlineData("systemic-therapy-stopped")]
    public async Task An_entry_that_needs_an_active_line_is_accepted_while_one_is_active(string type)
    {
        var caseId = await Api.OpenCase();
        await Accepted(caseId, Bodies.Start("2015-05"));

        await Accepted(caseId, NeedingALine(type, "2015-06"));
    }

    [Theory]
    [InlineData("cycle-administered")]
    [InlineData("dose-adjusted")]
    [InlineData("systemic-therapy-stopped")]
    public async Task An_entry_dated_after_the_line_stopped_is_refused_but_one_dated_inside_it_is_accepted_late(string type)
    {
        var caseId = await Api.OpenCase();
        await Accepted(caseId, Bodies.Start("2015-05"));
        await Accepted(caseId, Bodies.Stop("2016-05"));

        await Refused(caseId, NeedingALine(type, "2016-07"), 422);
        await Refused(caseId, NeedingALine(type, "2015-04"), 422);
        // A second stop inside the line would leave the line's stop of 2016-05 outside it.
        if (type == "systemic-therapy-stopped") await Refused(caseId, NeedingALine(type, "2015-09"), 422);
        else await Accepted(caseId, NeedingALine(type, "2015-09"));
    }

    private static JsonObject NeedingALine(string type, string on) => type switch
    {
        "cycle-administered" => Bodies.Cycle(on),
        "dose-adjusted" => Bodies.DoseAdjusted(on),
        _ => Bodies.Stop(on),
    };

    [Fact]
    public async Task An_entry_dated_after_the_death_is_refused_and_a_late_one_before_it_accepted()
    {
        var caseId = await Api.OpenCase();
        await Accepted(caseId, Bodies.Died("2020-03"));

        await Refused(caseId, Bodies.Imaging("2020-04"), 422);
        await Refused(caseId, Bodies.Imaging("2020-04-01"), 422);
        await Accepted(caseId, Bodies.Imaging("2020-03-31"));
        await Accepted(caseId, Bodies.Imaging("2019-11"));
    }

    [Fact]
    public async Task A_second_death_is_refused()
    {
        var caseId = await Api.OpenCase();
        await Accepted(caseId, Bodies.Died("2020-03"));

        await Refused(caseId, Bodies.Died("2020-03"), 422);
        await Refused(caseId, Bodies.Died("2019-01"), 422);
    }

    [Fact]
    public async Task A_correction_after_the_death_is_accepted()
    {
        var caseId = await Api.OpenCase();
        var imaging = Guid.NewGuid();
        await Accepted(caseId, Bodies.Imaging("2019-05", imaging));
        await Accepted(caseId, Bodies.Died("2020-03"));

        await Accepted(caseId, Bodies.Correct(imaging, Bodies.Imaging("2019-06", findings: "re-read")));
    }

    [Fact]
    public async Task A_case_opened_posted_as_an_entry_is_refused()
    {
        var caseId = await Api.OpenCase();

        await Refused(caseId, JsonNode.Parse("""{ "type": "case-opened", "occurredOn": "2015-03", "patientRef": "OTHER", "sex": "male" }""")!, 422);
    }

    [Fact]
    public async Task A_correction_or_retraction_of_an_unknown_entry_is_refused()
    {
        var caseId = await Api.OpenCase();
        var unknown = Guid.NewGuid();

        await Refused(caseId, Bodies.Retract(unknown), 422);
        await Refused(caseId, Bodies.Correct(unknown, Bodies.Imaging("2015-04")), 422);
    }

    [Fact]
    public async Task A_correction_or_retraction_of_an_entry_of_another_case_is_refused()
    {
        var other = await Api.OpenCase("TEST-OTHER");
        var entryOfOther = Guid.NewGuid();
        await Accepted(other, Bodies.Imaging("2015-04", entryOfOther));
        var caseId = await Api.OpenCase();

        await Refused(caseId, Bodies.Retract(entryOfOther), 422);
        await Refused(caseId, Bodies.Correct(entryOfOther, Bodies.Imaging("2015-05")), 422);
        Assert.Equal("active", (await Api.Log(other))[1]["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_correction_or_another_retraction_of_a_retracted_entry_is_refused()
    {
        var caseId = await Api.OpenCase();
        var imaging = Guid.NewGuid();
        await Accepted(caseId, Bodies.Imaging("2015-04", imaging));
        await Accepted(caseId, Bodies.Retract(imaging, "wrong case"));

        await Refused(caseId, Bodies.Retract(imaging, "another reason"), 422);
        await Refused(caseId, Bodies.Correct(imaging, Bodies.Imaging("2015-05")), 422);
    }

    [Fact]
    public async Task The_opening_cannot_be_retracted()
    {
        var caseId = await Api.OpenCase();
        var opening = (await Api.Log(caseId))[0]["entryId"]!.GetValue<Guid>();

        await Refused(caseId, Bodies.Retract(opening), 422);
    }

    // Corrections and retractions as the audit log shows them

    [Fact]
    public async Task A_correction_names_its_target_and_the_audit_log_shows_who_corrected_it()
    {
        var caseId = await Api.OpenCase();
        var imaging = Guid.NewGuid();
        await Accepted(caseId, Bodies.Imaging("2015-04", imaging));

        var response = await Accepted(caseId, Bodies.Correct(imaging, Bodies.Imaging("2015-05", findings: "re-read")));

        Assert.Equal(imaging, response.Json["entryId"]!.GetValue<Guid>());
        var log = await Api.Log(caseId);
        var original = log.Single(e => e["type"]!.GetValue<string>() == "imaging-performed");
        var correction = log.Single(e => e["type"]!.GetValue<string>() == "entry-corrected");
        Assert.Equal("corrected", original["status"]!.GetValue<string>());
        Assert.Equal(correction["sequence"]!.GetValue<long>(), original["correctedBy"]!.GetValue<long>());
        Assert.Equal(response.Json["sequence"]!.GetValue<long>(), correction["sequence"]!.GetValue<long>());
        Assert.Equal(imaging, correction["entryId"]!.GetValue<Guid>());
        Assert.Equal("re-read", correction["replacement"]!["findings"]!.GetValue<string>());
        Assert.Equal("2015-05", correction["replacement"]!["occurredOn"]!.GetValue<string>());
        // The original stays as it was recorded.
        Assert.Equal("2015-04", original["occurredOn"]!.GetValue<string>());
        Assert.Equal("stable disease", original["findings"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_retraction_names_its_target_and_the_audit_log_shows_who_retracted_it()
    {
        var caseId = await Api.OpenCase();
        var imaging = Guid.NewGuid();
        await Accepted(caseId, Bodies.Imaging("2015-04", imaging));

        var response = await Accepted(caseId, Bodies.Retract(imaging));

        Assert.Equal(imaging, response.Json["entryId"]!.GetValue<Guid>());
        var log = await Api.Log(caseId);
        Assert.Equal("retracted", log[1]["status"]!.GetValue<string>());
        Assert.Equal(log[2]["sequence"]!.GetValue<long>(), log[1]["retractedBy"]!.GetValue<long>());
        Assert.Equal("entry-retracted", log[2]["type"]!.GetValue<string>());
        Assert.Equal(imaging, log[2]["entryId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_line_start_is_retracted_with_its_cycles_and_then_lets_no_cycle_in()
    {
        var caseId = await Api.OpenCase();
        var start = Guid.NewGuid();
        var cycle = Guid.NewGuid();
        await Accepted(caseId, Bodies.Start("2015-05", start));
        await Accepted(caseId, Bodies.Cycle("2015-06", cycle));
        // The writer holds no cycle in the case's compact state: it reads the whole case to judge this retraction.
        var refused = await Refused(caseId, Bodies.Retract(start, "line recorded on the wrong case"), 422);
        Assert.Contains($"cycle-administered of 2015-06 (entry {cycle}) outside any line", refused.Json["detail"]!.GetValue<string>());

        var both = await Api.PostBatch(caseId, Bodies.Batch(Bodies.Retract(start, "line recorded on the wrong case"), Bodies.Retract(cycle, "its line was")));
        Assert.True(both.Status == 201, both.Text);

        await Refused(caseId, Bodies.Cycle("2015-07", cycle: 2), 422);
    }

    [Fact]
    public async Task A_correction_into_an_entry_that_needs_a_line_needs_one()
    {
        var caseId = await Api.OpenCase();
        var visit = Guid.NewGuid();
        await Accepted(caseId, Bodies.FollowUp("2016-05", visit));

        var refused = await Refused(caseId, Bodies.Correct(visit, Bodies.Cycle("2016-05")), 422);
        Assert.Contains("no line of systemic therapy is active on 2016-05", refused.Json["detail"]!.GetValue<string>());
        await Refused(caseId, Bodies.Correct(visit, Bodies.Start("2016-05", regimen: "pemetrexed").With("lineIntent", "add-to-line")), 422);
        await Accepted(caseId, Bodies.Start("2016-01"));
        await Accepted(caseId, Bodies.Correct(visit, Bodies.Cycle("2016-05")));
    }

    [Fact]
    public async Task A_start_moved_past_its_cycles_is_refused()
    {
        var caseId = await Api.OpenCase();
        var start = Guid.NewGuid();
        await Accepted(caseId, Bodies.Start("2015-05", start));
        await Accepted(caseId, Bodies.Cycle("2015-06"));

        await Refused(caseId, Bodies.Correct(start, Bodies.Start("2015-08")), 422);
        await Accepted(caseId, Bodies.Correct(start, Bodies.Start("2015-04")));
    }

    [Fact]
    public async Task A_stop_or_a_death_recorded_late_is_refused_when_it_would_leave_later_entries_outside_the_line_or_after_the_death()
    {
        var caseId = await Api.OpenCase();
        await Accepted(caseId, Bodies.Start("2015-05"));
        await Accepted(caseId, Bodies.Cycle("2015-06"));
        var late = Guid.NewGuid();
        await Accepted(caseId, Bodies.Cycle("2015-09", late, cycle: 2));
        await Accepted(caseId, Bodies.Imaging("2016-02"));

        var stop = await Refused(caseId, Bodies.Stop("2015-07"), 422);
        Assert.Contains($"cycle-administered of 2015-09 (entry {late}) outside any line", stop.Json["detail"]!.GetValue<string>());
        var death = await Refused(caseId, Bodies.Died("2015-12"), 422);
        Assert.Contains("dated after the patient's death (2015-12)", death.Json["detail"]!.GetValue<string>());
        // Recorded in order, or late but before nothing, they are accepted.
        await Accepted(caseId, Bodies.Stop("2015-10"));
        await Accepted(caseId, Bodies.Died("2016-03"));
    }

    // Idempotency

    [Fact]
    public async Task The_same_entry_posted_again_answers_the_same_and_stores_nothing()
    {
        var caseId = await Api.OpenCase();
        var entry = Bodies.Biopsy("2015-03-12", Guid.NewGuid());
        var first = await Accepted(caseId, entry);
        await Accepted(caseId, Bodies.Imaging("2015-04"));
        var before = await Api.Snapshot(caseId);

        var again = await Api.PostEntry(caseId, entry);

        Assert.Equal(201, again.Status);
        Assert.Equal(first.Json["entryId"]!.GetValue<Guid>(), again.Json["entryId"]!.GetValue<Guid>());
        Assert.Equal(first.Json["sequence"]!.GetValue<long>(), again.Json["sequence"]!.GetValue<long>());
        Assert.Equal(first.Json["version"]!.GetValue<long>(), again.Json["version"]!.GetValue<long>());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task The_same_entry_with_its_fields_in_another_order_is_the_same_content()
    {
        var caseId = await Api.OpenCase();
        var id = Guid.NewGuid();
        var first = await Accepted(caseId, JsonNode.Parse($$"""{ "type": "progression-observed", "occurredOn": "2016-02", "entryId": "{{id}}", "scope": "local", "newLesions": false }""")!);
        var before = await Api.Snapshot(caseId);

        var again = await Api.PostEntry(caseId, JsonNode.Parse($$"""{ "newLesions": false, "scope": "local", "entryId": "{{id}}", "occurredOn": "2016-02", "type": "progression-observed" }""")!);

        Assert.Equal(201, again.Status);
        Assert.Equal(first.Json["sequence"]!.GetValue<long>(), again.Json["sequence"]!.GetValue<long>());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task The_same_number_written_as_54_or_54_0_is_the_same_content()
    {
        var caseId = await Api.OpenCase();
        var id = Guid.NewGuid();
        const string template = """{ "type": "radiotherapy-delivered", "occurredOn": "2015-06", "entryId": "ID", "site": "axilla", "technique": "IMRT", "totalDoseGy": DOSE, "fractions": 25 }""";
        var first = await Accepted(caseId, JsonNode.Parse(template.Replace("ID", id.ToString(), StringComparison.Ordinal).Replace("DOSE", "54", StringComparison.Ordinal))!);
        var before = await Api.Snapshot(caseId);

        // JSON numbers 54 and 54.0 are one value: a client re-serialising its entry must not meet a conflict.
        var again = await Api.Post($"/cases/{caseId}/entries", template.Replace("ID", id.ToString(), StringComparison.Ordinal).Replace("DOSE", "54.0", StringComparison.Ordinal));

        Assert.True(201 == again.Status, $"expected 201, got {again.Status}: {again.Body?.ToJsonString()}");
        Assert.Equal(first.Json.ToJsonString(), again.Json.ToJsonString());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task A_body_with_a_field_given_twice_is_400()
    {
        var caseId = await Api.OpenCase();
        var before = await Api.Snapshot(caseId);

        var response = await Api.Post($"/cases/{caseId}/entries",
            """{ "type": "imaging-performed", "occurredOn": "2015-04", "modality": "MRI", "modality": "CT" }""");

        response.AssertProblem(400);
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task A_repeat_answers_the_same_even_after_the_rules_would_refuse_it()
    {
        var caseId = await Api.OpenCase();
        await Accepted(caseId, Bodies.Start("2015-05"));
        var id = Guid.NewGuid();
        var cycle = Bodies.Cycle("2015-06", id);
        var first = await Accepted(caseId, cycle);
        // The line stopped on 2015-05-20, and the cycle was given before: a cycle dated 2015-06 is now refused.
        var stopped = await Api.PostBatch(caseId, Bodies.Batch(Bodies.Correct(id, Bodies.Cycle("2015-05-10")), Bodies.Stop("2015-05-20", reason: "toxicity")));
        Assert.True(stopped.Status == 201, stopped.Text);
        await Refused(caseId, Bodies.Cycle("2015-06", cycle: 2), 422);
        var before = await Api.Snapshot(caseId);

        var again = await Api.PostEntry(caseId, cycle);

        Assert.Equal(201, again.Status);
        Assert.Equal(first.Json["version"]!.GetValue<long>(), again.Json["version"]!.GetValue<long>());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task The_same_entryId_with_other_content_is_409()
    {
        var caseId = await Api.OpenCase();
        var id = Guid.NewGuid();
        await Accepted(caseId, Bodies.Imaging("2015-04", id, findings: "first read"));

        await Refused(caseId, Bodies.Imaging("2015-04", id, findings: "second read"), 409);
        await Refused(caseId, Bodies.Imaging("2015-05", id, findings: "first read"), 409);
        await Refused(caseId, Bodies.Progression("2015-04", id), 409);
        Assert.Equal("first read", (await Api.Log(caseId))[1]["findings"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_entryId_as_the_opening_with_other_content_is_409()
    {
        var caseId = await Api.OpenCase();
        var opening = (await Api.Log(caseId))[0]["entryId"]!.GetValue<Guid>();

        await Refused(caseId, Bodies.Imaging("2015-04", opening), 409);
    }

    [Fact]
    public async Task Idempotency_is_per_case_so_one_entryId_may_be_used_on_two_cases()
    {
        var first = await Api.OpenCase("TEST-0001");
        var second = await Api.OpenCase("TEST-0002");
        var id = Guid.NewGuid();

        await Accepted(first, Bodies.Imaging("2015-04", id));
        await Accepted(second, Bodies.Imaging("2015-04", id));
    }

    [Fact]
    public async Task Entries_without_entryId_are_each_stored_with_a_server_id()
    {
        var caseId = await Api.OpenCase();

        var first = await Accepted(caseId, Bodies.Imaging("2015-04"));
        var second = await Accepted(caseId, Bodies.Imaging("2015-04"));

        Assert.NotEqual(first.Json["entryId"]!.GetValue<Guid>(), second.Json["entryId"]!.GetValue<Guid>());
        Assert.NotEqual(Guid.Empty, first.Json["entryId"]!.GetValue<Guid>());
        Assert.Equal(first.Json["entryId"]!.GetValue<Guid>(), (await Api.Log(caseId))[1]["entryId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_repeated_identical_retraction_answers_like_the_first_time()
    {
        var caseId = await Api.OpenCase();
        var imaging = Guid.NewGuid();
        await Accepted(caseId, Bodies.Imaging("2015-04", imaging));
        var first = await Accepted(caseId, Bodies.Retract(imaging, "wrong case"));
        var before = await Api.Snapshot(caseId);

        var again = await Api.PostEntry(caseId, Bodies.Retract(imaging, "wrong case"));

        Assert.Equal(201, again.Status);
        Assert.Equal(first.Json.ToJsonString(), again.Json.ToJsonString());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task A_repeated_identical_correction_answers_like_the_first_time()
    {
        var caseId = await Api.OpenCase();
        var imaging = Guid.NewGuid();
        await Accepted(caseId, Bodies.Imaging("2015-04", imaging));
        var correction = Bodies.Correct(imaging, Bodies.Imaging("2015-05", findings: "re-read"));
        var first = await Accepted(caseId, correction);
        var before = await Api.Snapshot(caseId);

        var again = await Api.PostEntry(caseId, correction);

        Assert.Equal(201, again.Status);
        Assert.Equal(first.Json.ToJsonString(), again.Json.ToJsonString());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task A_correction_that_differs_from_the_latest_one_acts_anew()
    {
        var caseId = await Api.OpenCase();
        var imaging = Guid.NewGuid();
        await Accepted(caseId, Bodies.Imaging("2015-04", imaging));
        var firstCorrection = Bodies.Correct(imaging, Bodies.Imaging("2015-05", findings: "first re-read"));
        await Accepted(caseId, firstCorrection);
        await Accepted(caseId, Bodies.Correct(imaging, Bodies.Imaging("2015-06", findings: "second re-read")));

        // Sending the first one again makes it the latest again: a new entry.
        await Accepted(caseId, firstCorrection);
    }

    // If-Match

    [Fact]
    public async Task If_Match_with_the_current_version_is_accepted()
    {
        var caseId = await Api.OpenCase();
        var version = await Api.Version(caseId);

        var response = await Accepted(caseId, Bodies.Imaging("2015-04"), ("If-Match", $"\"{version}\""));

        Assert.Equal(version + 1, response.Json["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task If_Match_with_a_stale_version_is_409_and_stores_nothing()
    {
        var caseId = await Api.OpenCase();
        var seen = await Api.Version(caseId);
        await Accepted(caseId, Bodies.Imaging("2015-04"));

        await Refused(caseId, Bodies.Imaging("2015-05"), 409, ("If-Match", $"\"{seen}\""));
    }

    [Fact]
    public async Task If_Match_with_a_version_the_case_has_not_reached_is_409()
    {
        var caseId = await Api.OpenCase();

        await Refused(caseId, Bodies.Imaging("2015-05"), 409, ("If-Match", "\"7\""));
    }

    [Fact]
    public async Task A_stale_If_Match_on_a_repeat_still_answers_the_repeat()
    {
        var caseId = await Api.OpenCase();
        var seen = await Api.Version(caseId);
        var entry = Bodies.Imaging("2015-04", Guid.NewGuid());
        var first = await Accepted(caseId, entry, ("If-Match", $"\"{seen}\""));
        var before = await Api.Snapshot(caseId);

        // A client retrying after a lost answer still holds the version it had sent.
        var retry = await Api.PostEntry(caseId, entry, ("If-Match", $"\"{seen}\""));

        Assert.Equal(201, retry.Status);
        Assert.Equal(first.Json.ToJsonString(), retry.Json.ToJsonString());
        await Api.AssertUnchanged(caseId, before);
    }

    [Theory]
    [InlineData("five")]
    [InlineData("\"v5\"")]
    [InlineData("\"-1\"")]
    [InlineData("\"1.5\"")]
    public async Task A_malformed_If_Match_is_400_on_If_Match(string ifMatch)
    {
        var caseId = await Api.OpenCase();

        var response = await Refused(caseId, Bodies.Imaging("2015-04"), 400, ("If-Match", ifMatch));

        response.AssertInvalid("If-Match");
    }

    [Fact]
    public async Task Versions_count_up_by_one_per_stored_entry_and_the_log_is_in_sequence_order()
    {
        var caseId = await Api.OpenCase();
        var answers = new List<LedgerApi.Response>();
        foreach (var on in new[] { "2015-06", "2015-04", "2015-05" })
            answers.Add(await Accepted(caseId, Bodies.Imaging(on)));

        var log = await Api.Log(caseId);

        Assert.Equal(new long[] { 1, 2, 3, 4 }, log.Select(e => e["version"]!.GetValue<long>()));
        Assert.Equal(new[] { "2015-03", "2015-06", "2015-04", "2015-05" }, log.Select(e => e["occurredOn"]!.GetValue<string>()));
        var sequences = log.Select(e => e["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(answers.Select(a => a.Json["sequence"]!.GetValue<long>()), sequences.Skip(1));
    }
}
