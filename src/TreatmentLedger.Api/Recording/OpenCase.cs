using TreatmentLedger.Api.Http;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

public sealed record CaseOpenedResponse(Guid CaseId, long Version, Guid EntryId);

/// <summary><c>POST /cases</c>: the case-opened payload plus occurredOn opens a new case.</summary>
public static class OpenCase
{
    [WolverinePost("/cases")]
    public static async Task<IResult> Post(HttpContext http, CaseWriter writer, CancellationToken ct)
    {
        var (body, invalidJson) = await RequestJson.ReadAsync(http.Request, ct);
        if (invalidJson is not null) return invalidJson;
        var errors = new ValidationErrors();
        var entry = EntryRequests.ReadCaseOpened(body, "", errors, writer.Today);
        if (entry is null) return Problems.Invalid(errors);

        var (written, refusal) = await writer.StartAsync([entry], RecordingHeaders.From(http), ct);
        if (refusal is not null) return Problems.For(refusal);
        http.Response.Headers.ETag = $"\"{written!.Version}\"";
        return Results.Created($"/cases/{written.CaseId}", new CaseOpenedResponse(written.CaseId, written.Version, written.Entries[0].EntryId));
    }
}
