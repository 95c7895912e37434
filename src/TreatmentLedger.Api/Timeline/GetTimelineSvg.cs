using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Projections;
using Wolverine.Http;

namespace TreatmentLedger.Api.Timeline;

/// <summary><c>GET /cases/{caseId}/timeline.svg</c>: the timeline drawn like Figure 1D of the founding report.</summary>
public static class GetTimelineSvg
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "image/svg+xml")]
    [WolverineGet("/cases/{caseId}/timeline.svg")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, ClaimsPrincipal user, CaseReader reader, CancellationToken ct) =>
        reader.RespondAsync(user.Hospital(), caseId, asOf, knownAt, (history, point) =>
        {
            var title = $"Case {history.Opening?.PatientRef ?? caseId.ToString()} — timeline";
            return Results.Text(TimelineSvg.Render(Projections.Timeline.Of(history, point), title), "image/svg+xml");
        }, ct);
}
