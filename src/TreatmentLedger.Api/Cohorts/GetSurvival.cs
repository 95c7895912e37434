using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Cohorts;
using Wolverine.Http;

namespace TreatmentLedger.Api.Cohorts;

public sealed record SurvivalResponse(string Endpoint, IReadOnlyList<SurvivalGroup> Groups, LogRankResult? LogRank, long Position, bool Stale);

/// <summary>
/// <c>GET /cohorts/survival?endpoint=pfs|ttd&amp;regimen=a&amp;regimen=b&amp;lineNumber=&amp;minPosition=</c>: Kaplan–Meier curves
/// of the regimens of the caller's hospital, with Greenwood's log band, medians, numbers at risk and the log-rank test.
/// </summary>
public static class GetSurvival
{
    [Authorize(Policy = Policies.ReadCohorts)]
    [ProducesResponseType<SurvivalResponse>(StatusCodes.Status200OK)]
    [WolverineGet("/cohorts/survival")]
    public static async Task<IResult> Get(string? endpoint, string[]? regimen, string? lineNumber, string? minPosition, ClaimsPrincipal user,
        CohortReader cohorts, ReadModels readModels, CancellationToken ct)
    {
        var (query, errors) = CohortQuery.Parse(endpoint, regimen, lineNumber, minPosition);
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));
        var (comparison, position) = await query.ComputeAsync(user.Hospital(), cohorts, readModels, ct);
        return Results.Ok(new SurvivalResponse(comparison.Endpoint, comparison.Groups, comparison.LogRank, position.Position, position.Stale));
    }
}
