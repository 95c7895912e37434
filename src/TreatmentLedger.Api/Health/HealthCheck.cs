using Microsoft.AspNetCore.Mvc;
using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Faults;
using Wolverine.Http;

namespace TreatmentLedger.Api.Health;

public sealed record Alive(string Status);

/// <summary><c>ok</c> or <c>degraded</c>, and the async projections that lag or do not run.</summary>
public sealed record Readiness(string Status, string Store, IReadOnlyList<ProjectionState> Lagging);

/// <summary>
/// <c>GET /health/live</c>: 200 while the process runs. <c>GET /health/ready</c> and <c>GET /health</c>: 200 when the
/// store answers, else 503 with Retry-After; the status is <c>degraded</c> (still 200: the node serves) while an async
/// projection lags more than <see cref="ProjectionStatus.LagLimit"/> events or is not running.
/// </summary>
public static class HealthCheck
{
    /// <summary>The store's answer to the probe's one query is awaited this long at most.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    [AllowAnonymous]
    [ProducesResponseType<Alive>(StatusCodes.Status200OK)]
    [WolverineGet("/health/live")]
    public static IResult Live() => Results.Ok(new Alive("alive"));

    [AllowAnonymous]
    [ProducesResponseType<Readiness>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json", Description = "The store does not answer: retry after Retry-After seconds.")]
    [WolverineGet("/health/ready")]
    public static Task<IResult> Ready(ProjectionStatus projections, HttpContext http, CancellationToken ct) =>
        ProbeAsync(projections, http, ct);

    [AllowAnonymous]
    [ProducesResponseType<Readiness>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json", Description = "The store does not answer: retry after Retry-After seconds.")]
    [WolverineGet("/health")]
    public static Task<IResult> Get(ProjectionStatus projections, HttpContext http, CancellationToken ct) =>
        ProbeAsync(projections, http, ct);

    private static async Task<IResult> ProbeAsync(ProjectionStatus projections, HttpContext http, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ProbeTimeout);
        try
        {
            // One query, on one connection attempt, no retries (readiness is about now): the store answers if the
            // projections' status can be read.
            var lagging = (await projections.ReadAsync(deadline.Token)).Projections
                .Where(p => p.Lag > ProjectionStatus.LagLimit || p.Status is not (ProjectionStatus.Running or ProjectionStatus.Rebuilding))
                .ToList();
            return Results.Ok(new Readiness(lagging.Count == 0 ? "ok" : "degraded", "answering", lagging));
        }
        catch (Exception e) when (!ct.IsCancellationRequested && (StoreFaults.IsUnreachable(e) || e is OperationCanceledException))
        {
            http.Response.Headers.RetryAfter = StoreFaults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Results.Problem(StoreFaults.StoreUnavailable());
        }
    }
}
