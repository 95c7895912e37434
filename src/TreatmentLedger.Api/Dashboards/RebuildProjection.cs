using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using Wolverine.Http;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>
/// <c>POST /projections/{name}/rebuild</c> (admins): starts a rebuild of an async projection and answers 202 at once;
/// <c>GET /projections</c> shows it rebuilding, its position climbing, then running again. 404 for an unknown
/// projection, 409 while a rebuild runs.
/// </summary>
public static class RebuildProjection
{
    [Authorize(Policy = Policies.ManageProjections)]
    [WolverinePost("/projections/{name}/rebuild")]
    public static async Task<IResult> Post(string name, ProjectionRebuilds rebuilds, CancellationToken ct)
    {
        var projection = Configuration.AsyncProjections.FirstOrDefault(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (projection is null)
            return Results.Problem(Problems.UnknownProjection(name, Configuration.AsyncProjections));
        if (!await rebuilds.StartAsync(projection, ct))
            return Results.Problem(Problems.RebuildRunning());
        return Results.Accepted("/projections", new { projection, status = ProjectionStatus.Rebuilding });
    }
}
