using System.Security.Claims;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
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
        var seesUnsigned = caller.Roles.Contains(Roles.Admin);
        await using var session = store.QuerySession();
        IQueryable<AccessRecord> query = session.Query<AccessRecord>()
            .Where(r => r.Hospital == caller.Hospital || (seesUnsigned && r.Hospital == null));
        if (caseFilter is { } id) query = query.Where(r => r.CaseId == id);
        if (!string.IsNullOrEmpty(sub)) query = query.Where(r => r.Sub == sub);
        if (from is { } after) query = query.Where(r => r.At >= after);
        if (to is { } before) query = query.Where(r => r.At <= before);
        var records = await ((IMartenQueryable<AccessRecord>)query)
            .Stats(out var stats)
            .OrderByDescending(r => r.At).ThenByDescending(r => r.Id)
            .Skip((pageNumber - 1) * size)
            .Take(size)
            .ToListAsync(ct);
        var entries = records.Select(r => new AccessRecordView(r.At, r.Sub, r.Roles, r.Hospital, r.CaseId, r.Route, r.Status)).ToList();
        return Results.Ok(new AccessLogResponse(entries, stats.TotalResults, pageNumber, size));
    }
}
