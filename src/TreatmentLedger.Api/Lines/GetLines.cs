using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using Wolverine.Http;

namespace TreatmentLedger.Api.Lines;

/// <summary><c>GET /cases/{caseId}/lines</c>: the lines of systemic therapy in order.</summary>
public static class GetLines
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType<Projections.LinesView>(StatusCodes.Status200OK)]
    [WolverineGet("/cases/{caseId}/lines")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, ClaimsPrincipal user, CaseReader reader, CancellationToken ct) =>
        reader.ViewAsync(user.Hospital(), caseId, asOf, knownAt, (history, point) => Projections.LinesView.Of(history, point), ct);
}
