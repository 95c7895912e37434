using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Http;

public static class RequestJson
{
    /// <summary>Deeper JSON is refused (400) before any field is read.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// The request body as JSON, or the 400 to answer when it is not JSON, is nested deeper than <see cref="MaxDepth"/>,
    /// or holds text the store cannot keep (see <see cref="CheckText"/>).
    /// </summary>
    public static async Task<(JsonNode? Body, ProblemDetails Problem)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        JsonNode? node;
        try
        {
            // A field given twice is malformed input (400); allowed, JsonObject would throw on first access (500).
            node = await JsonNode.ParseAsync(request.Body,
                documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = MaxDepth }, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return (null, Problems.Invalid("$", $"the body is not valid JSON: {e.Message}"));
        }
        if (node is null) return (null, Problems.Invalid("$", "the body must be a JSON object"));
        var errors = new ValidationErrors();
        CheckText(node, "", errors);
        return errors.Any ? (null, Problems.Invalid(errors)) : (node, WolverineContinue.NoProblems);
    }

    /// <summary>
    /// Every field name and string value must be valid Unicode (no invalid UTF-8, no lone surrogate escape) without NUL
    /// characters: PostgreSQL refuses both in text and jsonb, and invalid UTF-8 cannot even be read as a string.
    /// </summary>
    public static void CheckText(JsonNode? node, string path, ValidationErrors errors)
    {
        var field = path.Length == 0 ? "$" : path;
        switch (node)
        {
            case JsonObject json:
                List<KeyValuePair<string, JsonNode?>> fields;
                try
                {
                    fields = json.ToList();
                }
                catch (InvalidOperationException)
                {
                    errors.Add(field, "holds a field name that is not valid UTF-8");
                    return;
                }
                foreach (var (name, child) in fields)
                {
                    if (Unstorable(name) is { } problem)
                    {
                        errors.Add(field, $"holds a field name that {problem}");
                        continue;
                    }
                    CheckText(child, path.Length == 0 ? name : $"{path}.{name}", errors);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) CheckText(array[i], $"{field}[{i}]", errors);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetValue<string>();
                }
                catch (InvalidOperationException)
                {
                    errors.Add(field, "is not valid UTF-8 text");
                    return;
                }
                if (Unstorable(text) is { } message) errors.Add(field, message);
                break;
        }
    }

    /// <summary>Why the store cannot keep <paramref name="text"/>, or null when it can.</summary>
    public static string? Unstorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return "must not contain NUL characters (\\u0000)";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(c)) return "is not valid Unicode text (a lone surrogate)";
        }
        return null;
    }
}
