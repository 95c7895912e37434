using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using Npgsql;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.AccessLog;

public sealed record AccessLogResponse(IReadOnlyList<AccessRecordView> Entries, long Total, int Page, int PageSize);

public sealed record AccessRecordView(DateTimeOffset At, string? Sub, IReadOnlyList<string> Roles, string? Hospital, Guid CaseId, string Route, int Status);

/// <summary>
/// <c>GET /access-log?caseId=&amp;sub=&amp;since=&amp;until=&amp;page=&amp;pageSize=</c>, for auditors and admins: the
/// reads of the caller's hospital's cases and the refused attempts on them, newest first. Admins also see the attempts
/// made without a valid token, which belong to no hospital.
/// </summary>
public static class GetAccessLog
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1_000;

    [Authorize(Policy = Policies.ReadAccessLog)]
    [ProducesResponseType<AccessLogResponse>(StatusCodes.Status200OK)]
    [WolverineGet("/access-log")]
    public static async Task<IResult> Get(string? caseId, string? sub, string? since, string? until, string? page, string? pageSize,
        ClaimsPrincipal user, IDocumentStore store, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        Guid? caseFilter = null;
        if (!string.IsNullOrEmpty(caseId))
        {
            if (Guid.TryParse(caseId, out var parsed)) caseFilter = parsed;
            else errors.Add("caseId", $"'{caseId}' is not a case id (a uuid)");
        }
        var from = ReadQuery.Instant("since", since, errors);
        var to = ReadQuery.Instant("until", until, errors);
        if (from is not null && to is not null && to < from) errors.Add("until", "must not be before since");
        var pageNumber = ReadQuery.Whole("page", page, 1, int.MaxValue, 1, errors);
        var size = ReadQuery.Whole("pageSize", pageSize, 1, MaxPageSize, DefaultPageSize, errors);
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));

        var caller = Caller.Of(user);
        // The caller's hospital's records; an admin's also those of no hospital (attempts without a valid token). Each
        // filter on records also picks the batches that can hold them, by their indexed case ids and time range.
        var batches = new List<string> { "(b.hospital = $1 or ($2 and b.hospital is null))" };
        var records = new List<string>();
        var parameters = new List<object> { caller.Hospital, caller.Roles.Contains(Roles.Admin) };
        void Filter(string? batchCondition, string recordCondition, object value)
        {
            parameters.Add(value);
            var name = "$" + parameters.Count;
            if (batchCondition is not null) batches.Add(batchCondition.Replace("?", name, StringComparison.Ordinal));
            records.Add(recordCondition.Replace("?", name, StringComparison.Ordinal));
        }
        if (caseFilter is { } id) Filter("b.case_ids @> array[?]::uuid[]", "r.case_id = ?", id);
        if (!string.IsNullOrEmpty(sub)) Filter(null, "r.sub = ?", sub);
        if (from is { } after) Filter("b.last_at >= ?", "r.at >= ?", after);
        if (to is { } before) Filter("b.first_at <= ?", "r.at <= ?", before);
        var selected = $"({AccessLogTable.Records(Configuration.Schema, string.Join(" and ", batches))}) r";
        var conditions = records.Count == 0 ? "true" : string.Join(" and ", records);

        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command($"select count(*) from {selected} where {conditions}", parameters),
                Command($"select at, sub, roles, hospital, case_id, route, status from {selected} where {conditions} " +
                        $"order by at desc, id desc limit {size} offset {(long)(pageNumber - 1) * size}", parameters),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(ct);
        var entries = new List<AccessRecordView>();
        while (await reader.ReadAsync(ct))
            entries.Add(new AccessRecordView(reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                AccessLogTable.RolesOf(reader.GetString(2)), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetGuid(4),
                reader.GetString(5), reader.GetInt32(6)));
        return Results.Ok(new AccessLogResponse(entries, total, pageNumber, size));
    }

    private static NpgsqlBatchCommand Command(string sql, IEnumerable<object> parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
