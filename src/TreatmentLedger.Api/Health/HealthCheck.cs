using Microsoft.AspNetCore.Authorization;
using Marten;
using Wolverine.Http;

namespace TreatmentLedger.Api.Health;

/// <summary><c>GET /health</c>: 200 when the store answers, 503 otherwise.</summary>
public static class HealthCheck
{
    [AllowAnonymous]
    [WolverineGet("/health")]
    public static async Task<IResult> Get(IDocumentStore store, CancellationToken ct)
    {
        try
        {
            await using var session = store.QuerySession();
            await session.QueryAsync<int>("select 1", ct);
            return Results.Ok(new { status = "ok", store = "answering" });
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The store does not answer", detail: e.Message);
        }
    }
}
