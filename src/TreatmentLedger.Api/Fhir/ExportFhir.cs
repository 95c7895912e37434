using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.ApiDocs;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using Wolverine.Http;

namespace TreatmentLedger.Api.Fhir;

/// <summary><c>GET /cases/{caseId}/fhir</c>: the case as a FHIR R4 Bundle shaped by mCODE STU4 (INTEROP.md), as of asOf/knownAt.</summary>
public static class ExportFhir
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [AnswersBody(BodyShape.FhirBundle, FhirTerms.MediaType)]
    [WolverineGet("/cases/{caseId}/fhir")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, ClaimsPrincipal user, CaseReader reader, CancellationToken ct) =>
        reader.RespondAsync(user.Hospital(), caseId, asOf, knownAt,
            (history, point) => Answer(FhirExport.Of(history.Opening!, point.Select(history))), ct);

    /// <summary>A resource as <c>application/fhir+json</c>.</summary>
    public static IResult Answer(Resource resource, int status = StatusCodes.Status200OK) =>
        Results.Text(JsonSerializer.Serialize(resource, FhirTerms.Json), FhirTerms.MediaType, Encoding.UTF8, status);
}
