using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Projections;
using Wolverine.Http;

namespace TreatmentLedger.Api.ProgressionFree;

/// <summary><c>GET /cases/{caseId}/progression-free-intervals</c>: case-level intervals and per-line progression-free survival.</summary>
public static class GetProgressionFreeIntervals
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType<ProgressionFreeView>(StatusCodes.Status200OK)]
    [WolverineGet("/cases/{caseId}/progression-free-intervals")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, ClaimsPrincipal user, CaseReader reader, CancellationToken ct) =>
        reader.ViewAsync(user.Hospital(), caseId, asOf, knownAt, ProgressionFreeIntervals.Of, ct);
}
