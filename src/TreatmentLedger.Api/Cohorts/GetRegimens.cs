using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Cohorts;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Cohorts;

public sealed record RegimensResponse(IReadOnlyList<RegimenOutcome> Regimens, long Position, bool Stale);

/// <summary>
/// <c>GET /cohorts/regimens?lineNumber=&amp;minPosition=</c>: how each regimen of the caller's hospital does (DASHBOARDS.md),
/// most lines first, from the per-line facts of the async read model. No patient is named.
/// </summary>
public static class GetRegimens
{
    [Authorize(Policy = Policies.ReadCohorts)]
    [ProducesResponseType<RegimensResponse>(StatusCodes.Status200OK)]
    [WolverineGet("/cohorts/regimens")]
    public static async Task<IResult> Get(string? lineNumber, string? minPosition, ClaimsPrincipal user, CohortReader cohorts,
        ReadModels readModels, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var line = CohortQuery.ParseLineNumber(lineNumber, errors);
        var wanted = ReadQuery.Position(minPosition, errors);
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));

        var position = await readModels.AwaitAsync(CaseFactsProjection.Name, wanted, ct);
        var lines = await cohorts.LinesAsync(user.Hospital(), line, ct);
        return Results.Ok(new RegimensResponse(RegimenOutcomes.Of(lines), position.Position, position.Stale));
    }
}
