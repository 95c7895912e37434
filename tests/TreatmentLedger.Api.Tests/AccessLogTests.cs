using System.Text.Json.Nodes;
using Npgsql;
using TreatmentLedger.Api.AccessLog;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>The access log (SECURITY.md): every read of a case's data, and every refused attempt, for auditors.</summary>
public sealed class AccessLogTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private LedgerApi Auditor => Api.As(Fixture.Token("audit-1", LedgerFixture.Hospital, Roles.Auditor));
    private LedgerApi Admin => Api.As(Fixture.Token("admin-1", LedgerFixture.Hospital, Roles.Admin));

    /// <summary>The log as <paramref name="reader"/> sees it once it holds <paramref name="count"/> records (they are stored in the background).</summary>
    private static async Task<JsonArray> LogOnce(LedgerApi reader, string query, int count)
    {
        JsonArray entries = [];
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var response = await reader.Get("/access-log" + query);
            Assert.Equal(200, response.Status);
            entries = response.Json["entries"]!.AsArray();
            if (entries.Count >= count) break;
            await Task.Delay(50);
        }
        Assert.Equal(count, entries.Count);
        return entries;
    }

    [Fact]
    public async Task Each_read_of_a_case_is_logged_with_who_which_route_and_the_status_newest_first()
    {
        var caseId = await Api.OpenCase();
        Assert.Equal(200, (await Api.Get($"/cases/{caseId}")).Status);
        Assert.Equal(200, (await Api.Get($"/cases/{caseId}/lines?asOf=2016-01-01")).Status);
        Assert.Equal(200, (await Auditor.Get($"/cases/{caseId}/entries")).Status);

        var log = await LogOnce(Auditor, $"?caseId={caseId}", 3);

        Assert.Equal(["GET /cases/{caseId}/entries", "GET /cases/{caseId}/lines", "GET /cases/{caseId}"],
            log.Select(e => e!["route"]!.GetValue<string>()));
        Assert.Equal(["audit-1", "test-clinician", "test-clinician"], log.Select(e => e!["sub"]!.GetValue<string>()));
        Assert.All(log, e =>
        {
            Assert.Equal(caseId, e!["caseId"]!.GetValue<Guid>());
            Assert.Equal(200, e["status"]!.GetValue<int>());
            Assert.Equal(LedgerFixture.Hospital, e["hospital"]!.GetValue<string>());
        });
        Assert.Equal(["auditor"], log[0]!["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        var times = log.Select(e => e!["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public async Task Refused_attempts_are_logged_and_writes_and_the_board_are_not()
    {
        var caseId = await Api.OpenCase();
        await Api.Post($"/cases/{caseId}/entries", """{ "type": "imaging-performed", "occurredOn": "2016-01", "modality": "CT" }""");
        await Api.Get("/cases");
        Assert.Equal(401, (await Api.As(null).Get($"/cases/{caseId}/export")).Status);
        Assert.Equal(403, (await Api.As(Fixture.Token("analyst-1", LedgerFixture.Hospital, Roles.Analyst)).Get($"/cases/{caseId}")).Status);
        var elsewhere = Api.As(Fixture.Token("dr-elsewhere", "other-hospital", Roles.Clinician));
        Assert.Equal(404, (await elsewhere.Get($"/cases/{caseId}/timeline")).Status);

        // The auditor sees their hospital's records: the analyst's 403. The 404 belongs to the other hospital's log.
        var ours = await LogOnce(Auditor, "", 1);
        Assert.Equal(403, ours[0]!["status"]!.GetValue<int>());
        Assert.Equal("analyst-1", ours[0]!["sub"]!.GetValue<string>());
        var theirs = await LogOnce(Api.As(Fixture.Token("audit-2", "other-hospital", Roles.Auditor)), "", 1);
        Assert.Equal(404, theirs[0]!["status"]!.GetValue<int>());
        Assert.Equal(caseId, theirs[0]!["caseId"]!.GetValue<Guid>());
        // An admin also sees the attempt without a token, which belongs to no hospital.
        var all = await LogOnce(Admin, "", 2);
        Assert.Equal([403, 401], all.Select(e => e!["status"]!.GetValue<int>()));
        Assert.Null(all[1]!["sub"]);
        Assert.Null(all[1]!["hospital"]);
        Assert.Equal("GET /cases/{caseId}/export", all[1]!["route"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_log_filters_by_subject_and_time_and_is_for_auditors_and_admins_only()
    {
        var caseId = await Api.OpenCase();
        await Api.Get($"/cases/{caseId}");
        await LogOnce(Auditor, "", 1);
        var between = DateTimeOffset.UtcNow;
        await Auditor.Get($"/cases/{caseId}/outcomes");
        await LogOnce(Auditor, "", 2);

        Assert.Equal("GET /cases/{caseId}/outcomes", (await LogOnce(Auditor, "?sub=audit-1", 1))[0]!["route"]!.GetValue<string>());
        Assert.Equal("GET /cases/{caseId}", (await LogOnce(Auditor, $"?until={Uri.EscapeDataString(between.ToString("O"))}", 1))[0]!["route"]!.GetValue<string>());
        Assert.Single(await LogOnce(Auditor, $"?since={Uri.EscapeDataString(between.ToString("O"))}", 1));
        Assert.Empty(await LogOnce(Auditor, $"?caseId={Guid.NewGuid()}", 0));
        var paged = await Auditor.Get("/access-log?pageSize=1&page=2");
        Assert.Equal(2, paged.Json["total"]!.GetValue<long>());
        Assert.Equal("GET /cases/{caseId}", paged.Json["entries"]![0]!["route"]!.GetValue<string>());

        var bad = await Auditor.Get("/access-log?caseId=abc&since=yesterday&pageSize=0");
        Assert.Equal(400, bad.Status);
        Assert.Equal(["caseId", "pageSize", "since"], bad.Json["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(403, (await Api.Get("/access-log")).Status);
        Assert.Equal(403, (await Api.As(Fixture.Token("analyst-1", LedgerFixture.Hospital, Roles.Analyst)).Get("/access-log")).Status);
        Assert.Equal(401, (await Api.As(null).Get("/access-log")).Status);
    }

    [Fact]
    public async Task Records_of_the_older_table_of_one_row_per_record_are_moved_into_the_log_once()
    {
        var schema = TreatmentLedger.Api.Store.Configuration.Schema;
        var (caseA, caseB) = (Guid.NewGuid(), Guid.NewGuid());
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        async Task Execute(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        // The table as the ledger made it before its records were stored a batch a row.
        await Execute($$"""
            create table {{schema}}.{{AccessLogTable.LegacyName}} (id uuid primary key, at timestamptz not null, sub text, roles text[] not null,
              hospital text, case_id uuid not null, route text not null, status integer not null);
            insert into {{schema}}.{{AccessLogTable.LegacyName}} values
              ('{{Guid.CreateVersion7()}}', '2026-03-01T10:00:00Z', 'audit-old', '{auditor,admin}', '{{LedgerFixture.Hospital}}', '{{caseA}}', 'GET /cases/{caseId}', 200),
              ('{{Guid.CreateVersion7()}}', '2026-03-02T10:00:00Z', 'dr-old', '{clinician}', '{{LedgerFixture.Hospital}}', '{{caseB}}', 'GET /cases/{caseId}/lines', 403),
              ('{{Guid.CreateVersion7()}}', '2026-03-03T10:00:00Z', null, '{}', null, '{{caseA}}', 'GET /cases/{caseId}/export', 401);
            """);

        await Execute(AccessLogTable.MoveLegacyRowsSql(schema));
        await Execute(AccessLogTable.MoveLegacyRowsSql(schema));

        var all = await LogOnce(Admin, "", 3);
        Assert.Equal([401, 403, 200], all.Select(e => e!["status"]!.GetValue<int>()));
        Assert.Equal([null, "dr-old", "audit-old"], all.Select(e => e!["sub"]?.GetValue<string>()));
        Assert.Equal(["auditor", "admin"], all[2]!["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Empty(all[0]!["roles"]!.AsArray());
        Assert.Equal([caseA, caseB, caseA], all.Select(e => e!["caseId"]!.GetValue<Guid>()));
        Assert.Equal(DateTimeOffset.Parse("2026-03-02T10:00:00Z"), all[1]!["at"]!.GetValue<DateTimeOffset>());
        var ofCaseA = await LogOnce(Auditor, $"?caseId={caseA}", 1);
        Assert.Equal("GET /cases/{caseId}", ofCaseA[0]!["route"]!.GetValue<string>());
        await using var gone = new NpgsqlCommand($"select to_regclass('{schema}.{AccessLogTable.LegacyName}') is null", connection);
        Assert.True((bool)(await gone.ExecuteScalarAsync())!);
    }

    [Fact]
    public void Records_of_a_row_get_distinct_ids_in_their_order_and_rows_keep_theirs_apart()
    {
        var at = DateTimeOffset.Parse("2026-03-01T10:00:00Z");
        var (row, other) = (Guid.CreateVersion7(at), Guid.CreateVersion7(at));
        var ids = Enumerable.Range(0, AccessLogTable.MaxRecordsPerRow).Select(i => AccessLogTable.RecordId(row, i)).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Order(), ids);
        Assert.All(ids, id => Assert.Equal(row.ToString()[..^4], id.ToString()[..^4]));
        Assert.Equal(7, ids[^1].Version);
        Assert.DoesNotContain(AccessLogTable.RecordId(other, 0), ids);
        Assert.Throws<ArgumentOutOfRangeException>(() => AccessLogTable.RecordId(row, AccessLogTable.MaxRecordsPerRow));
        Assert.Throws<ArgumentOutOfRangeException>(() => AccessLogTable.RecordId(row, -1));
    }
}
