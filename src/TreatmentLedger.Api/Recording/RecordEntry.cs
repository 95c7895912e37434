using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;
using Wolverine.Http;
using Wolverine.Marten;

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

    /// <summary>Judged against the case, under its lock (409, 422).</summary>
    public static Task<(Decision?, ProblemDetails)> BeforeAsync(Guid caseId, IEventStream<CaseState> stream, Submission submission,
        IDocumentSession session, EventRows rows, TimeProvider clock, CancellationToken ct) =>
        Decision.OnCaseAsync(caseId, stream, submission, session, rows, clock, ct);

    [WolverinePost("/cases/{caseId}/entries")]
    public static (IResult, Events) Post(
        [WriteAggregate("caseId", LoadStyle = Wolverine.Marten.ConcurrencyStyle.Exclusive, OnMissing = Wolverine.Persistence.OnMissing.ProblemDetailsWith404,
            MissingMessage = Problems.UnknownCase)]
        IEventStream<CaseState> stream,
        [NotBody] Decision decision) =>
        (decision.Answer(written => Results.Json(written.Entries[0], statusCode: StatusCodes.Status201Created)), new Events(decision.Events));
}
