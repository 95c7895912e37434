using Microsoft.AspNetCore.Mvc;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using Wolverine.Http;

namespace TreatmentLedger.Api.Cohorts;

/// <summary>
/// <c>GET /cohorts/survival.svg?...</c> (the parameters of <c>GET /cohorts/survival</c>): the curves drawn, with censor
/// marks, the number-at-risk table and a legend with medians and the log-rank p-value. The read model's position is in
/// the <c>X-Position</c> header (and <c>X-Stale</c> when a minPosition was not reached).
/// </summary>
public static class GetSurvivalSvg
{
    [Authorize(Policy = Policies.ReadCohorts)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "image/svg+xml")]
    [WolverineGet("/cohorts/survival.svg")]
    public static async Task<IResult> Get(string? endpoint, string[]? regimen, string? lineNumber, string? minPosition, ClaimsPrincipal user,
        CohortReader cohorts, ReadModels readModels, HttpResponse response, CancellationToken ct)
    {
        var (query, errors) = CohortQuery.Parse(endpoint, regimen, lineNumber, minPosition);
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));
        var (comparison, position) = await query.ComputeAsync(user.Hospital(), cohorts, readModels, ct);
        response.Headers["X-Position"] = position.Position.ToString(CultureInfo.InvariantCulture);
        if (position.Stale) response.Headers["X-Stale"] = "true";
        return Results.Text(SurvivalSvg.Render(comparison), "image/svg+xml");
    }
}
