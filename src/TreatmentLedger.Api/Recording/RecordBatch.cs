using System.Text.Json.Nodes;
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
        var entries = EntryRequests.ReadList(json, "entries", errors, clock.Today());
        return errors.Any
            ? (null, Problems.Invalid(errors))
            : (new Submission(entries, expectedVersion, index => $"entries[{index}]"), WolverineContinue.NoProblems);
    }

    /// <summary>Judged against the case, under its lock (409, 422 naming the first refused entry).</summary>
    public static Task<(Decision?, ProblemDetails)> BeforeAsync(Guid caseId, IEventStream<CaseState> stream, Submission submission,
        IDocumentSession session, EventRows rows, TimeProvider clock, CancellationToken ct) =>
        Decision.OnCaseAsync(caseId, stream, submission, session, rows, clock, ct);

    [WolverinePost("/cases/{caseId}/entries/batch")]
    public static (IResult, Events) Post(
        [WriteAggregate("caseId", LoadStyle = Wolverine.Marten.ConcurrencyStyle.Exclusive, OnMissing = Wolverine.Persistence.OnMissing.ProblemDetailsWith404,
            MissingMessage = Problems.UnknownCase)]
        IEventStream<CaseState> stream,
        [NotBody] Decision decision) =>
        // The version the batch's entries reached: the new version, or for a batch sent again, the first answer's.
        (decision.Answer(written => Results.Json(
            new BatchResponse(written.Entries.Select(e => new BatchEntryResponse(e.EntryId, e.Sequence)).ToList(), written.Entries.Max(e => e.Version)),
            statusCode: StatusCodes.Status201Created)), new Events(decision.Events));
}
