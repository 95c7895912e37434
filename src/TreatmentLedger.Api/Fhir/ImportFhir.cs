using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.ApiDocs;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Fhir;

/// <summary>The entries read from a Bundle, and the resources left out of them (only with <c>lenient=true</c>).</summary>
public sealed record FhirSubmission(Submission Submission, IReadOnlyList<NotImported> NotImported);

public sealed record FhirImportResponse(Guid CaseId, long Version, IReadOnlyList<BatchEntryResponse> Entries, IReadOnlyList<NotImported> NotImported);

/// <summary>
/// <c>POST /cases/import/fhir</c>: a Bundle as <c>GET /cases/{caseId}/fhir</c> answers it becomes a new case, atomically
/// (201, like <c>POST /cases/import</c>). Resources that cannot be mapped to entries are a 422 naming each one, unless
/// <c>lenient=true</c>, which records the rest and lists them.
/// </summary>
public static class ImportFhir
{
    public static async Task<(FhirSubmission?, ProblemDetails)> LoadAsync(HttpRequest request, string? lenient, TimeProvider clock, CancellationToken ct)
    {
        if (lenient is not (null or "true" or "false")) return (null, Problems.Invalid("lenient", "must be true or false"));
        var (body, invalidJson) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return (null, invalidJson);
        Bundle bundle;
        if (body is not JsonObject json || json["resourceType"]?.GetValueKind() != JsonValueKind.String || json["resourceType"]!.GetValue<string>() != "Bundle")
            return (null, Problems.Invalid("resourceType", "must be Bundle"));
        try
        {
            bundle = body.Deserialize<Bundle>(FhirTerms.Json) ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is DeserializationFailedException or JsonException)
        {
            return (null, Problems.Invalid("$", $"the body must be a FHIR R4 Bundle: {e.Message}"));
        }
        if (bundle.Type != Bundle.BundleType.Collection)
            return (null, Problems.Invalid("type", "must be collection: a case as GET /cases/{caseId}/fhir answers it (a transaction, batch or document Bundle is not taken)"));
        var read = FhirImport.Read(bundle, clock.Today());
        if (read.Entries.Count > EntryRequests.MaxEntriesPerCaseFile)
            return (null, Problems.Invalid("entry", $"must make at most {EntryRequests.MaxEntriesPerCaseFile:N0} entries; send the rest with POST /cases/{{caseId}}/entries/batch"));
        if (read.Entries.FirstOrDefault()?.Entry is not CaseOpened)
            return (null, NotMapped("The Bundle holds no Patient to open the case with", read.NotImported));
        if (read.NotImported.Count > 0 && lenient != "true")
            return (null, NotMapped("Resources of the Bundle cannot be mapped to entries", read.NotImported));
        var entries = read.Entries;
        return (new FhirSubmission(new Submission(entries.Select(e => e.Entry).ToList(), null, i => entries[i].Resources), read.NotImported),
            WolverineContinue.NoProblems);
    }

    /// <summary>Judged as one new case (422 naming the resources of the first refused entry), stored atomically by the writer queue.</summary>
    [Authorize(Policy = Policies.Record)]
    [ReadsBody(BodyShape.FhirBundle, FhirTerms.MediaType)]
    [ProducesResponseType<FhirImportResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json",
        Description = "Resources cannot be mapped to entries (notImported names each), or an entry breaks a clinical rule; nothing was stored.")]
    [WolverinePost("/cases/import/fhir")]
    [RequestSizeLimit(Limits.CaseFileBodyBytes)]
    public static Task<IResult> Post([NotBody] FhirSubmission submission, HttpContext http, CaseWriter writer) =>
        writer.RecordAsync(null, submission.Submission, http, written => Results.Created($"/cases/{written.CaseId}",
            new FhirImportResponse(written.CaseId, written.Version, written.Entries.Select(e => new BatchEntryResponse(e.EntryId, e.Sequence)).ToList(),
                submission.NotImported)));

    private static ProblemDetails NotMapped(string title, IReadOnlyList<NotImported> notImported) => new()
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Title = title,
        Detail = notImported.Count == 0
            ? "A case opens with the Patient the export writes (its identifier urn:treatment-ledger:entry of type case-opened); nothing was stored."
            : $"{notImported.Count} resource(s) cannot be mapped to entries (see notImported); nothing was stored. " +
              "With lenient=true the others are recorded and these listed.",
        Extensions = { ["notImported"] = notImported },
    };
}
