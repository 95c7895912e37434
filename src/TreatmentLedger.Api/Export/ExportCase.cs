using System.Text.Json.Nodes;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using Wolverine.Http;

namespace TreatmentLedger.Api.Export;

/// <summary><c>GET /cases/{caseId}/export</c>: the case file, replayable through <c>POST /cases/import</c>.</summary>
public static class ExportCase
{
    [WolverineGet("/cases/{caseId}/export")]
    public static async Task<IResult> Get(Guid caseId, HttpRequest request, CaseReader reader, CancellationToken ct)
    {
        var (parameters, errors) = ReadParameters.From(request);
        if (errors.Any) return Problems.Invalid(errors);
        var history = await reader.LoadAsync(caseId, parameters with { AsOf = null }, ct);
        if (history is null || history.Recorded.Count == 0) return Problems.CaseNotFound(caseId);
        return Results.Json(CaseFile(history), EntryJson.Options);
    }

    /// <summary>Every recorded entry in sequence order, corrections and retractions included, with their entryIds.</summary>
    public static JsonObject CaseFile(CaseHistory history)
    {
        var opening = EntryJson.Write(history.Recorded[0].Entry);
        opening.Remove("type");
        var entries = new JsonArray(history.Recorded.Skip(1).Select(r => (JsonNode)EntryJson.Write(r.Entry)).ToArray());
        return new JsonObject { ["case"] = opening, ["entries"] = entries };
    }
}
