using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// The API's writer decides plain clinical entries on the case states it last appended to or read under their locks
/// (<see cref="KnownStates"/>), reading nothing. Another writer on the same store (another API process; here a second <see cref="CaseWriter"/>, with
/// its own known states) makes those states stale: every append must still be judged on the whole case as the store
/// holds it, land once, with no gap.
/// </summary>
public sealed class KnownStatesTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task Appends_after_another_process_wrote_to_the_case_are_judged_on_what_it_wrote_and_leave_no_gap()
    {
        var caseId = await Api.OpenCase(occurredOn: "2015-03");
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-03-20"))).Status);
        await using var other = OtherProcess();

        // The API knows the case at version 2, without a line. The other process starts a line: a cycle is now allowed,
        // which the API's known state would refuse (422).
        Assert.Null(await other.AppendAsync(caseId, Bodies.Start("2015-04-01")));
        var cycle = await Api.PostEntry(caseId, Bodies.Cycle("2015-04-02"));
        Assert.Equal(201, cycle.Status);
        Assert.Equal(4, cycle.Json["version"]!.GetValue<long>());

        // The other process appends again: an If-Match naming the store's version lands, where the API knew one less (409).
        Assert.Null(await other.AppendAsync(caseId, Bodies.Imaging("2015-04-03")));
        var guarded = await Api.PostEntry(caseId, Bodies.Imaging("2015-04-04"), ("If-Match", "\"5\""));
        Assert.Equal(201, guarded.Status);
        Assert.Equal(6, guarded.Json["version"]!.GetValue<long>());

        // And once more: a plain append, accepted on the stale state too, lands after it rather than on its version.
        Assert.Null(await other.AppendAsync(caseId, Bodies.Imaging("2015-04-05")));
        var plain = await Api.PostEntry(caseId, Bodies.Imaging("2015-04-06"));
        Assert.Equal(201, plain.Status);
        Assert.Equal(8, plain.Json["version"]!.GetValue<long>());

        var log = await Api.Log(caseId);
        Assert.Equal(Enumerable.Range(1, 8).Select(v => (long)v), log.Select(e => e["version"]!.GetValue<long>()));
        Assert.Equal(8, await Api.Version(caseId));
        var summary = await Api.Get($"/cases/{caseId}");
        Assert.Equal(200, summary.Status);
        Assert.Equal(8, summary.Json["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_request_read_under_the_locks_is_judged_on_what_another_process_wrote_since()
    {
        var caseId = await Api.OpenCase(occurredOn: "2015-03");
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-03-20"))).Status);
        await using var other = OtherProcess();

        // The API knows the case at version 2, without a line; the other process starts one. A stop is decided under the
        // cases' locks, on the state the store holds at version 3: the state the API knows, a version behind, has no line
        // to stop and would refuse it (422).
        Assert.Null(await other.AppendAsync(caseId, Bodies.Start("2015-04-01")));
        var stop = await Api.PostEntry(caseId, Bodies.Stop("2015-05-01"));

        Assert.Equal(201, stop.Status);
        Assert.Equal(4, stop.Json["version"]!.GetValue<long>());
        var summary = await Api.Get($"/cases/{caseId}");
        Assert.Equal(4, summary.Json["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_entry_sent_again_on_a_known_case_answers_like_the_first_time()
    {
        var caseId = await Api.OpenCase();
        var id = Guid.NewGuid();
        var first = await Api.PostEntry(caseId, Bodies.Imaging("2015-04", id));
        Assert.Equal(201, first.Status);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-05"))).Status);

        var again = await Api.PostEntry(caseId, Bodies.Imaging("2015-04", id));

        Assert.Equal(first.Json["version"]!.GetValue<long>(), again.Json["version"]!.GetValue<long>());
        Assert.Equal(first.Json["sequence"]!.GetValue<long>(), again.Json["sequence"]!.GetValue<long>());
        Assert.Equal(3, await Api.Version(caseId));
        var changed = await Api.PostEntry(caseId, Bodies.Imaging("2015-04", id, findings: "progressive disease"));
        changed.AssertProblem(409);
        Assert.Equal(3, await Api.Version(caseId));
    }

    [Fact]
    public async Task A_case_the_writer_knew_at_a_version_the_store_no_longer_holds_is_judged_as_the_store_holds_it()
    {
        var gone = await Api.OpenCase();
        Assert.Equal(201, (await Api.PostEntry(gone, Bodies.Imaging("2015-04"))).Status);
        var caseId = await Api.OpenCase();
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-04"))).Status);
        Assert.Equal(201, (await Api.PostEntry(caseId, Bodies.Imaging("2015-05"))).Status);

        // The store emptied under the running API (as the tests' reset does): the writer knew the cases at versions 2 and 3.
        await Fixture.ResetAsync();
        (await Api.PostEntry(gone, Bodies.Imaging("2015-06"))).AssertProblem(404);

        // Another process opens a case of that id: an append lands at version 2, not after the version the writer knew.
        await using var other = OtherProcess();
        Assert.Null(await other.AppendAsync(caseId, new JsonObject
        {
            ["type"] = "case-opened", ["occurredOn"] = "2015-03", ["patientRef"] = "TEST-0002", ["sex"] = "female", ["birthYear"] = 1980,
        }, opensCase: true));
        var appended = await Api.PostEntry(caseId, Bodies.Imaging("2015-07"));
        Assert.Equal(201, appended.Status);
        Assert.Equal(2, appended.Json["version"]!.GetValue<long>());
        var log = await Api.Log(caseId);
        Assert.Equal([1L, 2L], log.Select(e => e["version"]!.GetValue<long>()));
        Assert.Equal("TEST-0002", (await Api.Get($"/cases/{caseId}")).Json["patientRef"]!.GetValue<string>());
    }

    /// <summary>A writer with known states of its own on the API's store, as another API process has.</summary>
    private OtherWriter OtherProcess() => new(Host.Services.GetRequiredService<IDocumentStore>(), Fixture.ConnectionString, Fixture.Clock);

    private sealed class OtherWriter : IAsyncDisposable
    {
        private readonly CaseWriter _writer;
        private readonly WriterConnections _writerConnections;
        private readonly TimeProvider _clock;

        public OtherWriter(IDocumentStore store, string connectionString, TimeProvider clock)
        {
            _writerConnections = new WriterConnections(connectionString);
            var connections = new StoreConnections(store, _writerConnections);
            _writer = new CaseWriter(store, new EventRows(store, connections), new CaseOpenings(store, connections), new CaseAppends(store),
                _writerConnections, clock);
            _clock = clock;
        }

        /// <summary>Appends one entry (a request body), or opens the case with it; answers why it was refused, null when stored.</summary>
        public async Task<string?> AppendAsync(Guid caseId, JsonObject body, bool opensCase = false)
        {
            var errors = new ValidationErrors();
            // As the API reads a request: from its text.
            var entry = EntryJson.Read(JsonNode.Parse(body.ToJsonString()), "", errors, DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime));
            Assert.True(entry is not null, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
            var (_, problem) = await _writer.WriteAsync(LedgerFixture.Hospital, caseId, new Submission([entry], null, _ => ""),
                new Recorder("other-process", "other-correlation"), opensCase);
            return problem?.Detail;
        }

        public async ValueTask DisposeAsync()
        {
            await _writer.DisposeAsync();
            await _writerConnections.DisposeAsync();
        }
    }
}
