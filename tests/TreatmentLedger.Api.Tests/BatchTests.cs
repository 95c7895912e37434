using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary><c>POST /cases/{caseId}/entries/batch</c>: all or nothing, judged in order.</summary>
public sealed class BatchTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static readonly Guid[] Ids = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

    /// <summary>Five valid entries that need each other in this order: a line, its cycles, its stop.</summary>
    private static JsonObject[] FiveEntries() =>
    [
        Bodies.Biopsy("2015-03-12", Ids[0]),
        Bodies.Start("2015-04", Ids[1], "doxorubicin"),
        Bodies.Cycle("2015-04-02", Ids[2], cycle: 1),
        Bodies.Cycle("2015-04-23", Ids[3], cycle: 2),
        Bodies.Stop("2015-06", Ids[4], reason: "completed"),
    ];

    private async Task<LedgerApi.Response> Refused(Guid caseId, JsonNode body, int status, params (string Name, string Value)[] headers)
    {
        var before = await Api.Snapshot(caseId);
        var response = await Api.PostBatch(caseId, body, headers);
        response.AssertProblem(status);
        await Api.AssertUnchanged(caseId, before);
        return response;
    }

    [Fact]
    public async Task A_valid_batch_stores_every_entry_in_order_and_answers_the_new_version()
    {
        var caseId = await Api.OpenCase();
        var before = await Api.Snapshot(caseId);

        var response = await Api.PostBatch(caseId, Bodies.Batch(FiveEntries()));

        Assert.Equal(201, response.Status);
        Assert.Equal(before.Version + 5, response.Json["version"]!.GetValue<long>());
        var answered = response.Json["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.Equal(Ids, answered.Select(e => e["entryId"]!.GetValue<Guid>()));
        var sequences = answered.Select(e => e["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());

        var log = await Api.Log(caseId);
        Assert.Equal(before.EntryCount + 5, log.Count);
        Assert.Equal(Ids, log.Skip(1).Select(e => e["entryId"]!.GetValue<Guid>()));
        Assert.Equal(sequences, log.Skip(1).Select(e => e["sequence"]!.GetValue<long>()));
        Assert.Equal(Enumerable.Range(1, 6).Select(v => (long)v), log.Select(e => e["version"]!.GetValue<long>()));
        Assert.Equal(before.Version + 5, await Api.Version(caseId));
    }

    [Fact]
    public async Task Entries_of_a_batch_without_entryId_get_server_ids_in_the_answer()
    {
        var caseId = await Api.OpenCase();

        var response = await Api.PostBatch(caseId, Bodies.Batch(Bodies.Imaging("2015-04"), Bodies.Imaging("2015-05")));

        Assert.Equal(201, response.Status);
        var ids = response.Json["entries"]!.AsArray().Select(e => e!["entryId"]!.GetValue<Guid>()).ToList();
        Assert.DoesNotContain(Guid.Empty, ids);
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal(ids, (await Api.Log(caseId)).Skip(1).Select(e => e["entryId"]!.GetValue<Guid>()));
    }

    [Fact]
    public async Task One_malformed_entry_at_index_3_stores_nothing_and_is_named()
    {
        var caseId = await Api.OpenCase();
        var entries = FiveEntries();
        entries[3] = entries[3].With("doses", new JsonArray(new JsonObject { ["drug"] = "doxorubicin", ["amount"] = -75, ["unit"] = "mg/m2" }));

        var response = await Refused(caseId, Bodies.Batch(entries), 400);

        response.AssertInvalid("entries[3].doses[0].amount");
        Assert.All(response.Json["errors"]!.AsObject(), e => Assert.StartsWith("entries[3].", e.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_field_or_impossible_date_in_a_batch_is_named_by_index()
    {
        var caseId = await Api.OpenCase();
        var entries = FiveEntries();
        entries[0] = entries[0].With("site", null);
        entries[3] = entries[3].With("occurredOn", "2015-02-30");

        var response = await Refused(caseId, Bodies.Batch(entries), 400);

        response.AssertInvalid("entries[0].site");
        response.AssertInvalid("entries[3].occurredOn");
    }

    [Fact]
    public async Task One_entry_breaking_a_rule_at_index_3_stores_nothing_and_is_named()
    {
        var caseId = await Api.OpenCase();
        var entries = FiveEntries();
        // A cycle dated before the line started.
        entries[3] = Bodies.Cycle("2015-03-20", Ids[3], cycle: 2);

        var response = await Refused(caseId, Bodies.Batch(entries), 422);

        Assert.Contains("entries[3]", response.Body!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("entries[2]", response.Body!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_is_judged_by_the_line_rule_on_the_case_it_leaves()
    {
        var caseId = await Api.OpenCase();

        var lateStart = await Api.PostBatch(caseId, Bodies.Batch(Bodies.Cycle("2015-05"), Bodies.Start("2015-04")));
        Assert.Equal(201, lateStart.Status);

        var other = await Api.OpenCase();
        var stopBeforeCycle = await Refused(other, Bodies.Batch(Bodies.Start("2015-04"), Bodies.Cycle("2015-06"), Bodies.Stop("2015-05")), 422);
        Assert.Contains("entries[1]", stopBeforeCycle.Body!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_may_record_an_entry_and_retract_it()
    {
        var caseId = await Api.OpenCase();
        var id = Guid.NewGuid();

        var response = await Api.PostBatch(caseId, Bodies.Batch(Bodies.Imaging("2015-04", id), Bodies.Retract(id)));

        Assert.Equal(201, response.Status);
        Assert.Equal("retracted", (await Api.Log(caseId))[1]["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_correction_listed_twice_in_one_batch_is_stored_once_and_both_answers_give_its_sequence()
    {
        var caseId = await Api.OpenCase();
        var id = Guid.NewGuid();
        var correction = Bodies.Correct(id, Bodies.Imaging("2015-05", id));

        var response = await Api.PostBatch(caseId, Bodies.Batch(Bodies.Imaging("2015-04", id), correction, correction.DeepClone().AsObject()));

        Assert.Equal(201, response.Status);
        var answered = response.Json["entries"]!.AsArray();
        var log = await Api.Log(caseId);
        Assert.Equal(3, log.Count);
        Assert.Equal(log[2]["sequence"]!.GetValue<long>(), answered[1]!["sequence"]!.GetValue<long>());
        Assert.Equal(answered[1]!.ToJsonString(), answered[2]!.ToJsonString());
        Assert.Equal(3, response.Json["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_batch_entry_after_a_death_in_the_same_batch_is_refused()
    {
        var caseId = await Api.OpenCase();

        var response = await Refused(caseId, Bodies.Batch(Bodies.Imaging("2019-01"), Bodies.Died("2019-03"), Bodies.Imaging("2019-05")), 422);

        Assert.Contains("entries[2]", response.Body!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_entries_of_a_batch_may_not_share_an_entryId()
    {
        var caseId = await Api.OpenCase();
        var id = Guid.NewGuid();

        var response = await Refused(caseId, Bodies.Batch(Bodies.Imaging("2015-04", id), Bodies.Imaging("2015-04", id)), 400);

        response.AssertInvalid("entries[1].entryId");
    }

    [Fact]
    public async Task A_batch_reusing_a_recorded_entryId_with_other_content_is_409()
    {
        var caseId = await Api.OpenCase();
        var id = Guid.NewGuid();
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-04", id, findings: "first read"))).Status);

        await Refused(caseId, Bodies.Batch(Bodies.Imaging("2015-05"), Bodies.Imaging("2015-04", id, findings: "second read")), 409);
    }

    [Fact]
    public async Task The_same_batch_posted_again_answers_the_same_and_stores_nothing()
    {
        var caseId = await Api.OpenCase();
        var first = await Api.PostBatch(caseId, Bodies.Batch(FiveEntries()));
        Assert.Equal(201, first.Status);
        var before = await Api.Snapshot(caseId);

        var again = await Api.PostBatch(caseId, Bodies.Batch(FiveEntries()));

        Assert.Equal(201, again.Status);
        Assert.Equal(first.Json.ToJsonString(), again.Json.ToJsonString());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task A_repeated_batch_answers_like_the_first_time_after_the_case_moved_on()
    {
        var caseId = await Api.OpenCase();
        var first = await Api.PostBatch(caseId, Bodies.Batch(FiveEntries()));
        Assert.Equal(201, first.Status);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-07"))).Status);
        var before = await Api.Snapshot(caseId);

        // A client retrying a batch whose answer it lost gets that answer.
        var again = await Api.PostBatch(caseId, Bodies.Batch(FiveEntries()));

        Assert.Equal(201, again.Status);
        Assert.Equal(first.Json.ToJsonString(), again.Json.ToJsonString());
        await Api.AssertUnchanged(caseId, before);
    }

    [Fact]
    public async Task A_batch_mixing_repeats_and_new_entries_stores_only_the_new_ones()
    {
        var caseId = await Api.OpenCase();
        var first = await Api.PostBatch(caseId, Bodies.Batch(FiveEntries()[..2]));
        Assert.Equal(201, first.Status);

        var response = await Api.PostBatch(caseId, Bodies.Batch(FiveEntries()));

        Assert.Equal(201, response.Status);
        var answered = response.Json["entries"]!.AsArray();
        Assert.Equal(first.Json["entries"]![0]!.ToJsonString(), answered[0]!.ToJsonString());
        Assert.Equal(first.Json["entries"]![1]!.ToJsonString(), answered[1]!.ToJsonString());
        Assert.Equal(1 + 5, response.Json["version"]!.GetValue<long>());
        Assert.Equal(6, (await Api.Log(caseId)).Count);
    }

    [Fact]
    public async Task If_Match_guards_a_batch()
    {
        var caseId = await Api.OpenCase();
        var seen = await Api.Version(caseId);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-04"))).Status);

        await Refused(caseId, Bodies.Batch(FiveEntries()), 409, ("If-Match", $"\"{seen}\""));

        var current = await Api.Version(caseId);
        var response = await Api.PostBatch(caseId, Bodies.Batch(FiveEntries()), ("If-Match", $"\"{current}\""));
        Assert.Equal(201, response.Status);
        Assert.Equal(current + 5, response.Json["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_malformed_If_Match_on_a_batch_is_400()
    {
        var caseId = await Api.OpenCase();

        var response = await Refused(caseId, Bodies.Batch(FiveEntries()), 400, ("If-Match", "latest"));

        response.AssertInvalid("If-Match");
    }

    [Theory]
    [InlineData("""{ "entries": [] }""", "entries")]
    [InlineData("""{ }""", "entries")]
    [InlineData("""{ "entries": { "type": "patient-died" } }""", "entries")]
    [InlineData("""{ "entries": [ { "type": "patient-died", "occurredOn": "2019-03" } ], "atomic": true }""", "atomic")]
    [InlineData("""{ "entries": [ "patient-died" ] }""", "entries[0]")]
    public async Task A_malformed_batch_body_is_400(string body, string field)
    {
        var caseId = await Api.OpenCase();

        var response = await Refused(caseId, JsonNode.Parse(body)!, 400);

        response.AssertInvalid(field);
    }

    [Fact]
    public async Task A_batch_for_an_unknown_case_is_404()
    {
        var response = await Api.PostBatch(Guid.NewGuid(), Bodies.Batch(FiveEntries()));

        response.AssertProblem(404);
    }
}
