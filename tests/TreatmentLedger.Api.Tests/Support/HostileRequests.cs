using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>
/// One hostile request: a valid request of some route with one thing made wrong. Where the answer is certain,
/// <see cref="Status"/> says it, and <see cref="Names"/> the field, header or parameter a 400 must name.
/// </summary>
public sealed record HostileRequest(string Method, string Url, byte[]? Body, string? ContentType, (string Name, string Value)[] Headers,
    string What, int? Status = null, string? Names = null)
{
    public override string ToString() =>
        $"{What}: {Method} {Url} [{ContentType}] {string.Join(" ", Headers.Select(h => $"{h.Name}: {Escape(h.Value)}"))} " +
        (Body is null ? "(no body)" : Body.Length > 300 ? $"({Body.Length:N0} bytes)" : Escape(Encoding.UTF8.GetString(Body)));

    private static string Escape(string text) => string.Concat(text.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}

/// <summary>Generates hostile requests against every write and read route of the ledger, around one existing case.</summary>
public static class HostileRequests
{
    private const string Json = "application/json";

    private sealed record Write(string Path, bool OnCase, Func<JsonObject> Body, long Limit);

    private static readonly Write[] Writes =
    [
        new("/cases", false, () => CaseOpened(), 1 << 20),
        new("/cases/{id}/entries", true, () => Bodies.Biopsy("2015-03-12"), 1 << 20),
        new("/cases/{id}/entries/batch", true, () => Bodies.Batch(Bodies.Biopsy("2015-03-12"), Bodies.Imaging("2015-04")), 1 << 20),
        new("/cases/import", false, () => new JsonObject { ["case"] = CaseOpened(), ["entries"] = new JsonArray(Bodies.Biopsy("2015-03-12")) }, 32 << 20),
        new("/cases/import/fhir", false, () => FhirBundle(), 32 << 20),
    ];

    /// <summary>Each read route with the query parameters it takes.</summary>
    private static readonly (string Path, string[] Parameters)[] Reads =
    [
        ("/cases", ["status", "regimen", "alert", "sort", "page", "pageSize", "minPosition"]),
        ("/cohorts/regimens", ["lineNumber", "minPosition"]),
        ("/cohorts/survival", ["endpoint", "regimen", "lineNumber", "minPosition"]),
        ("/cases/{id}", ["asOf", "knownAt"]),
        ("/cases/{id}/lines", ["asOf", "knownAt"]),
        ("/cases/{id}/progression-free-intervals", ["asOf", "knownAt"]),
        ("/cases/{id}/cumulative-dose", ["asOf", "knownAt", "alphaBeta"]),
        ("/cases/{id}/outcomes", ["asOf", "knownAt"]),
        ("/cases/{id}/timeline", ["asOf", "knownAt"]),
        ("/cases/{id}/timeline.svg", ["asOf", "knownAt"]),
        ("/cases/{id}/entries", ["asOf", "knownAt", "since", "until"]),
        ("/cases/{id}/export", ["asOf", "knownAt"]),
        ("/cases/{id}/fhir", ["asOf", "knownAt"]),
        ("/access-log", ["caseId", "sub", "since", "until", "page", "pageSize"]),
        ("/health", []),
        ("/openapi/v1.json", []),
    ];

    /// <summary>The read parameters that take free text: any value but one with control characters is theirs.</summary>
    private static readonly string[] TextParameters = ["regimen", "sub"];

    /// <summary>Parameters a route takes more than once (the regimens a survival comparison compares).</summary>
    private static readonly (string Path, string Parameter)[] RepeatableParameters = [("/cohorts/survival", "regimen")];

    private static readonly string?[] WrongContentTypes =
        ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "application/xml", "text/json", "",
         "application/json; charset=iso-8859-1", "application/jsonx", ";;;", null];

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0x80], [0xE2, 0x82]];

    private static readonly string[] OddIds = [Guid.Empty.ToString(), "00000000-0000-0000-0000-000000000000", "not-a-case", "1%27%3B%20drop%20table", new string('9', 300)];

    private static JsonNode?[] WrongValues() =>
        [1e300, -1, long.MaxValue, true, null, new JsonArray(), new JsonObject(), "", new string('x', 10_000), "2015-02-30", JsonNode.Parse("[[[[[[[[1]]]]]]]]")];

    private static readonly string[] BadIfMatch = ["", " ", "abc", "\"0\"", "*", "\"-1\"", "\"99999999999999999999\"", "W/\"x\"", "\"1\", \"2\""];

    /// <summary>Values no read parameter takes (the <see cref="TextParameters"/> take them all but the control characters).</summary>
    private static readonly (string Encoded, bool EvenForText)[] BadQueryValues =
        [("abc", false), ("2020-13-45", false), ("1e400", false), ("-0x1", false), ("a%00b", true), ("%01", true), ("x%1Fy", true)];

    private static readonly string[] OtherMethods = ["PUT", "DELETE", "PATCH"];

    /// <summary>The routes, by their template: the writes, then the reads.</summary>
    public static IEnumerable<string> Routes => Writes.Select(w => $"POST {w.Path}").Concat(Reads.Select(r => $"GET {r.Path}"));

    public static Gen<HostileRequest> Against(string route, Guid caseId) =>
        Gen.Select(Gen.Int[0, 99], Gen.Int[0, 10_000], Gen.Int[0, 10_000],
            (kind, a, b) => route.StartsWith("POST ", StringComparison.Ordinal)
                ? WriteRequest(Writes.Single(w => $"POST {w.Path}" == route), caseId, kind % 15, a, b)
                : ReadRequest(Reads.Single(r => $"GET {r.Path}" == route), caseId, kind % 8, a, b));

    /// <summary>A control character other than tab (which header values may hold).</summary>
    private static char Control(int n) => n % 32 == '\t' ? '\0' : (char)(n % 32);

    private static T Pick<T>(IReadOnlyList<T> items, int n) => items[n % items.Count];

    private static HostileRequest WriteRequest(Write write, Guid caseId, int kind, int a, int b)
    {
        var path = write.Path.Replace("{id}", caseId.ToString());
        var body = write.Body();
        var strings = Paths(body, "").Where(p => p.Node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String).ToList();
        byte[] Bytes(JsonNode json) => Encoding.UTF8.GetBytes(json.ToJsonString());
        HostileRequest Post(string what, byte[] bytes, int? status = null, string? names = null, string? contentType = Json, string? url = null,
            params (string, string)[] headers) => new("POST", url ?? path, bytes, contentType, headers, what, status, names);

        switch (kind)
        {
            case 0:
                return Post("a wrong content type", Bytes(body), 415, contentType: Pick(WrongContentTypes, a));
            case 1:
            {
                var (field, node) = Pick(strings, a);
                var text = node!.GetValue<string>();
                node.ReplaceWith(text.Insert(b % (text.Length + 1), "\0"));
                return Post("a NUL character in a field", Bytes(body), 400, field);
            }
            case 2:
            {
                var (field, node) = Pick(strings, a);
                node!.ReplaceWith("MARK");
                var bytes = Bytes(body);
                var at = IndexOf(bytes, "MARK"u8.ToArray());
                var bad = Pick(InvalidUtf8, b);
                return Post("invalid UTF-8 in a field", [.. bytes[..at], .. bad, .. bytes[(at + 4)..]], 400, field);
            }
            case 3:
            {
                var (field, node) = Pick(strings, a);
                node!.ReplaceWith("MARK");
                var json = body.ToJsonString().Replace("MARK", Pick(["\\ud800", "x\\udfff", "\\udbff\\u0041"], b));
                return Post("a lone surrogate in a field", Encoding.UTF8.GetBytes(json), 400, field);
            }
            case 4:
            {
                var (field, node) = Pick(strings, a);
                node!.ReplaceWith($"a{(char)(1 + b % 31)}b");
                return Post("a control character in a field", Bytes(body));
            }
            case 5:
            {
                var fields = Paths(body, "").Where(p => p.Path.Length > 0).ToList();
                var (field, node) = Pick(fields, a);
                node!.ReplaceWith(Pick(WrongValues(), b)?.DeepClone());
                return Post("a wrong type or value in a field", Bytes(body), names: null);
            }
            case 6:
            {
                var depth = 65 + a % 300;
                var json = $"{{\"deep\":{new string('[', depth)}{new string(']', depth)},{body.ToJsonString()[1..]}";
                return Post("JSON deeper than 64", Encoding.UTF8.GetBytes(json), 400, "$");
            }
            case 7:
            {
                if (write.Limit > 1 << 20) return Post("JSON with a field given twice", Encoding.UTF8.GetBytes(body.ToJsonString().Replace("{", "{\"entries\":[],", StringComparison.Ordinal)), 400);
                var json = body.ToJsonString();
                var padding = (int)write.Limit + 1 + a - json.Length;
                return Post("a body over the limit", Encoding.UTF8.GetBytes(json + new string(' ', padding)), 413);
            }
            case 8:
            {
                var json = Bytes(body);
                var broken = Pick<Func<byte[]>>([
                    () => json[..(a % json.Length)],
                    () => [.. json, .. "garbage"u8.ToArray()],
                    () => "null"u8.ToArray(), () => "[]"u8.ToArray(), () => "123"u8.ToArray(), () => "\"text\""u8.ToArray(),
                    () => [0xEF, 0xBB, 0xBF, 0xFF, 0xFE],
                ], b)();
                return Post("JSON that is broken or not an object", broken, 400);
            }
            case 9:
                return write.OnCase
                    ? Post("an odd case id", Bytes(body), 404, url: write.Path.Replace("{id}", Pick(OddIds, a)))
                    : Post("a query parameter on a write", Bytes(body), 400, "asOf", url: $"{path}?asOf=2020-01-01");
            case 10:
                return write.OnCase
                    ? Post("a bad If-Match", Bytes(body), 400, "If-Match", headers: ("If-Match", Pick(BadIfMatch, a)))
                    : Post("an unknown query parameter on a write", Bytes(body), 400, "colour", url: $"{path}?colour=red");
            case 11:
            {
                var header = Pick(["X-Correlation-Id", "X-Recorded-By"], a);
                return Post("a header with a control character", Bytes(body), 400, header, headers: (header, $"x{Control(b)}y"));
            }
            case 12:
                if (write.Path.EndsWith("/batch", StringComparison.Ordinal))
                    return Post("a batch of more than 1,000 entries", Bytes(new JsonObject
                    {
                        ["entries"] = new JsonArray(Enumerable.Range(0, 1001 + a % 50).Select(_ => (JsonNode)Bodies.Imaging("2015-04")).ToArray()),
                    }), 400, "entries");
                return Post("an odd field name", Bytes(new JsonObject { [$"x\u0001{a}"] = 1, ["y\\u0000"] = 2 }), 400);
            case 13:
                return new HostileRequest(Pick(OtherMethods, a), path, Bytes(body), Json, [], "a wrong method", 405);
            default:
                return new HostileRequest("POST", path + "/nothing-here/at-all", Bytes(body), Json, [], "an unknown route", 404);
        }
    }

    private static HostileRequest ReadRequest((string Path, string[] Parameters) read, Guid caseId, int kind, int a, int b)
    {
        var path = read.Path.Replace("{id}", caseId.ToString());
        HostileRequest Get(string url, string what, int? status = null, string? names = null, params (string, string)[] headers) =>
            new("GET", url, null, null, headers, what, status, names);
        switch (kind)
        {
            case 0 or 1 when read.Parameters.Length > 0:
            {
                var parameter = Pick(read.Parameters, a);
                var (value, evenForText) = Pick(BadQueryValues, b);
                var certain = evenForText || !TextParameters.Contains(parameter);
                return Get($"{path}?{parameter}={value}", "a bad query value", certain ? 400 : null, certain ? parameter : null);
            }
            case 2:
            {
                var name = Pick(["colour", "x", "asof_", "knownAt2", "sort_by", "caseId"], a);
                return Get($"{path}?{name}=1", "an unknown query parameter", 400, name);
            }
            case 3 when read.Parameters.Length > 0:
            {
                var parameter = Pick(read.Parameters, a);
                var refused = !RepeatableParameters.Contains((read.Path, parameter));
                return Get($"{path}?{parameter}=1&{parameter}=2", "a query parameter given twice", refused ? 400 : null, refused ? parameter : null);
            }
            case 4 when read.Path.Contains("{id}"):
                return Get(read.Path.Replace("{id}", Pick(OddIds, a)), "an odd case id", 404);
            case 5:
                return new HostileRequest(Pick(OtherMethods, a), path, "{}"u8.ToArray(), Json, [], "a wrong method", 405);
            case 6:
            {
                var header = Pick(["X-Correlation-Id", "Accept-Language", "If-Match"], a);
                return Get(path, "a header with a control character", 400, header, (header, $"x{Control(b)}y"));
            }
            default:
                return Get(path + "/" + Pick(["nothing-here", "..%2F..%2Fetc", "%01", "lines/extra"], a), "an unknown route", 404);
        }
    }

    /// <summary>Every node of <paramref name="node"/> with its path as the API names fields (<c>entries[0].site</c>).</summary>
    private static IEnumerable<(string Path, JsonNode? Node)> Paths(JsonNode? node, string path)
    {
        yield return (path, node);
        switch (node)
        {
            case JsonObject json:
                foreach (var (name, child) in json.ToList())
                foreach (var inner in Paths(child, path.Length == 0 ? name : $"{path}.{name}")) yield return inner;
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                foreach (var inner in Paths(array[i], $"{(path.Length == 0 ? "$" : path)}[{i}]")) yield return inner;
                break;
        }
    }

    private static int IndexOf(byte[] bytes, byte[] part)
    {
        for (var i = 0; i + part.Length <= bytes.Length; i++)
            if (bytes.AsSpan(i, part.Length).SequenceEqual(part)) return i;
        throw new InvalidOperationException("marker not found");
    }

    private static JsonObject CaseOpened() =>
        new() { ["patientRef"] = "TEST-0100", ["sex"] = "female", ["birthYear"] = 1980, ["occurredOn"] = "2015-03", ["note"] = "synthetic" };

    /// <summary>The smallest Bundle <c>POST /cases/import/fhir</c> makes a case of: the Patient, as the FHIR export writes it.</summary>
    private static JsonObject FhirBundle() => new()
    {
        ["resourceType"] = "Bundle",
        ["type"] = "collection",
        ["entry"] = new JsonArray(new JsonObject
        {
            ["resource"] = new JsonObject
            {
                ["resourceType"] = "Patient",
                ["extension"] = new JsonArray(new JsonObject { ["url"] = "urn:treatment-ledger:occurredOn", ["valueDateTime"] = "2015-03" }),
                ["identifier"] = new JsonArray(
                    new JsonObject { ["system"] = "urn:treatment-ledger:patient-ref", ["value"] = "TEST-0101" },
                    new JsonObject { ["type"] = new JsonObject { ["text"] = "case-opened" }, ["system"] = "urn:treatment-ledger:entry", ["value"] = Guid.NewGuid().ToString() }),
                ["gender"] = "female",
            },
        }),
    };
}
