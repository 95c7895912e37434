using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using Wolverine.Http;

namespace TreatmentLedger.Api.Timeline;

/// <summary><c>GET /cases/{caseId}/timeline</c>: entries and line bars in clinical order, by lane.</summary>
public static class GetTimeline
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType<Projections.TimelineView>(StatusCodes.Status200OK)]
    [WolverineGet("/cases/{caseId}/timeline")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, ClaimsPrincipal user, CaseReader reader, CancellationToken ct) =>
        reader.ViewAsync(user.Hospital(), caseId, asOf, knownAt, Projections.Timeline.Of, ct);
}
