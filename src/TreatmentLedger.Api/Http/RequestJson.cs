using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace TreatmentLedger.Api.Http;

public static class RequestJson
{
    /// <summary>The request body as JSON, or the 400 to answer when it is not JSON.</summary>
    public static async Task<(JsonNode? Body, ProblemDetails Problem)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            // A field given twice is malformed input (400); allowed, JsonObject would throw on first access (500).
            var node = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }, cancellationToken: ct);
            return node is null ? (null, Problems.Invalid("$", "the body must be a JSON object")) : (node, WolverineContinue.NoProblems);
        }
        catch (JsonException e)
        {
            return (null, Problems.Invalid("$", $"the body is not valid JSON: {e.Message}"));
        }
    }
}
