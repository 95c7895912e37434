using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Cohorts;
using TreatmentLedger.Entries;
using TreatmentLedger.Projections;
using Wolverine.Http;

namespace TreatmentLedger.Api.CaseBoard;

/// <summary>A row of <c>GET /cases</c>.</summary>
public sealed record CaseBoardEntry(
    Guid CaseId,
    string PatientRef,
    string Status,
    DiagnosisView? Diagnosis,
    int? CurrentLineNumber,
    string? CurrentRegimen,
    ClinicalDate? CurrentLineStartedOn,
    bool CurrentLineActive,
    int LineCount,
    ClinicalDate? LastProgressionOn,
    ClinicalDate? DiedOn,
    IReadOnlyList<BoardAlert> Alerts,
    DateTimeOffset LastRecordedAt,
    long Version,
    IReadOnlyList<EstimateUsed> EstimatesUsed)
{
    public static CaseBoardEntry Of(CaseBoardRow row) => new(row.Id, row.PatientRef, row.Status, row.Diagnosis,
        row.CurrentLineNumber, row.CurrentRegimen, row.CurrentLineStartedOn, row.CurrentLineActive, row.LineCount,
        row.LastProgressionOn, row.DiedOn, row.Alerts, row.LastRecordedAt, row.Version, row.EstimatesUsed);
}

public sealed record CaseBoardResponse(IReadOnlyList<CaseBoardEntry> Cases, long Total, int Page, int PageSize, long Position, bool Stale);

/// <summary>
/// <c>GET /cases?status=&amp;regimen=&amp;alert=&amp;sort=&amp;page=&amp;pageSize=&amp;minPosition=</c>: the case board of the
/// caller's hospital, one row a case, from the async read model (DASHBOARDS.md), with the position it is current to.
/// </summary>
public static class ListCases
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    private static readonly string[] Statuses = [CaseStatus.OnTreatment, CaseStatus.OffTreatment, CaseStatus.Deceased];
    private static readonly string[] Sorts = ["-lastRecordedAt", "lastRecordedAt", "patientRef"];
    private static readonly string[] AlertKinds = [Projections.CumulativeDose.AnthracyclineAlert];

    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType<CaseBoardResponse>(StatusCodes.Status200OK)]
    [WolverineGet("/cases")]
    public static async Task<IResult> Get(string? status, string? regimen, string? alert, string? sort, string? page, string? pageSize,
        string? minPosition, ClaimsPrincipal user, IDocumentStore store, ReadModels readModels, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        status ??= "";
        if (status.Length > 0 && !Statuses.Contains(status)) errors.Add("status", $"'{status}' is not one of: {string.Join(", ", Statuses)}");
        var regimenKey = RegimenKey.Of(regimen ?? "");
        alert ??= "";
        if (alert.Length > 0 && !AlertKinds.Contains(alert)) errors.Add("alert", $"'{alert}' is not one of: {string.Join(", ", AlertKinds)}");
        sort = string.IsNullOrEmpty(sort) ? Sorts[0] : sort;
        if (!Sorts.Contains(sort)) errors.Add("sort", $"'{sort}' is not one of: {string.Join(", ", Sorts)}");
        var pageNumber = ReadQuery.Whole("page", page, 1, int.MaxValue, 1, errors);
        var size = ReadQuery.Whole("pageSize", pageSize, 1, MaxPageSize, DefaultPageSize, errors);
        var wanted = ReadQuery.Position(minPosition, errors);
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));

        var position = await readModels.AwaitAsync(CaseFactsProjection.Name, wanted, ct);
        // The caller's hospital's cases only: the board rows are kept per hospital (Marten's conjoined tenancy).
        await using var session = store.QuerySession(user.Hospital());
        IQueryable<CaseBoardRow> Matching()
        {
            IQueryable<CaseBoardRow> matching = session.Query<CaseBoardRow>();
            if (status.Length > 0) matching = matching.Where(c => c.Status == status);
            if (regimenKey.Length > 0) matching = matching.Where(c => c.CurrentRegimenKey == regimenKey);
            if (alert.Length > 0) matching = matching.Where(c => c.AlertKinds.Contains(alert));
            return matching;
        }
        var query = sort switch
        {
            "lastRecordedAt" => Matching().OrderBy(c => c.LastRecordedAt).ThenBy(c => c.Id),
            "patientRef" => Matching().OrderBy(c => c.PatientRef).ThenBy(c => c.Id),
            _ => Matching().OrderByDescending(c => c.LastRecordedAt).ThenBy(c => c.Id),
        };
        // A page past the last row is empty, and its total still counts the matching cases: the total comes with the rows
        // (count over the query), so a page that brings none counts them alone. An offset beyond an int (what Marten's Skip
        // takes) is past any row.
        var offset = (long)(pageNumber - 1) * size;
        IReadOnlyList<CaseBoardRow> rows = [];
        long total = 0;
        if (offset <= int.MaxValue)
        {
            rows = await ((IMartenQueryable<CaseBoardRow>)query)
                .Stats(out var stats)
                .Skip((int)offset)
                .Take(size)
                .ToListAsync(ct);
            total = stats.TotalResults;
        }
        if (rows.Count == 0 && pageNumber > 1) total = await Matching().CountAsync(ct);
        return Results.Ok(new CaseBoardResponse(rows.Select(CaseBoardEntry.Of).ToList(), total, pageNumber, size,
            position.Position, position.Stale));
    }
}
