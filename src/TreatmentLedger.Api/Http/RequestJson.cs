using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
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
        var (buffer, length) = await ReadBodyAsync(request, ct);
        try
        {
            var body = buffer.AsSpan(0, length);
            JsonNode? node;
            try
            {
                // A field given twice is malformed input (400); allowed, JsonObject would throw on first access (500).
                node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = MaxDepth });
            }
            catch (JsonException e)
            {
                return (null, Problems.Invalid("$", $"the body is not valid JSON: {e.Message}"));
            }
            if (node is null) return (null, Problems.Invalid("$", "the body must be a JSON object"));
            if (AllTextStorable(body)) return (node, WolverineContinue.NoProblems);
            var errors = new ValidationErrors();
            CheckText(node, [], errors);
            return (null, Problems.Invalid(errors));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const int FirstBufferBytes = 1 << 20;

    /// <summary>
    /// The whole body, in a buffer of the shared pool (the caller returns it): the nodes parsed from it hold a copy of
    /// their own, as <see cref="JsonNode.ParseAsync"/> makes one. Past the route's size limit the read fails (413).
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        // Sized by the announced length up to a mebibyte, then grown as the bytes come: an announcement is no body.
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } announced ? (int)Math.Min(announced + 1, FirstBufferBytes) : 4096);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) return (buffer, length);
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Whether every field name and string value of <paramref name="json"/> (valid JSON) is storable text, read from its
    /// UTF-8 without making a string of any text that holds no escape: only an escape can encode a NUL or a lone
    /// surrogate, and invalid UTF-8 is found in the bytes. Reading every string of a case file as .NET strings to check
    /// them, each read again by the entry's reader, took nearly a fifth of what the API allocated importing case files
    /// (docs/benchmarks.md); <see cref="CheckText"/> then names the fields of a body that fails this.
    /// </summary>
    private static bool AllTextStorable(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
            if (!reader.ValueIsEscaped)
            {
                if (!Utf8.IsValid(reader.ValueSpan)) return false;
                continue;
            }
            try
            {
                if (Unstorable(reader.GetString()!) is not null) return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Every field name and string value must be valid Unicode (no invalid UTF-8, no lone surrogate escape) without NUL
    /// characters: PostgreSQL refuses both in text and jsonb, and invalid UTF-8 cannot even be read as a string.
    /// A field's path is spelt only for an error.
    /// </summary>
    /// <param name="path">Where <paramref name="node"/> was found (field names and array indexes).</param>
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
