using TreatmentLedger.Api.ApiDocs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

/// <summary>The opened case; <c>sequence</c> is the case-opened entry's global sequence (a <c>minPosition</c> for the dashboards).</summary>
public sealed record CaseOpenedResponse(Guid CaseId, long Version, Guid EntryId, long Sequence);

/// <summary>
/// <c>POST /cases</c>: the case-opened payload plus occurredOn opens a new case. With an <c>entryId</c>, sent again it
/// answers as the first time (the same case, version 1) and stores nothing; with other content, 409 (DOMAIN.md,
/// Idempotency): the case's id is derived from the hospital and the entryId (<see cref="StoredEvents.CaseIdOf"/>).
/// </summary>
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
    public static Task<IResult> Post([NotBody] Submission submission, HttpContext http, CaseWriter writer)
    {
        var entryId = submission.Entries[0].EntryId;
        Guid? caseId = entryId == Guid.Empty ? null : StoredEvents.CaseIdOf(http.User.Hospital(), entryId);
        return writer.RecordAsync(caseId, submission, http, written =>
            Results.Created($"/cases/{written.CaseId}", new CaseOpenedResponse(written.CaseId, written.Entries[0].Version, written.Entries[0].EntryId,
                written.Entries[0].Sequence)), opensCase: true);
    }
}
