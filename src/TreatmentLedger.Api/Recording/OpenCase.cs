using TreatmentLedger.Api.ApiDocs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

/// <summary>The opened case; <c>sequence</c> is the case-opened entry's global sequence (a <c>minPosition</c> for the dashboards).</summary>
public sealed record CaseOpenedResponse(Guid CaseId, long Version, Guid EntryId, long Sequence);

/// <summary><c>POST /cases</c>: the case-opened payload plus occurredOn opens a new case.</summary>
public static class OpenCase
{
    /// <summary>The case-opened in the body (400 naming each malformed field).</summary>
    public static async Task<(Submission?, ProblemDetails)> LoadAsync(HttpRequest request, TimeProvider clock, CancellationToken ct)
    {
        var (body, invalidJson) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return (null, invalidJson);
        var errors = new ValidationErrors();
        var entry = EntryRequests.ReadCaseOpened(body, "", errors, clock.Today());
        if (entry is null) return (null, Problems.Invalid(errors));
        return (new Submission([entry], null, Submission.CaseFileField), WolverineContinue.NoProblems);
    }

    [Authorize(Policy = Policies.Record)]
    [ReadsBody(BodyShape.CaseOpened)]
    [ProducesResponseType<CaseOpenedResponse>(StatusCodes.Status201Created)]
    [WolverinePost("/cases")]
    public static Task<IResult> Post([NotBody] Submission submission, HttpContext http, CaseWriter writer) =>
        writer.RecordAsync(null, submission, http, written =>
            Results.Created($"/cases/{written.CaseId}", new CaseOpenedResponse(written.CaseId, written.Version, written.Entries[0].EntryId, written.Entries[0].Sequence)));
}
