using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Security;
using Wolverine.Http;

namespace TreatmentLedger.Api.Dashboards;

/// <summary><c>GET /projections</c>: the high-water mark, and each async projection's position, lag, status and node.</summary>
public static class GetProjections
{
    [Authorize(Policy = Policies.ManageProjections)]
    [ProducesResponseType<ProjectionsResponse>(StatusCodes.Status200OK)]
    [WolverineGet("/projections")]
    public static async Task<IResult> Get(ProjectionStatus status, CancellationToken ct) => Results.Ok(await status.ReadAsync(ct));
}
