using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Security;

namespace TreatmentLedger.Api.ApiDocs;

/// <summary>
/// What every operation of the document says beyond what the generator sees: the bearer token and the roles that open
/// the route (SECURITY.md), the problem answers the ledger's middleware and checks give on every route of a kind (401,
/// 403, 404 of a case, 400, 413, 415, 429, 503; 409 and 422 of the recording routes), the endpoint's own problem answers (its <c>[ProducesResponseType]</c>
/// of <see cref="ProblemDetails"/>), and the bodies read or answered by hand (<see cref="ReadsBodyAttribute"/>,
/// <see cref="AnswersBodyAttribute"/>) with the example of each write.
/// </summary>
public sealed partial class Operations : IOpenApiOperationTransformer
{
    public const string BearerScheme = "Bearer";
    private const string ProblemJson = "application/problem+json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var document = context.Document!;
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var path = "/" + context.Description.RelativePath;
        operation.Responses ??= new OpenApiResponses();
        // Wolverine tags an operation with its endpoint class (TreatmentLedger.Api.<Folder>.<UseCase>): the page groups
        // operations by the feature's folder instead, and names each by its use case ("GetTimelineSvg": "Get timeline svg").
        if (operation.Tags?.FirstOrDefault()?.Name?.Split('.') is [.., var folder, var useCase])
        {
            operation.Tags = new HashSet<OpenApiTagReference> { new(folder, document) };
            var words = UseCaseWords().Replace(useCase, " $1").ToLowerInvariant();
            operation.Summary = char.ToUpperInvariant(words[0]) + words[1..];
        }
        // Wolverine guesses the answers of an endpoint that answers an IResult (200 of IResult, 404 for none) or writes its
        // answer itself (204): the ledger's endpoints declare theirs with [ProducesResponseType]; only those are kept.
        var declared = metadata.OfType<ProducesResponseTypeAttribute>().Select(a => Key(a.StatusCode)).ToHashSet();
        foreach (var guessed in operation.Responses.Keys.Where(k => !declared.Contains(k)).ToList()) operation.Responses.Remove(guessed);

        var reads = metadata.OfType<ReadsBodyAttribute>().FirstOrDefault();
        if (reads is not null)
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [reads.MediaType] = new() { Schema = new OpenApiSchemaReference(EntrySchemas.IdOf(reads.Shape), document), Example = WriteExamples.For(reads.Shape) },
                },
            };
        if (reads?.Shape is BodyShape.Entry or BodyShape.Batch)
            (operation.Parameters ??= []).Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Description = "\"<version>\": store only if the case is at this version (else 409).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^\"[0-9]+\"$" },
            });
        if (metadata.OfType<AnswersBodyAttribute>().FirstOrDefault() is { } answers)
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "OK",
                Content = new Dictionary<string, OpenApiMediaType> { [answers.MediaType] = new() { Schema = new OpenApiSchemaReference(EntrySchemas.IdOf(answers.Shape), document) } },
            };
        if (path == "/cases/import/fhir")
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.Name == "lenient") ?? [])
            {
                // Read as text so that any other value is a 400 naming it; true and false are the values it takes.
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean };
                parameter.Description = "true: record what the Bundle maps to and list the resources it cannot (else 422 naming them).";
            }
        if (path == "/projections/{name}/rebuild")
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.Name == "name") ?? [])
            {
                parameter.Description = $"An async projection: {string.Join(", ", Configuration.AsyncProjections)}.";
                parameter.Example = CaseFactsProjection.Name;
            }

        var takesInput = operation.RequestBody is not null || operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true;
        if (takesInput || path.Contains("{caseId}", StringComparison.Ordinal))
            Problem(operation, StatusCodes.Status400BadRequest, "A field, parameter or header is not valid: errors names each.", document);
        if (operation.RequestBody is not null)
        {
            Problem(operation, StatusCodes.Status413PayloadTooLarge, "The body is larger than the route takes; nothing was stored.", document);
            Problem(operation, StatusCodes.Status415UnsupportedMediaType, "The body is not JSON (UTF-8); nothing was stored.", document);
        }
        if (path.Contains("{caseId}", StringComparison.Ordinal) || path == "/feed")
            Problem(operation, StatusCodes.Status404NotFound, "No such case in the caller's hospital (another hospital's case is unknown too).", document);

        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            Problem(operation, StatusCodes.Status401Unauthorized, "No token, or a token that is not valid (signature, issuer, audience, expiry).", document);
            if (metadata.OfType<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(p => p is not null) is { } policy)
            {
                var roles = string.Join(" or ", Policies.RolesOf[policy]);
                operation.Description = $"Role: {roles}.";
                Problem(operation, StatusCodes.Status403Forbidden, $"The token does not carry the role this route needs ({roles}).", document);
            }
            Problem(operation, StatusCodes.Status429TooManyRequests, "The caller's request rate limit is reached: retry after Retry-After seconds.", document);
            Problem(operation, StatusCodes.Status503ServiceUnavailable, "The store is out of reach: retry after Retry-After seconds.", document);
        }

        // The recording routes: every one decides the clinical rules, and those that add to a case check the entryIds
        // against the case's and If-Match against its version.
        if (reads?.Shape is BodyShape.Entry or BodyShape.Batch)
            Problem(operation, StatusCodes.Status409Conflict,
                "An entryId is already used by a different entry, or If-Match names another version than the case's; nothing was stored.", document);
        if (reads?.Shape is BodyShape.CaseOpened or BodyShape.CaseFile or BodyShape.Entry or BodyShape.Batch)
            Problem(operation, StatusCodes.Status422UnprocessableEntity, "An entry breaks a clinical rule (DOMAIN.md); nothing was stored.", document);

        // The endpoint's own problem answers, last: their descriptions are the most precise.
        foreach (var produces in metadata.OfType<ProducesResponseTypeAttribute>().Where(p => p.Type.IsAssignableTo(typeof(ProblemDetails))))
            Problem(operation, produces.StatusCode, produces.Description ?? ReasonPhrase(produces.StatusCode), document);
        return Task.CompletedTask;
    }

    private static void Problem(OpenApiOperation operation, int status, string description, OpenApiDocument document)
    {
        var schema = status == StatusCodes.Status400BadRequest ? EntrySchemas.ValidationProblem : EntrySchemas.Problem;
        operation.Responses![Key(status)] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference(schema, document) } },
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial System.Text.RegularExpressions.Regex UseCaseWords();

    private static string Key(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
