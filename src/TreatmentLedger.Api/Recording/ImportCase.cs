using System.Text.Json.Nodes;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

public sealed record ImportResponse(Guid CaseId, long Version, IReadOnlyList<BatchEntryResponse> Entries);

/// <summary><c>POST /cases/import</c>: a case file <c>{ case, entries }</c> becomes a new case, atomically.</summary>
public static class ImportCase
{
    [WolverinePost("/cases/import")]
    public static async Task<IResult> Post(HttpContext http, CaseWriter writer, CancellationToken ct)
    {
        var (body, invalidJson) = await RequestJson.ReadAsync(http.Request, ct);
        if (invalidJson is not null) return invalidJson;
        var (written, problem) = await ImportAsync(body, writer, RecordingHeaders.From(http), ct);
        if (problem is not null) return problem;
        http.Response.Headers.ETag = $"\"{written!.Version}\"";
        return Results.Created($"/cases/{written.CaseId}", ToResponse(written));
    }

    public static ImportResponse ToResponse(Written written) =>
        new(written.CaseId, written.Version, written.Entries.Select(e => new BatchEntryResponse(e.EntryId, e.Sequence)).ToList());

    /// <summary>Validates a whole case file, then records it as one new stream.</summary>
    public static async Task<(Written? Written, IResult? Problem)> ImportAsync(JsonNode? body, CaseWriter writer, RecordingContext context, CancellationToken ct)
    {
        if (body is not JsonObject json) return (null, Problems.Invalid("$", "the body must be a case file: { \"case\": {...}, \"entries\": [...] }"));
        var errors = new ValidationErrors();
        EntryRequests.RejectOtherFields(json, errors, "case", "entries");
        var opening = EntryRequests.ReadCaseOpened(json["case"], "case", errors, writer.Today);
        var entries = json["entries"] is JsonArray { Count: 0 } ? [] : EntryRequests.ReadList(json, "entries", errors, writer.Today);
        if (opening is not null && opening.EntryId != Guid.Empty && entries.Any(e => e is ClinicalEntry && e.EntryId == opening.EntryId))
            errors.Add("case.entryId", "is also the entryId of an entry of the file");
        if (errors.Any || opening is null) return (null, Problems.Invalid(errors));
        var (written, refusal) = await writer.StartAsync([opening, .. entries], context, ct);
        return (written, refusal is null ? null : Problems.For(refusal));
    }
}
