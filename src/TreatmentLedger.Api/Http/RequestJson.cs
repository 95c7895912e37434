using System.Text;
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
    /// A field's path is spelt only for an error: spelling it for every field of a case file took a sixth of what the API
    /// allocated importing case files (docs/benchmarks.md).
    /// </summary>
    public static void CheckText(JsonNode? node, string path, ValidationErrors errors) =>
        CheckText(node, new List<object>(path.Length == 0 ? [] : [path]), errors);

    /// <summary>Checks <paramref name="node"/>, found at <paramref name="path"/> (field names and array indexes).</summary>
    private static void CheckText(JsonNode? node, List<object> path, ValidationErrors errors)
    {
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
                    errors.Add(Spelt(path), "holds a field name that is not valid UTF-8");
                    return;
                }
                foreach (var (name, child) in fields)
                {
                    if (Unstorable(name) is { } problem)
                    {
                        errors.Add(Spelt(path), $"holds a field name that {problem}");
                        continue;
                    }
                    path.Add(name);
                    CheckText(child, path, errors);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    path.Add(i);
                    CheckText(array[i], path, errors);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetValue<string>();
                }
                catch (InvalidOperationException)
                {
                    errors.Add(Spelt(path), "is not valid UTF-8 text");
                    return;
                }
                if (Unstorable(text) is { } message) errors.Add(Spelt(path), message);
                break;
        }
    }

    /// <summary>A path as errors name it: <c>entries[3].note</c>; <c>$</c> for the body itself, or an index at its root.</summary>
    private static string Spelt(List<object> path)
    {
        var spelt = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment is int index) spelt.Append(spelt.Length == 0 ? "$" : "").Append('[').Append(index).Append(']');
            else spelt.Append(spelt.Length == 0 ? "" : ".").Append(segment);
        }
        return spelt.Length == 0 ? "$" : spelt.ToString();
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
