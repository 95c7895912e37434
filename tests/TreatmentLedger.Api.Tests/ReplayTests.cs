using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Tests;

/// <summary>knownAt (record time), asOf (clinical time), corrections, and the inline document against the live fold.</summary>
public sealed class ReplayTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static readonly string[] Views = ["", "/lines", "/progression-free-intervals", "/cumulative-dose", "/timeline", "/entries", "/export"];

    private async Task<(Guid CaseId, Guid RadiotherapyId)> CaseWithRadiotherapy()
    {
        var caseId = await Api.OpenCase(occurredOn: "2011-01");
        var rtId = Guid.NewGuid();
        var rt = await Api.Post($"/cases/{caseId}/entries",
            $$"""{ "type": "radiotherapy-delivered", "occurredOn": "2011-09", "entryId": "{{rtId}}", "site": "left axilla", "technique": "conventional", "totalDoseGy": 50, "fractions": 25 }""");
        Assert.Equal(201, rt.Status);
        return (caseId, rtId);
    }

    private async Task<JsonObject> Correct(Guid caseId, Guid entryId, string replacement)
    {
        var response = await Api.Post($"/cases/{caseId}/entries",
            $$"""{ "type": "entry-corrected", "entryId": "{{entryId}}", "reason": "dose re-read from the RT record", "replacement": {{replacement}} }""");
        Assert.Equal(201, response.Status);
        return response.Json;
    }

    [Fact]
    public async Task Known_at_an_instant_before_a_correction_the_old_dose_shows()
    {
        var (caseId, rtId) = await CaseWithRadiotherapy();
        var beforeCorrection = Fixture.Clock.GetUtcNow();
        Fixture.Clock.Offset = TimeSpan.FromMinutes(5);
        await Correct(caseId, rtId,
            """{ "type": "radiotherapy-delivered", "occurredOn": "2011-09", "site": "left axilla", "technique": "conventional", "totalDoseGy": 54, "fractions": 25 }""");

        var then = await Api.Get($"/cases/{caseId}/cumulative-dose?knownAt={Uri.EscapeDataString(beforeCorrection.ToString("O"))}");
        var now = await Api.Get($"/cases/{caseId}/cumulative-dose");

        Assert.Equal(50m, then.Json["radiotherapy"]!["bySite"]![0]!["totalDoseGy"]!.GetValue<decimal>());
        Assert.Equal(54m, now.Json["radiotherapy"]!["bySite"]![0]!["totalDoseGy"]!.GetValue<decimal>());
        Assert.Equal(54.72, now.Json["radiotherapy"]!["bySite"]![0]!["eqd2Gy"]!.GetValue<double>());
    }

    [Fact]
    public async Task The_audit_log_shows_what_a_correction_and_a_retraction_did_and_when()
    {
        var (caseId, rtId) = await CaseWithRadiotherapy();
        var biopsy = await Api.Post($"/cases/{caseId}/entries",
            """{ "type": "biopsy-performed", "occurredOn": "2011-02", "technique": "core", "site": "axilla" }""");
        var biopsyId = biopsy.Json["entryId"]!.GetValue<Guid>();
        var beforeChanges = Fixture.Clock.GetUtcNow();
        Fixture.Clock.Offset = TimeSpan.FromMinutes(5);
        var correction = await Correct(caseId, rtId,
            """{ "type": "radiotherapy-delivered", "occurredOn": "2011-10", "site": "left axilla", "technique": "IMRT", "totalDoseGy": 50, "fractions": 25 }""");
        var retraction = await Api.Post($"/cases/{caseId}/entries", $$"""{ "type": "entry-retracted", "entryId": "{{biopsyId}}", "reason": "another patient's sample" }""");
        Assert.Equal(201, retraction.Status);

        var log = (await Api.Get($"/cases/{caseId}/entries")).Json["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var rt = log.Single(e => e["type"]!.GetValue<string>() == "radiotherapy-delivered");
        Assert.Equal("corrected", rt["status"]!.GetValue<string>());
        Assert.Equal(correction["sequence"]!.GetValue<long>(), rt["correctedBy"]!.GetValue<long>());
        Assert.Equal("conventional", rt["technique"]!.GetValue<string>()); // the log keeps what was recorded
        var retracted = log.Single(e => e["type"]!.GetValue<string>() == "biopsy-performed");
        Assert.Equal("retracted", retracted["status"]!.GetValue<string>());
        Assert.Equal(log.Select(e => e["sequence"]!.GetValue<long>()).Order(), log.Select(e => e["sequence"]!.GetValue<long>()));

        var window = (await Api.Get($"/cases/{caseId}/entries?since={Uri.EscapeDataString(beforeChanges.ToString("O"))}")).Json;
        Assert.Equal(2, window["entries"]!.AsArray().Count);
        Assert.Equal(rtId, window["changes"]!["corrected"]!.AsArray().Single()!.GetValue<Guid>());
        Assert.Equal(biopsyId, window["changes"]!["retracted"]!.AsArray().Single()!.GetValue<Guid>());
        Assert.Empty(window["changes"]!["added"]!.AsArray());

        var knownBefore = (await Api.Get($"/cases/{caseId}/entries?until={Uri.EscapeDataString(beforeChanges.ToString("O"))}")).Json;
        Assert.All(knownBefore["entries"]!.AsArray(), e => Assert.Equal("active", e!["status"]!.GetValue<string>()));
        Assert.Equal(3, knownBefore["entries"]!.AsArray().Count);
    }

    /// <summary>The founding case imported, its crizotinib start then corrected to 2012-03; with its audit log before the correction.</summary>
    private async Task<(Guid CaseId, JsonArray Log)> DemoCaseWithCrizotinibStartCorrected()
    {
        var imported = await Api.Post("/cases/import", DemoCase.Read());
        var caseId = imported.Json["caseId"]!.GetValue<Guid>();
        var log = (await Api.Get($"/cases/{caseId}/entries")).Json["entries"]!.AsArray();
        var crizotinibStart = log.Single(e => e!["type"]!.GetValue<string>() == "systemic-therapy-started" && e["regimen"]!.GetValue<string>() == "crizotinib")!;
        await Correct(caseId, crizotinibStart["entryId"]!.GetValue<Guid>(),
            """{ "type": "systemic-therapy-started", "occurredOn": "2012-03", "regimen": "crizotinib", "therapyClass": "targeted" }""");
        return (caseId, log);
    }

    [Fact]
    public async Task Every_current_view_equals_the_live_fold_and_the_inline_case_state_equals_the_state_of_the_whole_history_also_after_corrections()
    {
        var (caseId, log) = await DemoCaseWithCrizotinibStartCorrected();
        var firstResponse = log.First(e => e!["type"]!.GetValue<string>() == "response-assessed")!;
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries",
            $$"""{ "type": "entry-retracted", "entryId": "{{firstResponse["entryId"]}}", "reason": "duplicate" }""")).Status);

        // knownAt far ahead forces the live fold over the same stream.
        var live = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddYears(1).ToString("O"));
        foreach (var view in Views)
        {
            var fromDocument = await Api.Get($"/cases/{caseId}{view}");
            var fromStream = await Api.Get($"/cases/{caseId}{view}?knownAt={live}");
            Assert.Equal(200, fromDocument.Status);
            Assert.Equal(fromDocument.Body!.ToJsonString(), fromStream.Body!.ToJsonString());
        }

        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession(LedgerFixture.Hospital);
        var document = await session.LoadAsync<CaseState>(caseId);
        var history = await Host.Services.GetRequiredService<CaseReader>().ReadStreamAsync(LedgerFixture.Hospital, caseId, DateTimeOffset.MaxValue, CancellationToken.None);
        Assert.NotNull(document);
        var serializer = store.Options.Serializer();
        Assert.Equal(serializer.ToJson(CaseState.Of(caseId, history!)), serializer.ToJson(document));
        // The latest correction and the retraction of each amended entry, one document each.
        var amendments = await session.Query<Amendment>().ToListAsync();
        Assert.Equal(
            CaseContext.AmendmentsOf(history!.Recorded).Select(a => serializer.ToJson(Amendment.Of(caseId, a.Entry, a.Version))).Order(),
            amendments.Select(a => serializer.ToJson(a)).Order());
        Assert.Contains(amendments, a => a.Entry is EntryRetracted);
        Assert.Contains(amendments, a => a.Entry is EntryCorrected);
        Assert.Equal("2012-03", (await Api.Get($"/cases/{caseId}/lines")).Json["lines"]!.AsArray()
            .Single(l => l!["regimen"]!.GetValue<string>() == "crizotinib")!["startedOn"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rebuild_of_the_write_model_writes_the_very_documents_the_appends_wrote()
    {
        var (caseId, log) = await DemoCaseWithCrizotinibStartCorrected();
        var response = log.First(e => e!["type"]!.GetValue<string>() == "response-assessed")!;
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries",
            $$"""{ "type": "entry-retracted", "entryId": "{{response["entryId"]}}", "reason": "duplicate" }""")).Status);
        // An imaging re-read as a progression: an entry that comes to shape the course, at the version its correction names.
        var imaging = log.First(e => e!["type"]!.GetValue<string>() == "imaging-performed")!;
        await Correct(caseId, imaging["entryId"]!.GetValue<Guid>(),
            $$"""{ "type": "progression-observed", "occurredOn": "{{imaging["occurredOn"]}}", "scope": "local", "sites": ["left axilla"] }""");
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        async Task<(string State, string Amendments)> Documents()
        {
            await using var session = store.QuerySession(LedgerFixture.Hospital);
            var serializer = store.Options.Serializer();
            var amendments = await session.Query<Amendment>().Where(a => a.CaseId == caseId).ToListAsync();
            return (serializer.ToJson(await session.LoadAsync<CaseState>(caseId)), string.Join("\n", amendments.Select(serializer.ToJson).Order()));
        }
        // The state's row as stored (the rebuild writes it by COPY, the inline projection through Marten).
        async Task<string> StateRow()
        {
            await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "select tenant_id || ' ' || mt_dotnet_type || ' ' || (mt_version = (data ->> 'version')::bigint and mt_version > 1) || ' ' || data::text " +
                "from ledger.mt_doc_casestate where id = $1", connection)
            {
                Parameters = { new() { Value = caseId } },
            };
            return (string)(await command.ExecuteScalarAsync())!;
        }
        var appended = await Documents();
        var appendedRow = await StateRow();
        await using (var session = store.LightweightSession(LedgerFixture.Hospital))
        {
            session.Delete<CaseState>(caseId);
            session.DeleteWhere<Amendment>(a => a.CaseId == caseId);
            await session.SaveChangesAsync();
        }
        Assert.Equal(("null", ""), await Documents());

        var rebuilt = await Host.Services.GetRequiredService<WriteModelRebuild>().RunAsync(CancellationToken.None);

        Assert.True(rebuilt > 0);
        Assert.Equal(appended, await Documents());
        Assert.Equal(appendedRow, await StateRow());
        Assert.StartsWith($"{LedgerFixture.Hospital} {typeof(CaseState).FullName} true ", appendedRow, StringComparison.Ordinal);
        Assert.Contains(JsonNode.Parse(appended.State)!["outline"]!.AsArray(), e =>
            e!["entry"]!["type"]!.GetValue<string>() == "progression-observed"
            && e["entry"]!["entryId"]!.GetValue<Guid>() == imaging["entryId"]!.GetValue<Guid>()
            && e["version"]!.GetValue<long>() == imaging["version"]!.GetValue<long>());
        Assert.Contains("\"summary\"", appended.State, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("entry-retracted", appended.Amendments, StringComparison.Ordinal);
        Assert.Contains("entry-corrected", appended.Amendments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rebuild_while_entries_are_recorded_leaves_every_case_state_equal_to_its_whole_history()
    {
        var cases = new List<Guid>();
        for (var i = 0; i < 8; i++) cases.Add((await DemoCaseWithCrizotinibStartCorrected()).CaseId);
        var rebuild = Host.Services.GetRequiredService<WriteModelRebuild>();

        // Entries recorded on every case while the write model is rebuilt over and over.
        var recording = Task.WhenAll(cases.Select(async caseId =>
        {
            for (var i = 0; i < 15; i++)
            {
                var entry = i % 3 == 0
                    ? $$"""{ "type": "progression-observed", "occurredOn": "2013-0{{1 + i % 9}}", "scope": "local", "sites": ["lung"] }"""
                    : $$"""{ "type": "follow-up-recorded", "occurredOn": "2013-0{{1 + i % 9}}", "vitalStatus": "alive" }""";
                var answer = await Api.Post($"/cases/{caseId}/entries", entry);
                Assert.True(answer.Status == 201, answer.Body?.ToJsonString());
            }
        }));
        var rebuilds = 0;
        for (; rebuilds < 2 || !recording.IsCompleted; rebuilds++) await rebuild.RunAsync(CancellationToken.None);
        await recording;

        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var serializer = store.Options.Serializer();
        await using var session = store.QuerySession(LedgerFixture.Hospital);
        foreach (var caseId in cases)
        {
            var history = await Host.Services.GetRequiredService<CaseReader>().ReadStreamAsync(LedgerFixture.Hospital, caseId, DateTimeOffset.MaxValue, CancellationToken.None);
            Assert.Equal(serializer.ToJson(CaseState.Of(caseId, history!)), serializer.ToJson(await session.LoadAsync<CaseState>(caseId)));
        }
    }

    [Fact]
    public async Task As_of_a_date_the_export_is_the_course_up_to_then_and_re_imports_as_such()
    {
        var imported = await Api.Post("/cases/import", DemoCase.Read());
        var caseId = imported.Json["caseId"]!.GetValue<Guid>();

        var log = (await Api.Get($"/cases/{caseId}/entries?asOf=2014-11-30")).Json["entries"]!.AsArray();
        Assert.All(log.Skip(1), e => Assert.True(string.CompareOrdinal(e!["occurredOn"]!.GetValue<string>(), "2014-12") < 0));
        var file = (await Api.Get($"/cases/{caseId}/export?asOf=2014-11-30")).Json;
        Assert.Equal(log.Count - 1, file["entries"]!.AsArray().Count);

        var replayed = await Api.Post("/cases/import", file);
        Assert.Equal(201, replayed.Status);
        var summary = (await Api.Get($"/cases/{replayed.Json["caseId"]}?asOf=2014-11-30")).Json;
        Assert.Equal("crizotinib", summary["currentLine"]!["regimen"]!.GetValue<string>());
        Assert.True(summary["currentLine"]!["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Read_routes_refuse_malformed_replay_parameters_and_unknown_cases()
    {
        var caseId = await Api.OpenCase();
        foreach (var view in Views)
        {
            var badAsOf = await Api.Get($"/cases/{caseId}{view}?asOf=2021-02-30");
            Assert.Equal(400, badAsOf.Status);
            Assert.NotNull(badAsOf.Json["errors"]!["asOf"]);
            var badKnownAt = await Api.Get($"/cases/{caseId}{view}?knownAt=yesterday");
            Assert.Equal(400, badKnownAt.Status);
            Assert.NotNull(badKnownAt.Json["errors"]!["knownAt"]);
            // A day alone, or a time without an offset, names no instant: refused, not read as UTC.
            foreach (var noInstant in new[] { "2015-01-01", "2026-12-03T10:00:00" })
            {
                var refused = await Api.Get($"/cases/{caseId}{view}?knownAt={noInstant}");
                Assert.Equal(400, refused.Status);
                Assert.NotNull(refused.Json["errors"]!["knownAt"]);
            }
            Assert.Equal(404, (await Api.Get($"/cases/{Guid.NewGuid()}{view}")).Status);
        }
        // 0 is out of range; "3,5" (a decimal comma) is not read as 35, nor " 3" or "1e1" as numbers.
        foreach (var ratio in new[] { "0", "3,5", "1e1", "%203" })
        {
            var badAlphaBeta = await Api.Get($"/cases/{caseId}/cumulative-dose?alphaBeta={ratio}");
            Assert.Equal(400, badAlphaBeta.Status);
            Assert.NotNull(badAlphaBeta.Json["errors"]!["alphaBeta"]);
        }
        Assert.Equal(200, (await Api.Get($"/cases/{caseId}/cumulative-dose?alphaBeta=3.5")).Status);
        Assert.Equal(200, (await Api.Get($"/cases/{caseId}/entries?since=2015-01-01T00:00:00.000Z&until={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}")).Status);
    }

    [Fact]
    public async Task Seen_from_before_its_case_opened_date_the_summary_still_names_the_patient_and_shows_no_course()
    {
        var caseId = await Api.OpenCase(patientRef: "EARLY-0001", occurredOn: "2015-03");
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries", Bodies.Start("2015-04"))).Status);

        var before = (await Api.Get($"/cases/{caseId}?asOf=2014-06-01")).Json;
        Assert.Equal("EARLY-0001", (string?)before["patientRef"]);
        Assert.Equal("female", (string?)before["sex"]);
        Assert.Equal(1980, (int?)before["birthYear"]);
        Assert.Equal(0, (int?)before["lineCount"]);
        Assert.Null(before["currentLine"]);
        Assert.Equal("EARLY-0001", (string?)(await Api.Get($"/cases/{caseId}/export?asOf=2014-06-01")).Json["case"]!["patientRef"]);
    }

    [Fact]
    public async Task Every_view_answers_at_the_calendars_last_day_for_an_active_line_and_for_a_death()
    {
        var active = await Api.OpenCase();
        Assert.Equal(201, (await Api.Post($"/cases/{active}/entries", Bodies.Start("2015-04"))).Status);
        var deceased = await Api.OpenCase();
        Assert.Equal(201, (await Api.Post($"/cases/{deceased}/entries", Bodies.Start("2015-04"))).Status);
        Assert.Equal(201, (await Api.Post($"/cases/{deceased}/entries", Bodies.Died("2016-02"))).Status);
        foreach (var caseId in new[] { active, deceased })
        foreach (var view in Views.Concat(["/outcomes", "/timeline.svg", "/fhir"]))
            Assert.Equal(200, (await Api.Get($"/cases/{caseId}{view}?asOf=9999-12-31")).Status);
        var line = (await Api.Get($"/cases/{active}/lines?asOf=9999-12-31")).Json["lines"]![0]!;
        Assert.True(line["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Known_at_before_the_case_existed_it_is_not_found()
    {
        var before = Fixture.Clock.GetUtcNow().AddMinutes(-1);
        var caseId = await Api.OpenCase();

        Assert.Equal(404, (await Api.Get($"/cases/{caseId}?knownAt={Uri.EscapeDataString(before.ToString("O"))}")).Status);
    }

    /// <summary>
    /// The live views keep the streams they read in memory and read only what was recorded since: a case read again,
    /// after an entry was recorded (here or on another node: the read asks the store for every later version), shows it,
    /// and knownAt still leaves out what was recorded after that instant, down to the case itself.
    /// </summary>
    [Fact]
    public async Task A_case_read_again_shows_what_was_recorded_since_and_known_at_still_leaves_it_out()
    {
        var beforeCase = Fixture.Clock.GetUtcNow().AddMinutes(-1);
        var (caseId, rtId) = await CaseWithRadiotherapy();
        Assert.Equal(50m, (await Api.Get($"/cases/{caseId}/cumulative-dose")).Json["radiotherapy"]!["bySite"]![0]!["totalDoseGy"]!.GetValue<decimal>());
        var beforeCorrection = Fixture.Clock.GetUtcNow();
        Fixture.Clock.Offset = TimeSpan.FromMinutes(5);
        await Correct(caseId, rtId,
            """{ "type": "radiotherapy-delivered", "occurredOn": "2011-09", "site": "left axilla", "technique": "conventional", "totalDoseGy": 54, "fractions": 25 }""");

        var now = await Api.Get($"/cases/{caseId}/cumulative-dose");
        var then = await Api.Get($"/cases/{caseId}/cumulative-dose?knownAt={Uri.EscapeDataString(beforeCorrection.ToString("O"))}");
        var beforeItExisted = await Api.Get($"/cases/{caseId}/cumulative-dose?knownAt={Uri.EscapeDataString(beforeCase.ToString("O"))}");

        Assert.Equal(54m, now.Json["radiotherapy"]!["bySite"]![0]!["totalDoseGy"]!.GetValue<decimal>());
        Assert.Equal(50m, then.Json["radiotherapy"]!["bySite"]![0]!["totalDoseGy"]!.GetValue<decimal>());
        Assert.Equal(404, beforeItExisted.Status);
        // Another hospital's reader of the same case id finds nothing, kept or not.
        Assert.Equal(404, (await Api.As(Fixture.Token("dr-elsewhere", "other-hospital", TreatmentLedger.Api.Security.Roles.Clinician))
            .Get($"/cases/{caseId}/cumulative-dose")).Status);
    }
}
