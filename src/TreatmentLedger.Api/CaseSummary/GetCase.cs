using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using Wolverine.Http;

namespace TreatmentLedger.Api.CaseSummary;

/// <summary><c>GET /cases/{caseId}</c>: who, status, diagnosis and the current line.</summary>
public static class GetCase
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType<Projections.CaseSummaryView>(StatusCodes.Status200OK)]
    [WolverineGet("/cases/{caseId}")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, ClaimsPrincipal user, CaseReader reader, CancellationToken ct) =>
        reader.SummaryAsync(user.Hospital(), caseId, asOf, knownAt, ct);
}
