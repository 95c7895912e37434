using System.Text.Json.Nodes;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

public sealed record BatchEntryResponse(Guid EntryId, long Sequence);

public sealed record BatchResponse(IReadOnlyList<BatchEntryResponse> Entries, long Version);

/// <summary><c>POST /cases/{caseId}/entries/batch</c>: <c>{ entries: [...] }</c>, all stored or none.</summary>
public static class RecordBatch
{
    [WolverinePost("/cases/{caseId}/entries/batch")]
    public static async Task<IResult> Post(Guid caseId, HttpContext http, CaseWriter writer, CancellationToken ct)
    {
        var (expectedVersion, badIfMatch) = RecordingHeaders.ExpectedVersion(http.Request);
        if (badIfMatch is not null) return Problems.Invalid(badIfMatch);
        var (body, invalidJson) = await RequestJson.ReadAsync(http.Request, ct);
        if (invalidJson is not null) return invalidJson;
        if (body is not JsonObject json) return Problems.Invalid("$", "the body must be an object: { \"entries\": [...] }");
        var errors = new ValidationErrors();
        EntryRequests.RejectOtherFields(json, errors, "entries");
        var entries = EntryRequests.ReadList(json, "entries", errors, writer.Today);
        if (errors.Any) return Problems.Invalid(errors);

        var (written, refusal) = await writer.AppendAsync(caseId, entries, expectedVersion, RecordingHeaders.From(http), "entries", ct);
        if (refusal is not null) return Problems.For(refusal);
        http.Response.Headers.ETag = $"\"{written!.Version}\"";
        // The version the batch's entries reached: the new version, or for a batch sent again, the first answer's.
        return Results.Json(
            new BatchResponse(written.Entries.Select(e => new BatchEntryResponse(e.EntryId, e.Sequence)).ToList(), written.Entries.Max(e => e.Version)),
            statusCode: StatusCodes.Status201Created);
    }
}
