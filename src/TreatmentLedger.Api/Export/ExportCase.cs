using TreatmentLedger.Api.ApiDocs;
using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using Wolverine.Http;

namespace TreatmentLedger.Api.Export;

/// <summary><c>GET /cases/{caseId}/export</c>: the case file, replayable through <c>POST /cases/import</c>.</summary>
public static class ExportCase
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [AnswersBody(BodyShape.CaseFile)]
    [WolverineGet("/cases/{caseId}/export")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, ClaimsPrincipal user, CaseReader reader, CancellationToken ct) =>
        reader.RespondAsync(user.Hospital(), caseId, asOf, knownAt, (history, point) => Results.Json(CaseFile(history.RecordedUpTo(point.AsOf)), EntryJson.Options), ct);

    /// <summary>
    /// Every recorded entry in sequence order, corrections and retractions included, with their entryIds
    /// (with asOf, only what had happened by then: a case file of the course up to that date).
    /// </summary>
    public static JsonObject CaseFile(IReadOnlyList<RecordedEntry> recorded)
    {
        var opening = EntryJson.Write(recorded[0].Entry);
        opening.Remove("type");
        var entries = new JsonArray(recorded.Skip(1).Select(r => (JsonNode)EntryJson.Write(r.Entry)).ToArray());
        return new JsonObject { ["case"] = opening, ["entries"] = entries };
    }
}
