using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TreatmentLedger.Api.CaseBoard;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests.Dashboards;

/// <summary><c>GET /projections</c>, <c>minPosition</c> and <c>stale</c>, readiness, and the rebuild over HTTP.</summary>
public sealed class ProjectionsTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private LedgerApi Admin => Api.As(Fixture.Token("test-admin", LedgerFixture.Hospital, Roles.Admin));

    private async Task<JsonObject> ProjectionsWhen(Func<JsonObject, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var answer = await Admin.Get("/projections");
            Assert.Equal(200, answer.Status);
            if (condition(answer.Json)) return answer.Json;
            Assert.True(DateTime.UtcNow < deadline, $"GET /projections never met the condition: {answer.Text}");
            await Task.Delay(50);
        }
    }

    private static JsonNode CaseFacts(JsonObject projections) =>
        projections["projections"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == CaseFactsProjection.Name)!;

    [Fact]
    public async Task Shows_each_async_projection_catching_up_to_the_high_water_mark_on_this_node()
    {
        var caseId = await Api.OpenCase();
        var recorded = await Api.Post($"/cases/{caseId}/entries", """{ "type": "follow-up-recorded", "occurredOn": "2016-01", "vitalStatus": "alive" }""");
        var sequence = recorded.Json["sequence"]!.GetValue<long>();

        var answer = await ProjectionsWhen(p => CaseFacts(p)["lag"]!.GetValue<long>() == 0);

        Assert.Equal(sequence, answer["highWaterMark"]!.GetValue<long>());
        var facts = CaseFacts(answer);
        Assert.Equal(sequence, facts["position"]!.GetValue<long>());
        Assert.True("running" == facts["status"]!.GetValue<string>(), answer.ToJsonString());
        Assert.Equal(answer["node"]!.GetValue<int>(), facts["node"]!.GetValue<int>());
    }

    [Fact]
    public async Task Only_admins_see_and_rebuild_projections()
    {
        Assert.Equal(403, (await Api.Get("/projections")).Status);
        Assert.Equal(403, (await Api.Post($"/projections/{CaseFactsProjection.Name}/rebuild", "{}")).Status);
        Assert.Equal(401, (await Api.As(null).Get("/projections")).Status);
        Assert.Equal(404, (await Admin.Post("/projections/Nothing/rebuild", "{}")).Status);
    }

    [Fact]
    public async Task An_answer_waits_for_its_min_position_and_else_says_it_is_stale()
    {
        var caseId = await Api.OpenCase("TEST-WAIT");
        var recorded = await Api.Post($"/cases/{caseId}/entries", """{ "type": "follow-up-recorded", "occurredOn": "2016-01", "vitalStatus": "alive" }""");
        var sequence = recorded.Json["sequence"]!.GetValue<long>();

        var current = (await Api.Get($"/cases?minPosition={sequence}")).Json;
        Assert.False(current["stale"]!.GetValue<bool>());
        Assert.True(current["position"]!.GetValue<long>() >= sequence);
        Assert.Equal("TEST-WAIT", current["cases"]![0]!["patientRef"]!.GetValue<string>());

        var started = DateTime.UtcNow;
        var ahead = (await Api.Get($"/cases?minPosition={sequence + 1000}")).Json;
        Assert.True(ahead["stale"]!.GetValue<bool>());
        Assert.Equal(sequence, ahead["position"]!.GetValue<long>());
        Assert.InRange(DateTime.UtcNow - started, ReadModels.MinPositionWait, ReadModels.MinPositionWait * 3);

        (await Api.Get("/cases?minPosition=-1")).AssertInvalid("minPosition");
    }

    [Fact]
    public async Task Readiness_is_degraded_while_a_projection_is_not_running()
    {
        await ProjectionsWhen(p => CaseFacts(p)["status"]!.GetValue<string>() == "running");
        var ready = await Api.As(null).Get("/health/ready");
        Assert.True(ready.Json["status"]!.GetValue<string>() == "ok", ready.Text);
        var projections = Host.Services.GetRequiredService<ProjectionRebuilds>();
        await projections.PauseAsync(CaseFactsProjection.Name, CancellationToken.None);
        try
        {
            await ProjectionsWhen(p => CaseFacts(p)["status"]!.GetValue<string>() == "stopped");
            var degraded = await Api.As(null).Get("/health/ready");
            Assert.Equal(200, degraded.Status);
            Assert.Equal("degraded", degraded.Json["status"]!.GetValue<string>());
            Assert.Equal(CaseFactsProjection.Name, degraded.Json["lagging"]![0]!["name"]!.GetValue<string>());
        }
        finally
        {
            await projections.ResumeAsync(CaseFactsProjection.Name);
        }
        await ProjectionsWhen(p => CaseFacts(p)["status"]!.GetValue<string>() == "running");
        Assert.Equal("ok", (await Api.As(null).Get("/health/ready")).Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rebuild_over_http_writes_what_the_daemon_wrote_and_runs_one_at_a_time()
    {
        for (var i = 0; i < 5; i++)
        {
            var caseId = await Api.OpenCase($"TEST-{i}");
            Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries",
                """{ "type": "systemic-therapy-started", "occurredOn": "2016-01", "regimen": "crizotinib", "therapyClass": "targeted" }""")).Status);
        }
        await Api.GetCurrent("/cases");
        var before = await BoardRowsAsync();
        Assert.Equal(5, before.Count);
        // A row damaged behind the daemon's back comes back from the events.
        await using (var session = Host.DocumentStore().LightweightSession(LedgerFixture.Hospital))
        {
            session.Delete<CaseBoardRow>(Guid.Parse(before.Keys.First()));
            await session.SaveChangesAsync();
        }

        var started = await Admin.Post($"/projections/{CaseFactsProjection.Name}/rebuild", "{}");
        Assert.Equal(202, started.Status);
        await ProjectionsWhen(p => CaseFacts(p)["status"]!.GetValue<string>() == "running" && CaseFacts(p)["lag"]!.GetValue<long>() == 0);

        Assert.Equal(before, await BoardRowsAsync());
    }

    [Fact]
    public async Task A_rebuild_writes_case_by_case_what_the_daemon_wrote_across_hospitals_corrections_and_lines_taken_away()
    {
        // The founding case (every kind of entry, corrections and retractions among them) in this hospital and in another.
        var file = await File.ReadAllTextAsync(CaseFiles.PathOf(CaseFiles.FoundingCase));
        Assert.Equal(201, (await Api.Post("/cases/import", file)).Status);
        var other = Api.As(Fixture.Token("test-other", "test-other-hospital", Roles.Clinician));
        Assert.Equal(201, (await other.Post("/cases/import", file)).Status);
        // A case whose second line the daemon wrote, then took away when its start was retracted.
        var caseId = await Api.OpenCase("TEST-TAKEN-AWAY");
        var first = await Api.Post($"/cases/{caseId}/entries",
            """{ "type": "systemic-therapy-started", "occurredOn": "2016-01", "regimen": "crizotinib", "therapyClass": "targeted" }""");
        Assert.Equal(201, first.Status);
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries",
            """{ "type": "systemic-therapy-stopped", "occurredOn": "2016-06", "reason": "progression" }""")).Status);
        var second = await Api.Post($"/cases/{caseId}/entries",
            """{ "type": "systemic-therapy-started", "occurredOn": "2016-07", "regimen": "ceritinib", "therapyClass": "targeted" }""");
        Assert.Equal(201, second.Status);
        await ProjectionsWhen(p => CaseFacts(p)["lag"]!.GetValue<long>() == 0);
        Assert.Equal(2, (await DocumentsAsync())["line facts"].Count(r => r.Key.Contains(caseId.ToString(), StringComparison.Ordinal)));
        var retracted = await Api.Post($"/cases/{caseId}/entries",
            $$"""{ "type": "entry-retracted", "entryId": "{{second.Json["entryId"]}}", "reason": "recorded on the wrong case" }""");
        Assert.Equal(201, retracted.Status);
        var highWater = retracted.Json["sequence"]!.GetValue<long>();
        await ProjectionsWhen(p => CaseFacts(p)["position"]!.GetValue<long>() >= highWater);
        var live = await DocumentsAsync();
        Assert.Single(live["line facts"], r => r.Key.Contains(caseId.ToString(), StringComparison.Ordinal));
        Assert.Contains(live["board rows"], r => r.Key.StartsWith("test-other-hospital ", StringComparison.Ordinal));

        Assert.Equal(202, (await Admin.Post($"/projections/{CaseFactsProjection.Name}/rebuild", "{}")).Status);
        var rebuilt = await ProjectionsWhen(p => CaseFacts(p)["status"]!.GetValue<string>() == "running" && CaseFacts(p)["lag"]!.GetValue<long>() == 0);

        Assert.Equal(highWater, CaseFacts(rebuilt)["position"]!.GetValue<long>());
        var after = await DocumentsAsync();
        foreach (var documents in live.Keys) Assert.Equal(live[documents], after[documents]);
    }

    [Fact]
    public async Task Entries_recorded_while_a_rebuild_runs_all_reach_the_board()
    {
        var cases = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            var caseId = await Api.OpenCase($"TEST-DURING-{i}");
            Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries",
                """{ "type": "systemic-therapy-started", "occurredOn": "2016-01", "regimen": "crizotinib", "therapyClass": "targeted" }""")).Status);
            cases.Add(caseId);
        }
        await ProjectionsWhen(p => CaseFacts(p)["lag"]!.GetValue<long>() == 0);

        // Eight writers record follow-ups from before the rebuild starts until after it has ended.
        using var stop = new CancellationTokenSource();
        var recorded = 0;
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var answer = await Api.Post($"/cases/{cases[(w + 8 * n) % cases.Count]}/entries",
                    """{ "type": "follow-up-recorded", "occurredOn": "2016-02", "vitalStatus": "alive" }""");
                Assert.Equal(201, answer.Status);
                Interlocked.Increment(ref recorded);
            }
        })).ToList();
        while (Volatile.Read(ref recorded) < 20) await Task.Delay(10);
        Assert.Equal(202, (await Admin.Post($"/projections/{CaseFactsProjection.Name}/rebuild", "{}")).Status);
        await ProjectionsWhen(p => CaseFacts(p)["status"]!.GetValue<string>() == "running");
        var afterRebuild = Volatile.Read(ref recorded);
        while (Volatile.Read(ref recorded) < afterRebuild + 20) await Task.Delay(10);
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        await ProjectionsWhen(p => CaseFacts(p)["lag"]!.GetValue<long>() == 0);

        // Every case's row is at its stream's version: no entry recorded during the rebuild was left out.
        var versions = new Dictionary<Guid, long>();
        await using (var connection = new NpgsqlConnection(Fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"select id, version from {Host.DocumentStore().Options.Schema.ForStreams()} where id = any($1)", connection);
            command.Parameters.AddWithValue(cases.ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) versions[reader.GetGuid(0)] = reader.GetInt64(1);
        }
        var rows = await BoardRowsAsync();
        Assert.Equal(2 * cases.Count + recorded, versions.Values.Sum());
        Assert.All(cases, caseId => Assert.Equal(versions[caseId], JsonNode.Parse(rows[caseId.ToString()])!["version"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_projection_at_position_0_with_events_behind_it_is_caught_up_by_a_rebuild()
    {
        var file = await File.ReadAllTextAsync(CaseFiles.PathOf(CaseFiles.FoundingCase));
        var imported = await Api.Post("/cases/import", file);
        Assert.Equal(201, imported.Status);
        await ProjectionsWhen(p => CaseFacts(p)["lag"]!.GetValue<long>() == 0);
        var before = await DocumentsAsync();
        var rebuilds = Host.Services.GetRequiredService<ProjectionRebuilds>();
        Assert.False(await rebuilds.CatchUpFromZeroAsync(0, CancellationToken.None));

        // As on a ledger that never ran the dashboards: no documents, position 0, the agent not running.
        await rebuilds.PauseAsync(CaseFactsProjection.Name, CancellationToken.None);
        var options = Host.DocumentStore().Options;
        await using (var connection = new NpgsqlConnection(Fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var reset = new NpgsqlCommand(
                $"truncate {options.Schema.For<CaseBoardRow>()}, {options.Schema.For<Api.Cohorts.LineFactRow>()}; " +
                $"update {options.Events.DatabaseSchemaName}.mt_event_progression set last_seq_id = 0 where name = '{ReadModels.ShardOf(CaseFactsProjection.Name)}'",
                connection);
            await reset.ExecuteNonQueryAsync();
        }
        var highWater = CaseFacts(await ProjectionsWhen(p => CaseFacts(p)["position"]!.GetValue<long>() == 0))["lag"]!.GetValue<long>();
        Assert.False(await rebuilds.CatchUpFromZeroAsync(highWater, CancellationToken.None));

        Assert.True(await rebuilds.CatchUpFromZeroAsync(highWater - 1, CancellationToken.None));
        await ProjectionsWhen(p => CaseFacts(p)["status"]!.GetValue<string>() == "running" && CaseFacts(p)["lag"]!.GetValue<long>() == 0);

        var after = await DocumentsAsync();
        foreach (var documents in before.Keys) Assert.Equal(before[documents], after[documents]);
    }

    /// <summary>Every board row and line fact of every hospital, by "hospital id", as stored.</summary>
    private async Task<Dictionary<string, SortedDictionary<string, string>>> DocumentsAsync()
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        var options = Host.DocumentStore().Options;
        var documents = new Dictionary<string, SortedDictionary<string, string>>();
        foreach (var (name, table) in new[] { ("board rows", options.Schema.For<CaseBoardRow>()), ("line facts", options.Schema.For<Api.Cohorts.LineFactRow>()) })
        {
            // Every column, the duplicated ones among them, but the version id and modification time a write draws anew.
            await using var command = new NpgsqlCommand(
                $"select tenant_id || ' ' || id::text, (to_jsonb(d) - 'mt_version' - 'mt_last_modified')::text from {table} d", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
            while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetString(1);
            documents[name] = rows;
        }
        return documents;
    }

    [Fact]
    public async Task A_second_rebuild_is_refused_while_one_runs()
    {
        // The cluster-wide rebuild lock, held as a rebuilding node holds it.
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({ProjectionRebuilds.LockKey})", connection))
            await take.ExecuteNonQueryAsync();

        try
        {
            var refused = await Admin.Post($"/projections/{CaseFactsProjection.Name}/rebuild", "{}");
            Assert.Equal(409, refused.Status);
            Assert.Equal("rebuilding", CaseFacts((await Admin.Get("/projections")).Json)["status"]!.GetValue<string>());
        }
        finally
        {
            await using var release = new NpgsqlCommand($"select pg_advisory_unlock({ProjectionRebuilds.LockKey})", connection);
            await release.ExecuteNonQueryAsync();
        }
    }

    private async Task<Dictionary<string, string>> BoardRowsAsync()
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        var table = Host.DocumentStore().Options.Schema.For<CaseBoardRow>();
        await using var command = new NpgsqlCommand($"select id::text, data::text from {table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, string>();
        while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetString(1);
        return rows;
    }
}
