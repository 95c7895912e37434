using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;
using Wolverine.Http;
using Wolverine.Marten;

namespace TreatmentLedger.Api.Recording;

public sealed record CaseOpenedResponse(Guid CaseId, long Version, Guid EntryId);

/// <summary><c>POST /cases</c>: the case-opened payload plus occurredOn opens a new case.</summary>
public static class OpenCase
{
    /// <summary>The case-opened in the body (400 naming each malformed field), judged as a new case's first entry.</summary>
    public static async Task<(Decision?, ProblemDetails)> LoadAsync(HttpRequest request, TimeProvider clock, CancellationToken ct)
    {
        var (body, invalidJson) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return (null, invalidJson);
        var errors = new ValidationErrors();
        var entry = EntryRequests.ReadCaseOpened(body, "", errors, clock.Today());
        if (entry is null) return (null, Problems.Invalid(errors));
        return Decision.ForNewCase(new Submission([entry], null, Submission.CaseFileField), clock);
    }

    [WolverinePost("/cases")]
    public static (IResult, IStartStream) Post([NotBody] Decision decision) =>
        (decision.Answer(written => Results.Created($"/cases/{written.CaseId}", new CaseOpenedResponse(written.CaseId, written.Version, written.Entries[0].EntryId))),
            MartenOps.StartStream<CaseState>(decision.CaseId, decision.Events.Cast<object>().ToArray()));
}
