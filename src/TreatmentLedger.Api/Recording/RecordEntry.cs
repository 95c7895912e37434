using TreatmentLedger.Api.Http;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

/// <summary><c>POST /cases/{caseId}/entries</c>: one entry, optionally guarded by <c>If-Match: "&lt;version&gt;"</c>.</summary>
public static class RecordEntry
{
    [WolverinePost("/cases/{caseId}/entries")]
    public static async Task<IResult> Post(Guid caseId, HttpContext http, CaseWriter writer, CancellationToken ct)
    {
        var (expectedVersion, badIfMatch) = RecordingHeaders.ExpectedVersion(http.Request);
        if (badIfMatch is not null) return Problems.Invalid(badIfMatch);
        var (body, invalidJson) = await RequestJson.ReadAsync(http.Request, ct);
        if (invalidJson is not null) return invalidJson;
        var errors = new ValidationErrors();
        var entry = EntryJson.Read(body, "", errors, writer.Today);
        if (entry is null) return Problems.Invalid(errors);

        var (written, refusal) = await writer.AppendAsync(caseId, [entry], expectedVersion, RecordingHeaders.From(http), "", ct);
        if (refusal is not null) return Problems.For(refusal);
        http.Response.Headers.ETag = $"\"{written!.Version}\"";
        return Results.Json(written.Entries[0], statusCode: StatusCodes.Status201Created);
    }
}
