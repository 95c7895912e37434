using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using Wolverine.Http;

namespace TreatmentLedger.Api.Outcomes;

/// <summary>
/// <c>GET /cases/{caseId}/outcomes</c>: overall survival, survival from first metastasis, and per line time to next
/// treatment, treatment-free interval and PFS2, each censored at the last contact while open.
/// </summary>
public static class GetOutcomes
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType<Projections.OutcomesView>(StatusCodes.Status200OK)]
    [WolverineGet("/cases/{caseId}/outcomes")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, ClaimsPrincipal user, CaseReader reader, CancellationToken ct) =>
        reader.ViewAsync(user.Hospital(), caseId, asOf, knownAt, Projections.Outcomes.Of, ct);
}
