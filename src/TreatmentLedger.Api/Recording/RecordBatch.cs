using TreatmentLedger.Api.ApiDocs;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

public sealed record BatchEntryResponse(Guid EntryId, long Sequence);

public sealed record BatchResponse(IReadOnlyList<BatchEntryResponse> Entries, long Version);

/// <summary><c>POST /cases/{caseId}/entries/batch</c>: <c>{ entries: [...] }</c>, all stored or none.</summary>
public static class RecordBatch
{
    /// <summary>The entries in the body and the version If-Match names (400 naming each malformed field).</summary>
    public static async Task<(Submission?, ProblemDetails)> LoadAsync(HttpRequest request, TimeProvider clock, CancellationToken ct)
    {
        var (expectedVersion, badIfMatch) = RecordingHeaders.ExpectedVersion(request);
        if (badIfMatch is not null) return (null, Problems.Invalid(badIfMatch));
        var (body, invalidJson) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return (null, invalidJson);
        if (body is not JsonObject json) return (null, Problems.Invalid("$", "the body must be an object: { \"entries\": [...] }"));
        var errors = new ValidationErrors();
        EntryRequests.RejectOtherFields(json, errors, "entries");
        var entries = EntryRequests.ReadList(json, "entries", EntryRequests.MaxEntriesPerBatch, errors, clock.Today());
        return errors.Any
            ? (null, Problems.Invalid(errors))
            : (new Submission(entries, expectedVersion, index => $"entries[{index}]"), WolverineContinue.NoProblems);
    }

    /// <summary>Stored by the writer queue with concurrent requests on other cases (404, 409, 422 naming the first refused entry).</summary>
    [Authorize(Policy = Policies.Record)]
    [ReadsBody(BodyShape.Batch)]
    [ProducesResponseType<BatchResponse>(StatusCodes.Status201Created)]
    [WolverinePost("/cases/{caseId}/entries/batch")]
    public static Task<IResult> Post(Guid caseId, [NotBody] Submission submission, HttpContext http, CaseWriter writer) =>
        // The version the batch's entries reached: the new version, or for a batch sent again, the first answer's.
        writer.RecordAsync(caseId, submission, http, written => Results.Json(
            new BatchResponse(written.Entries.Select(e => new BatchEntryResponse(e.EntryId, e.Sequence)).ToList(), written.Entries.Max(e => e.Version)),
            statusCode: StatusCodes.Status201Created));
}
