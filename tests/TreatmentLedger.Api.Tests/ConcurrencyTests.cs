using System.Text.Json.Nodes;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// Many writers on one case: without If-Match every append lands once (the case's stream is locked for each write);
/// with the same If-Match only one does; a repeat on a long case answers like the first time.
/// </summary>
public sealed class ConcurrencyTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private const int Writers = 32;
    private const int EntriesPerWriter = 100;

    [Fact]
    public async Task Concurrent_writers_without_If_Match_all_land_once_with_gapless_versions()
    {
        var caseId = await Api.OpenCase();
        var ids = Enumerable.Range(0, Writers)
            .Select(_ => Enumerable.Range(0, EntriesPerWriter).Select(_ => Guid.NewGuid()).ToArray())
            .ToArray();

        var answers = await Task.WhenAll(ids.Select(async writerIds =>
        {
            var statuses = new List<(int Status, long Version)>();
            for (var i = 0; i < writerIds.Length; i++)
            {
                var response = await Api.PostEntry(caseId, Bodies.Imaging("2015-04", writerIds[i], findings: $"entry {i}"));
                statuses.Add((response.Status, response.Status == 201 ? response.Json["version"]!.GetValue<long>() : -1));
            }
            return statuses;
        }));

        var all = answers.SelectMany(a => a).ToList();
        Assert.All(all, a => Assert.Equal(201, a.Status));
        // Every append answered a version of its own: 2..201.
        Assert.Equal(Enumerable.Range(2, Writers * EntriesPerWriter).Select(v => (long)v), all.Select(a => a.Version).Order());

        var log = await Api.Log(caseId);
        Assert.Equal(1 + Writers * EntriesPerWriter, log.Count);
        Assert.Equal(Enumerable.Range(1, 1 + Writers * EntriesPerWriter).Select(v => (long)v), log.Select(e => e["version"]!.GetValue<long>()));
        Assert.Equal(1 + Writers * EntriesPerWriter, await Api.Version(caseId));
        var logged = log.Skip(1).Select(e => e["entryId"]!.GetValue<Guid>()).ToList();
        Assert.Equal(logged.Count, logged.Distinct().Count());
        Assert.Equal(ids.SelectMany(w => w).Order(), logged.Order());
        var sequences = log.Select(e => e["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());

        // Each writer's own entries landed in the order it sent them.
        foreach (var writerIds in ids)
        {
            var positions = writerIds.Select(id => logged.IndexOf(id)).ToList();
            Assert.Equal(positions.Order(), positions);
        }
    }

    [Fact]
    public async Task Concurrent_writers_sending_the_same_If_Match_get_one_201_and_the_rest_409()
    {
        const int contenders = 10;
        var caseId = await Api.OpenCase();
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-04"))).Status);
        var before = await Api.Snapshot(caseId);
        var ids = Enumerable.Range(0, contenders).Select(_ => Guid.NewGuid()).ToArray();

        var responses = await Task.WhenAll(ids.Select(id =>
            Api.PostEntry(caseId, Bodies.Imaging("2015-05", id), ("If-Match", $"\"{before.Version}\""))));

        var winners = responses.Where(r => r.Status == 201).ToList();
        var winner = Assert.Single(winners);
        Assert.Equal(before.Version + 1, winner.Json["version"]!.GetValue<long>());
        Assert.All(responses.Except(winners), r => r.AssertProblem(409));
        Assert.Equal(new CaseSnapshot(before.Version + 1, before.EntryCount + 1), await Api.Snapshot(caseId));
        var landed = (await Api.Log(caseId))[^1]["entryId"]!.GetValue<Guid>();
        Assert.Equal(winner.Json["entryId"]!.GetValue<Guid>(), landed);
        Assert.Contains(landed, ids);
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_entry_store_it_once_and_answer_alike()
    {
        var caseId = await Api.OpenCase();
        var entry = Bodies.Imaging("2015-04", Guid.NewGuid());

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Api.PostEntry(caseId, entry)));

        Assert.All(responses, r => Assert.Equal(201, r.Status));
        Assert.Single(responses.Select(r => r.Json.ToJsonString()).Distinct());
        Assert.Equal(new CaseSnapshot(2, 2), await Api.Snapshot(caseId));
    }

    [Fact]
    public async Task On_a_5000_entry_case_a_repeated_entryId_answers_like_the_first_time_and_other_content_is_409()
    {
        const int entries = 5_000;
        var ids = Enumerable.Range(0, entries - 1).Select(_ => Guid.NewGuid()).ToArray();
        static string Day(int i) => new DateOnly(2010, 2, 1).AddDays(i).ToString("yyyy-MM-dd");
        var file = new JsonObject
        {
            ["case"] = new JsonObject { ["occurredOn"] = "2010-01", ["patientRef"] = "TEST-LONG", ["sex"] = "female" },
            ["entries"] = new JsonArray(ids.Select((id, i) => (JsonNode)Bodies.Imaging(Day(i), id, $"visit {i}")).ToArray()),
        };
        var imported = await Api.Post("/cases/import", file);
        Assert.Equal(201, imported.Status);
        var caseId = imported.Json["caseId"]!.GetValue<Guid>();
        var first = imported.Json["entries"]!.AsArray()[1]!;
        Assert.Equal(entries, await Api.Version(caseId));

        var again = await Api.PostEntry(caseId, Bodies.Imaging(Day(0), ids[0], "visit 0"));
        Assert.Equal(201, again.Status);
        Assert.Equal(first["entryId"]!.GetValue<Guid>(), again.Json["entryId"]!.GetValue<Guid>());
        Assert.Equal(first["sequence"]!.GetValue<long>(), again.Json["sequence"]!.GetValue<long>());
        Assert.Equal(2, again.Json["version"]!.GetValue<long>());

        var other = await Api.PostEntry(caseId, Bodies.Imaging(Day(0), ids[0], "another finding"));
        other.AssertProblem(409);
        var late = await Api.PostEntry(caseId, Bodies.Imaging(Day(entries - 2), ids[^1], $"visit {entries - 2}"));
        Assert.Equal(201, late.Status);
        Assert.Equal(entries, late.Json["version"]!.GetValue<long>());
        Assert.Equal(new CaseSnapshot(entries, entries), await Api.Snapshot(caseId));
    }

    [Fact]
    public async Task Concurrent_writers_on_different_cases_each_keep_their_own_recorder_correlation_and_answer()
    {
        const int cases = 24;
        var caseIds = new List<Guid>();
        for (var c = 0; c < cases; c++) caseIds.Add(await Api.OpenCase($"TEST-{c:0000}"));

        // Requests on different cases may share a transaction (the writer queue); each keeps what is its own, and a
        // refused one (a stop with no line active) stores nothing and refuses nothing else.
        var responses = await Task.WhenAll(caseIds.Select((caseId, c) => Api.PostEntry(caseId,
            c == 5 ? Bodies.Stop("2015-04") : Bodies.Imaging("2015-04", findings: $"case {c}"),
            ClinicianNamed($"dr-{c}"), ("X-Correlation-Id", $"corr-{c}"))));

        for (var c = 0; c < cases; c++)
        {
            var log = await Api.Log(caseIds[c]);
            if (c == 5)
            {
                responses[c].AssertProblem(422);
                Assert.Single(log);
                continue;
            }
            Assert.Equal(201, responses[c].Status);
            Assert.Equal(2, responses[c].Json["version"]!.GetValue<long>());
            var entry = log[^1];
            Assert.Equal($"case {c}", entry["findings"]!.GetValue<string>());
            Assert.Equal($"dr-{c}", entry["recordedBy"]!.GetValue<string>());
            Assert.Equal($"corr-{c}", entry["correlationId"]!.GetValue<string>());
            Assert.Equal(responses[c].Json["sequence"]!.GetValue<long>(), entry["sequence"]!.GetValue<long>());
            Assert.Equal($"\"2\"", responses[c].Header("ETag"));
        }
    }
}
