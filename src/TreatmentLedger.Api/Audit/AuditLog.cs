using TreatmentLedger.Api.ApiDocs;
using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;
using Wolverine.Http;

namespace TreatmentLedger.Api.Audit;

/// <summary>
/// <c>GET /cases/{caseId}/entries</c>: every entry in sequence order with its metadata and status.
/// <c>asOf</c> keeps the entries about what had happened by that clinical date; <c>since</c>/<c>until</c> narrow it to what was recorded after one instant and up to another (statuses as known at
/// <c>until</c>), and <c>changes</c> sums up what that window added, corrected and retracted.
/// </summary>
public static class AuditLog
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [AnswersBody(BodyShape.AuditLog)]
    [WolverineGet("/cases/{caseId}/entries")]
    public static async Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, string? since, string? until, ClaimsPrincipal user, CaseReader reader,
        CancellationToken ct)
    {
        var (parameters, errors) = ReadQuery.Parse(asOf, knownAt);
        var from = ReadQuery.Instant("since", since, errors);
        var to = ReadQuery.Instant("until", until, errors);
        if (from is not null && to is not null && to < from) errors.Add("until", "must not be before since");
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));

        // Statuses are as known at the end of the window. Always the stream: it has the sequences the log shows.
        var knownUntil = Earliest(parameters.KnownAt, to) ?? DateTimeOffset.MaxValue;
        var history = await reader.ReadStreamAsync(user.Hospital(), caseId, knownUntil, ct);
        if (history is null) return Results.Problem(Problems.CaseNotFound(caseId));

        var window = history.RecordedUpTo(parameters.AsOf).Where(r => from is null || r.RecordedAt > from).ToList();
        return Results.Json(new JsonObject
        {
            ["caseId"] = caseId,
            ["version"] = history.Version,
            ["since"] = from,
            ["until"] = to,
            ["changes"] = Changes(window),
            ["entries"] = new JsonArray(window.Select(r => (JsonNode)Row(history, r)).ToArray()),
            ["estimatesUsed"] = JsonSerializer.SerializeToNode(EstimatesShown(window), EntryJson.Options),
        }, EntryJson.Options);
    }

    /// <summary>What the window did: the clinical entries it added, and the entries it corrected or retracted.</summary>
    private static JsonObject Changes(List<RecordedEntry> window)
    {
        JsonArray Ids(IEnumerable<Entry> entries) => new(entries.Select(e => (JsonNode)JsonValue.Create(e.EntryId)).ToArray());
        var entries = window.Select(r => r.Entry).ToList();
        return new JsonObject
        {
            ["added"] = Ids(entries.OfType<ClinicalEntry>()),
            ["corrected"] = Ids(entries.OfType<EntryCorrected>().DistinctBy(e => e.EntryId)),
            ["retracted"] = Ids(entries.OfType<EntryRetracted>()),
        };
    }

    /// <summary>The log shows every entry whole: each estimated field of the entries (and replacements) it lists.</summary>
    private static IReadOnlyList<EstimateUsed> EstimatesShown(List<RecordedEntry> window)
    {
        var used = new EstimatesUsed();
        foreach (var entry in window.Select(r => r.Entry))
            used.Use(entry is EntryCorrected corrected ? corrected.Replacement : entry, EstimatesUsed.All);
        return used.List();
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    public static JsonObject Row(CaseHistory history, RecordedEntry recorded)
    {
        var row = EntryJson.Write(recorded.Entry);
        var state = history.StateOf(recorded);
        row["sequence"] = recorded.Sequence;
        row["version"] = recorded.Version;
        row["recordedAt"] = recorded.RecordedAt;
        row["recordedBy"] = recorded.RecordedBy;
        row["correlationId"] = recorded.CorrelationId;
        row["status"] = state.Status;
        row["correctedBy"] = state.CorrectedBy;
        row["retractedBy"] = state.RetractedBy;
        return row;
    }
}
