using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TreatmentLedger.Api.ApiDocs;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Tests.OpenApi;

/// <summary>
/// <c>GET /openapi/v1.json</c> against the snapshot kept next to this file (a change of contract is a visible diff), and
/// what clients rely on in it: every route, every entry type's payload, the bearer scheme, the problem answers of the
/// case routes, and an example for each write that the API accepts.
/// </summary>
public sealed partial class OpenApiDocumentTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private const string SnapshotName = "openapi.v1.json";

    private async Task<JsonObject> DocumentAsync()
    {
        // No token: the document holds the contract, no data.
        var answer = await Api.As(null).Get("/openapi/v1.json");
        Assert.Equal(200, answer.Status);
        return answer.Json;
    }

    [Fact]
    public async Task The_document_matches_the_snapshot_in_the_repository()
    {
        var snapshot = Path.Combine(Repository.Root, "tests", "TreatmentLedger.Api.Tests", "OpenApi", SnapshotName);
        var received = Path.ChangeExtension(snapshot, ".received.json");
        var actual = Normalised(await DocumentAsync());
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            await File.WriteAllTextAsync(snapshot, actual);
            File.Delete(received);
            return;
        }
        var expected = File.Exists(snapshot) ? Normalised(JsonNode.Parse(await File.ReadAllTextAsync(snapshot))!) : "";
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        await File.WriteAllTextAsync(received, actual);
        Assert.Fail($"""
            GET /openapi/v1.json differs from the snapshot {snapshot}: the API's contract changed.
            The document served is in {received}; compare them (diff {snapshot} {received}).
            If the change is meant, accept it and commit the snapshot:
              UPDATE_SNAPSHOTS=1 dotnet test tests/TreatmentLedger.Api.Tests -c Release --filter "FullyQualifiedName~OpenApi"
            """);
    }

    /// <summary>Indented, with the key order the generator gives, and LF line ends: the text that is kept and diffed.</summary>
    private static string Normalised(JsonNode document) =>
        document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .ReplaceLineEndings("\n") + "\n";

    [Fact]
    public async Task Every_route_the_app_serves_is_in_the_document_with_its_method()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!.AsObject();
        var routes = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Path: "/" + e.RoutePattern.RawText!.TrimStart('/'), Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []))
            // The document and its page are not routes of the ledger's contract.
            .Where(r => !r.Path.StartsWith("/openapi/", StringComparison.Ordinal) && !r.Path.StartsWith(ApiDocs.ApiDocs.PageRoute, StringComparison.Ordinal))
            .SelectMany(r => r.Methods.Select(m => $"{m} {r.Path}"))
            .ToList();
        Assert.True(routes.Count >= 25, $"only {routes.Count} routes found: {string.Join(", ", routes)}");
        var documented = paths.SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}")).ToHashSet();
        var undocumented = routes.Where(r => !documented.Contains(r)).ToList();
        Assert.True(undocumented.Count == 0, $"routes missing from the document: {string.Join(", ", undocumented)}");
        var unserved = documented.Where(d => !routes.Contains(d)).ToList();
        Assert.True(unserved.Count == 0, $"documented routes the app does not serve: {string.Join(", ", unserved)}");
    }

    [Fact]
    public async Task Every_entry_type_has_its_payload_schema_and_an_entry_is_one_of_them_by_type()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();
        foreach (var type in EntryTypes.All)
        {
            var schema = schemas[EntrySchemas.IdOf(type)]!.AsObject();
            Assert.Equal(type.Name, schema["properties"]!["type"]!["const"]!.GetValue<string>());
            Assert.Contains("type", Required(schema));
            // Every property the record writes is described.
            foreach (var property in type.Type.GetProperties().Where(p => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), true).Length == 0))
                Assert.True(schema["properties"]!.AsObject().ContainsKey(JsonNamingPolicy.CamelCase.ConvertName(property.Name)), $"{type.Name} lacks {property.Name}");
        }
        Assert.Equal(["occurredOn", "patientRef", "sex", "type"], Required(schemas["CaseOpened"]!.AsObject()).Order(StringComparer.Ordinal));
        Assert.Equal(["entryId", "reason", "replacement", "type"], Required(schemas["EntryCorrected"]!.AsObject()).Order(StringComparer.Ordinal));
        Assert.Equal("#/components/schemas/ClinicalEntry", schemas["EntryCorrected"]!["properties"]!["replacement"]!["$ref"]!.GetValue<string>());
        Assert.Equal("string", schemas["CaseOpened"]!["properties"]!["occurredOn"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain("IResult", schemas.Select(s => s.Key));

        var entry = schemas[EntrySchemas.Entry]!.AsObject();
        Assert.Equal(EntryTypes.All.Select(t => $"#/components/schemas/{EntrySchemas.IdOf(t)}"), entry["oneOf"]!.AsArray().Select(r => r!["$ref"]!.GetValue<string>()));
        Assert.Equal("type", entry["discriminator"]!["propertyName"]!.GetValue<string>());
        Assert.Equal(EntryTypes.All.Select(t => t.Name), entry["discriminator"]!["mapping"]!.AsObject().Select(m => m.Key));
        Assert.Equal("#/components/schemas/Entry",
            document["paths"]!["/cases/{caseId}/entries"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    private static string[] Required(JsonObject schema) => schema["required"]!.AsArray().Select(r => r!.GetValue<string>()).ToArray();

    [Fact]
    public async Task Every_route_but_health_takes_the_bearer_scheme_and_the_case_routes_answer_401_403_and_404_as_problems()
    {
        var document = await DocumentAsync();
        var scheme = document["components"]!["securitySchemes"]![Operations.BearerScheme]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.Equal("JWT", scheme["bearerFormat"]!.GetValue<string>());

        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value!.AsObject()))).ToList();
        foreach (var (path, method, operation) in operations)
        {
            var anonymous = path.StartsWith("/health", StringComparison.Ordinal) || path.StartsWith("/dashboard", StringComparison.Ordinal);
            var security = operation["security"]?.AsArray();
            if (anonymous) Assert.True(security is null, $"{method} {path} should take no token");
            else Assert.True(security is [{ } requirement] && requirement.AsObject().ContainsKey(Operations.BearerScheme), $"{method} {path} lacks the bearer scheme");
        }
        var caseRoutes = operations.Where(o => o.Path.StartsWith("/cases/{caseId}", StringComparison.Ordinal)).ToList();
        Assert.Equal(CaseRoutes.Views.Length + 2, caseRoutes.Count);
        foreach (var (path, method, operation) in caseRoutes)
        foreach (var status in new[] { "401", "403", "404" })
        {
            var problem = operation["responses"]![status]?["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>();
            Assert.True(problem == "#/components/schemas/ProblemDetails", $"{method} {path} lacks its {status} problem answer");
        }
        Assert.Contains("clinician", operations.Single(o => o is { Path: "/cases/{caseId}/entries", Method: "post" }).Operation["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_example_of_each_write_in_the_document_is_accepted_by_the_api()
    {
        var document = await DocumentAsync();
        var writes = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Key == "post").Select(o => (Path: p.Key, Operation: o.Value!))).ToList();
        Assert.Equal(["/cases", "/cases/import", "/cases/import/fhir", "/cases/{caseId}/entries", "/cases/{caseId}/entries/batch", "/projections/{name}/rebuild"],
            writes.Select(w => w.Path).Order(StringComparer.Ordinal));
        JsonNode Example(string path, string mediaType = "application/json") =>
            writes.Single(w => w.Path == path).Operation["requestBody"]!["content"]![mediaType]!["example"]!;

        var opened = await Api.Post("/cases", Example("/cases"));
        Assert.True(opened.Status == 201, opened.Text);
        var caseId = opened.Json["caseId"]!.GetValue<Guid>();
        var entry = await Api.Post($"/cases/{caseId}/entries", Example("/cases/{caseId}/entries"));
        Assert.True(entry.Status == 201, entry.Text);
        var batch = await Api.Post($"/cases/{caseId}/entries/batch", Example("/cases/{caseId}/entries/batch"));
        Assert.True(batch.Status == 201, batch.Text);
        var imported = await Api.Post("/cases/import", Example("/cases/import"));
        Assert.True(imported.Status == 201, imported.Text);
        var fromFhir = await Api.Post("/cases/import/fhir", Example("/cases/import/fhir", "application/fhir+json"));
        Assert.True(fromFhir.Status == 201, fromFhir.Text);
        Assert.Equal(5, fromFhir.Json["entries"]!.AsArray().Count);

        var rebuild = writes.Single(w => w.Path == "/projections/{name}/rebuild").Operation;
        var name = rebuild["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "name")!["example"]!.GetValue<string>();
        var admin = Api.As(Fixture.Token("test-admin", LedgerFixture.Hospital, Roles.Admin));
        var started = await admin.Post($"/projections/{name}/rebuild", "{}");
        Assert.True(started.Status == 202, started.Text);
        // The rebuild ends before the next test resets the store.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await admin.Get("/projections")).Json["projections"]!.AsArray().Any(p => p!["status"]!.GetValue<string>() != ProjectionStatus.Running))
        {
            Assert.True(DateTime.UtcNow < deadline, "the rebuild did not end within 30 s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task The_docs_page_is_scalar_served_from_the_ledger_with_nothing_from_outside()
    {
        var anonymous = Api.As(null);
        var redirect = await anonymous.Get(ApiDocs.ApiDocs.PageRoute);
        Assert.Equal(302, redirect.Status);
        Assert.Equal("/docs/", new Uri(new Uri("http://ledger/docs"), redirect.Header("Location")).AbsolutePath);

        var page = await anonymous.Get("/docs/");
        Assert.Equal(200, page.Status);
        Assert.StartsWith("text/html", page.Raw.Context.Response.ContentType, StringComparison.Ordinal);
        Assert.DoesNotMatch(OutsideUrl(), page.Text);
        var scripts = ScriptTag().Matches(page.Text).Select(m => m.Value).ToList();
        Assert.Equal(3, scripts.Count);
        // Every script carries the nonce the page's policy allows, and the policy allows nothing else from elsewhere.
        var policy = page.Header("Content-Security-Policy")!;
        var nonce = Regex.Match(policy, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.All(scripts, s => Assert.Contains($"nonce=\"{nonce}\"", s));
        Assert.Contains("default-src 'self'", policy);
        Assert.DoesNotContain("http", policy);
        Assert.Contains("\"withDefaultFonts\":false", page.Text);
        // The document, from the ledger itself (relative to the page's base path).
        Assert.Contains("\"url\":\"openapi/v1.json\"", page.Text);

        // The request checks hold here too: the page and the document take no query parameter.
        Assert.Equal(400, (await anonymous.Get("/docs/?theme=x")).Status);
        Assert.Equal(400, (await anonymous.Get("/openapi/v1.json?x=1")).Status);

        foreach (var asset in new[] { "scalar.js", "scalar.aspnetcore.js" })
        {
            var script = await anonymous.Get($"/docs/{asset}");
            Assert.Equal(200, script.Status);
            Assert.StartsWith("text/javascript", script.Raw.Context.Response.ContentType, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("https?://", RegexOptions.IgnoreCase)]
    private static partial Regex OutsideUrl();

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();
}
