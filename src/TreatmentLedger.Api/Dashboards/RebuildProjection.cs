using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using Wolverine.Http;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>The answer of a rebuild started: the projection, now rebuilding.</summary>
public sealed record RebuildStarted(string Projection, string Status);

/// <summary>
/// <c>POST /projections/{name}/rebuild</c> (admins): starts a rebuild of an async projection and answers 202 at once;
/// <c>GET /projections</c> shows it rebuilding, its position climbing, then running again. 404 for an unknown
/// projection, 409 while a rebuild runs.
/// </summary>
public static class RebuildProjection
{
    [Authorize(Policy = Policies.ManageProjections)]
    [ProducesResponseType<RebuildStarted>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json", Description = "No async projection has this name.")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json", Description = "A rebuild is running already, on this node or another.")]
    [WolverinePost("/projections/{name}/rebuild")]
    public static async Task<IResult> Post(string name, ProjectionRebuilds rebuilds, CancellationToken ct)
    {
        var projection = Configuration.AsyncProjections.FirstOrDefault(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (projection is null)
            return Results.Problem(Problems.UnknownProjection(name, Configuration.AsyncProjections));
        if (!await rebuilds.StartAsync(projection, ct))
            return Results.Problem(Problems.RebuildRunning());
        return Results.Accepted("/projections", new RebuildStarted(projection, ProjectionStatus.Rebuilding));
    }
}
