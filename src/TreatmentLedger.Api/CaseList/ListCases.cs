using System.Security.Claims;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.Projections;
using TreatmentLedger.Recording;
using Wolverine.Http;

namespace TreatmentLedger.Api.CaseList;

public sealed class CaseRow
{
    public Guid CaseId { get; init; }
    public string PatientRef { get; init; } = "";
    public string Status { get; init; } = "";
    public int? CurrentLineNumber { get; init; }
    public string? CurrentRegimen { get; init; }
    public bool CurrentLineActive { get; init; }
    public int LineCount { get; init; }
    public ClinicalDate? LastProgressionOn { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The estimates the row's summary facts rest on (as <c>GET /cases/{id}</c> lists them).</summary>
    public IReadOnlyList<EstimateUsed>? EstimatesUsed { get; init; }
}

public sealed record CaseListResponse(IReadOnlyList<CaseRow> Cases, long Total, int Page, int PageSize);

/// <summary>
/// <c>GET /cases?status=&amp;regimen=&amp;page=&amp;pageSize=</c>: one row a case, read from the summary facts of the case
/// documents (kept inline with every append), most recently updated first.
/// </summary>
public static class ListCases
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    private static readonly string[] Statuses = [CaseStatus.OnTreatment, CaseStatus.OffTreatment, CaseStatus.Deceased];

    [Authorize(Policy = Policies.ReadCases)]

    [WolverineGet("/cases")]
    public static async Task<IResult> Get(string? status, string? regimen, string? page, string? pageSize, ClaimsPrincipal user, IDocumentStore store,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        status ??= "";
        if (status.Length > 0 && !Statuses.Contains(status)) errors.Add("status", $"'{status}' is not one of: {string.Join(", ", Statuses)}");
        regimen = (regimen ?? "").Trim();
        var pageNumber = ReadQuery.Whole("page", page, 1, int.MaxValue, 1, errors);
        var size = ReadQuery.Whole("pageSize", pageSize, 1, MaxPageSize, DefaultPageSize, errors);
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));

        // The caller's hospital's cases only: the case states are kept per hospital (Marten's conjoined tenancy).
        await using var session = store.QuerySession(user.Hospital());
        IQueryable<CaseState> query = session.Query<CaseState>();
        if (status.Length > 0) query = query.Where(c => c.Summary.Status == status);
        if (regimen.Length > 0) query = query.Where(c => c.Summary.CurrentLine!.Regimen.Equals(regimen, StringComparison.OrdinalIgnoreCase));
        var rows = await ((IMartenQueryable<CaseState>)query)
            .Stats(out var stats)
            .OrderByDescending(c => c.UpdatedAt)
            .Skip((pageNumber - 1) * size)
            .Take(size)
            .Select(c => new CaseRow
            {
                CaseId = c.Id,
                PatientRef = c.Summary.PatientRef,
                Status = c.Summary.Status,
                CurrentLineNumber = c.Summary.CurrentLine!.Number,
                CurrentRegimen = c.Summary.CurrentLine!.Regimen,
                CurrentLineActive = c.Summary.CurrentLine!.Active,
                LineCount = c.Summary.LineCount,
                LastProgressionOn = c.Summary.LastProgressionOn,
                UpdatedAt = c.UpdatedAt,
                EstimatesUsed = c.Summary.EstimatesUsed,
            })
            .ToListAsync(ct);
        return Results.Ok(new CaseListResponse(rows, stats.TotalResults, pageNumber, size));
    }
}
