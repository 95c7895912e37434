using TreatmentLedger.Api.ApiDocs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

/// <summary><c>POST /cases/{caseId}/entries</c>: one entry, optionally guarded by <c>If-Match: "&lt;version&gt;"</c>.</summary>
public static class RecordEntry
{
    /// <summary>The entry in the body and the version If-Match names (400 when either is malformed).</summary>
    public static async Task<(Submission?, ProblemDetails)> LoadAsync(HttpRequest request, TimeProvider clock, CancellationToken ct)
    {
        var (expectedVersion, badIfMatch) = RecordingHeaders.ExpectedVersion(request);
        if (badIfMatch is not null) return (null, Problems.Invalid(badIfMatch));
        var (body, invalidJson) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return (null, invalidJson);
        var errors = new ValidationErrors();
        var entry = EntryJson.Read(body, "", errors, clock.Today());
        return entry is null ? (null, Problems.Invalid(errors)) : (new Submission([entry], expectedVersion, _ => ""), WolverineContinue.NoProblems);
    }

    /// <summary>Stored by the writer queue with concurrent requests on other cases (404, 409, 422).</summary>
    [Authorize(Policy = Policies.Record)]
    [ReadsBody(BodyShape.Entry)]
    [ProducesResponseType<WrittenEntry>(StatusCodes.Status201Created)]
    [WolverinePost("/cases/{caseId}/entries")]
    public static Task<IResult> Post(Guid caseId, [NotBody] Submission submission, HttpContext http, CaseWriter writer) =>
        writer.RecordAsync(caseId, submission, http, written => Results.Json(written.Entries[0], statusCode: StatusCodes.Status201Created));
}
