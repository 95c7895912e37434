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

public sealed record ImportResponse(Guid CaseId, long Version, IReadOnlyList<BatchEntryResponse> Entries);

/// <summary><c>POST /cases/import</c>: a case file <c>{ case, entries }</c> becomes a new case, atomically.</summary>
public static class ImportCase
{
    /// <summary>The whole case file, validated (400 naming each malformed field).</summary>
    public static async Task<(Submission?, ProblemDetails)> LoadAsync(HttpRequest request, TimeProvider clock, CancellationToken ct)
    {
        var (body, invalidJson) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return (null, invalidJson);
        if (body is not JsonObject json) return (null, Problems.Invalid("$", "the body must be a case file: { \"case\": {...}, \"entries\": [...] }"));
        var errors = new ValidationErrors();
        var entries = EntryRequests.ReadCaseFile(json, errors, clock.Today());
        if (errors.Any || entries is null) return (null, Problems.Invalid(errors));
        return (new Submission(entries, null, Submission.CaseFileField), WolverineContinue.NoProblems);
    }

    /// <summary>Judged as one new case (422 naming the first refused entry), stored atomically by the writer queue.</summary>
    [Authorize(Policy = Policies.Record)]
    [ReadsBody(BodyShape.CaseFile)]
    [ProducesResponseType<ImportResponse>(StatusCodes.Status201Created)]
    [WolverinePost("/cases/import")]
    [RequestSizeLimit(Limits.CaseFileBodyBytes)]
    public static Task<IResult> Post([NotBody] Submission submission, HttpContext http, CaseWriter writer) =>
        writer.RecordAsync(null, submission, http, written => Results.Created($"/cases/{written.CaseId}",
            new ImportResponse(written.CaseId, written.Version, written.Entries.Select(e => new BatchEntryResponse(e.EntryId, e.Sequence)).ToList())));
}
