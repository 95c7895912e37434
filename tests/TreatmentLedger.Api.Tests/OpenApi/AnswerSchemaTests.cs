using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests.OpenApi;

/// <summary>
/// What a client generated from <c>GET /openapi/v1.json</c> meets: every JSON answer of a read route on the founding case
/// and the cohort routes, and every example of a write, validated (JSON Schema 2020-12, as OpenAPI 3.1 defines its schemas)
/// against the schema the document gives it. A schema that refuses what the API serves is a broken contract.
/// </summary>
public sealed class AnswerSchemaTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private const string ComponentPrefix = "#/components/schemas/";

    [Fact]
    public async Task Every_json_answer_of_a_read_route_holds_to_its_schema_in_the_document()
    {
        var document = (await Api.As(null).Get("/openapi/v1.json")).Json;
        var imported = await Api.Post("/cases/import", DemoCase.Read());
        Assert.Equal(201, imported.Status);
        var caseId = imported.Json["caseId"]!.GetValue<Guid>();
        var everyRole = Api.As(Fixture.Token("test-all-roles", LedgerFixture.Hospital, Roles.Clinician, Roles.Auditor, Roles.Analyst, Roles.Admin));

        // The routes' own queries, where a route needs one to answer 200.
        var queries = new Dictionary<string, string>
        {
            ["/cohorts/survival"] = "?endpoint=pfs&regimen=crizotinib&regimen=alectinib",
        };
        var checkedRoutes = new List<string>();
        foreach (var (path, mediaType, schemaId) in JsonAnswers(document))
        {
            var url = path.Replace("{caseId}", caseId.ToString()) + queries.GetValueOrDefault(path, "");
            var isReadModel = path is "/cases" or "/cohorts/regimens" or "/cohorts/survival";
            var answer = isReadModel ? await everyRole.GetCurrent(url) : await everyRole.Get(url);
            Assert.True(answer.Status == 200, $"GET {url}: {answer.Status} {answer.Text}");
            Assert.StartsWith(mediaType, answer.Raw.Context.Response.ContentType ?? "");
            AssertHolds(document, schemaId, answer.Body!, $"GET {url}");
            checkedRoutes.Add(path);
        }
        // The answers this test exists for: the audit log (an entry with its record), the FHIR Bundle, the case file.
        Assert.Superset(new HashSet<string> { "/cases/{caseId}/entries", "/cases/{caseId}/fhir", "/cases/{caseId}/export", "/cases", "/cohorts/survival" },
            checkedRoutes.ToHashSet());
    }

    [Fact]
    public async Task The_example_of_each_write_holds_to_the_schema_of_its_body()
    {
        var document = (await Api.As(null).Get("/openapi/v1.json")).Json;
        var bodies = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Key == "post").Select(o => (Path: p.Key, Operation: o.Value!)))
            .SelectMany(w => w.Operation["requestBody"]?["content"]?.AsObject().Select(c => (w.Path, Content: c.Value!)) ?? [])
            .Where(b => b.Content["schema"]?["$ref"] is not null && b.Content["example"] is not null)
            .ToList();
        Assert.True(bodies.Count >= 5, $"only {bodies.Count} write bodies with a schema and an example");
        foreach (var (path, content) in bodies)
            AssertHolds(document, SchemaId(content["schema"]!), content["example"]!, $"the example of POST {path}");
    }

    [Fact]
    public void A_schema_that_refuses_a_field_the_answer_has_is_caught()
    {
        // The check itself can fail: a closed object refuses an answer with one more field.
        var document = new JsonObject
        {
            ["components"] = new JsonObject
            {
                ["schemas"] = new JsonObject
                {
                    ["Closed"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject { ["a"] = new JsonObject { ["type"] = "string" } },
                        ["additionalProperties"] = false,
                    },
                },
            },
        };
        Assert.Empty(Errors(document, "Closed", new JsonObject { ["a"] = "x" }));
        Assert.NotEmpty(Errors(document, "Closed", new JsonObject { ["a"] = "x", ["b"] = 1 }));
    }

    /// <summary>The GET routes whose 200 answer the document describes by a JSON schema of its components.</summary>
    private static IEnumerable<(string Path, string MediaType, string SchemaId)> JsonAnswers(JsonObject document) =>
        document["paths"]!.AsObject()
            .Where(p => p.Value!["get"] is not null)
            .SelectMany(p => p.Value!["get"]!["responses"]?["200"]?["content"]?.AsObject()
                .Where(c => c.Value!["schema"]?["$ref"] is not null)
                .Select(c => (p.Key, c.Key, SchemaId(c.Value!["schema"]!))) ?? []);

    private static string SchemaId(JsonNode schema)
    {
        var reference = schema["$ref"]!.GetValue<string>();
        Assert.StartsWith(ComponentPrefix, reference);
        return reference[ComponentPrefix.Length..];
    }

    private static void AssertHolds(JsonObject document, string schemaId, JsonNode instance, string what)
    {
        var errors = Errors(document, schemaId, instance);
        Assert.True(errors.Count == 0, $"{what} does not hold to the document's schema {schemaId}:\n{string.Join("\n", errors.Take(20))}");
    }

    /// <summary>
    /// The errors of <paramref name="instance"/> against the component <paramref name="schemaId"/>: the document's components
    /// become the <c>$defs</c> of one JSON Schema whose root refers to that component.
    /// </summary>
    private static List<string> Errors(JsonObject document, string schemaId, JsonNode instance)
    {
        var defs = document["components"]!["schemas"]!.ToJsonString().Replace("\"" + ComponentPrefix, "\"#/$defs/");
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"urn:treatment-ledger:openapi:{Guid.NewGuid()}",
            ["$defs"] = JsonNode.Parse(defs),
            ["$ref"] = "#/$defs/" + schemaId,
        };
        var schema = JsonSchema.FromText(root.ToJsonString());
        using var parsed = JsonDocument.Parse(instance.ToJsonString());
        var results = schema.Evaluate(parsed.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
                .ToList();
    }
}
