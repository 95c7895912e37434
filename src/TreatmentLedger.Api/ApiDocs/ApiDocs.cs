using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using TreatmentLedger.Api.Http;
using TreatmentLedger.ClinicalDates;

namespace TreatmentLedger.Api.ApiDocs;

/// <summary>
/// <c>GET /openapi/v1.json</c>: the OpenAPI 3.1 document of every route, generated from the endpoints (Wolverine's
/// descriptions, their <c>[ProducesResponseType]</c> attributes) and completed by <see cref="Operations"/> (tokens,
/// problem answers, the bodies read by hand and their examples) and <see cref="EntrySchemas"/> (the entry types).
/// <c>GET /docs</c>: the document shown by Scalar, its script served from the Scalar.AspNetCore package, no font or
/// script from outside. Both load without a token: they hold the contract, no data.
/// </summary>
public static class ApiDocs
{
    public const string DocumentName = "v1";
    public const string DocumentRoute = "/openapi/{documentName}.json";
    public const string PageRoute = "/docs";

    public static IServiceCollection AddLedgerApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "TreatmentLedger",
                    Version = DocumentName,
                    Description = "An event-sourced ledger of cancer treatment courses: cases, their entries, and the views computed " +
                                  "from them. Every route but /health* takes a bearer token (JWT) whose roles open it; errors are " +
                                  "RFC 9457 problem details.",
                };
                // No servers: a client (and the docs page) calls the origin it read the document from.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Operations.BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A JWT signed for issuer treatment-ledger and audience treatment-ledger-api: sub (who acts), role " +
                                  "(clinician, auditor, analyst, admin) and hospital (the tenant). `ops/token` prints one.",
                };
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer(DescribeConvertedValues);
            options.AddOperationTransformer<Operations>();
            // The document's tags: the feature folders the operations were put in (Operations), in order.
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Tags = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? [])
                    .SelectMany(o => o.Tags?.AsEnumerable() ?? []).Select(t => t.Name!).Distinct().Order(StringComparer.Ordinal)
                    .Select(name => new OpenApiTag { Name = name }).ToHashSet();
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<EntrySchemas>();
        });

    public static WebApplication MapLedgerApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentRoute).AllowAnonymous();
        app.MapScalarApiReference(PageRoute, options =>
            {
                options.Title = "TreatmentLedger API";
                options.OpenApiRoutePattern = DocumentRoute;
                // Nothing from outside the ledger: no web fonts, no telemetry, no AI agent, no request proxy.
                options.DefaultFonts = false;
                options.Telemetry = false;
                options.Agent = new ScalarAgentOptions { Disabled = true };
                options.Mcp = new ScalarMcpOptions { Disabled = true };
                // No toolbar of links to Scalar's services (share, SDK generation, deployment); every feature's routes open.
                options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
                options.DefaultOpenAllTags = true;
                // The page starts Scalar with one inline script: it carries a fresh nonce, which the page's policy allows.
                options.DynamicNonce = true;
            })
            .AllowAnonymous()
            .AddEndpointFilter(async (invocation, next) =>
            {
                var result = await next(invocation);
                if (invocation.HttpContext.Items[ScalarOptions.NonceHttpContextItemKey] is string nonce)
                    invocation.HttpContext.Response.Headers.ContentSecurityPolicy = AnswerHeaders.PagePolicyWithScriptNonce(nonce);
                return result;
            });
        return app;
    }

    /// <summary>
    /// Values the API writes with a JSON converter of its own, which the generator cannot see through: clinical dates
    /// (strings of a year, month or day) and the months of a duration (numbers with one decimal). And numbers are
    /// numbers: the ledger neither reads nor writes them as strings (the generator follows ASP.NET Core's default of
    /// reading them from strings too). And a property that may be null is not required.
    /// </summary>
    private static Task DescribeConvertedValues(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type == typeof(ClinicalDate))
        {
            schema.Type = JsonSchemaType.String;
            schema.Pattern = @"^\d{4}(-\d{2}(-\d{2})?)?$";
            schema.Description = "A clinical date known to the year, the month or the day (YYYY, YYYY-MM or YYYY-MM-DD); it stands for the whole period.";
        }
        else if (context.JsonPropertyInfo?.CustomConverter is Duration.OneDecimal)
        {
            schema.Type = JsonSchemaType.Number;
            schema.Description = "Months (30.4375 days), with one decimal.";
        }
        else if (schema.Type is { } types && types.HasFlag(JsonSchemaType.String) && (types.HasFlag(JsonSchemaType.Integer) || types.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = types & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        // A property that may be null may be left out: only what a record cannot be without is required, as its reader
        // requires it (an agent's drug, not its dose).
        if (context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object && schema.Required is { Count: > 0 } required)
            foreach (var property in context.JsonTypeInfo.Properties)
                if (property.IsGetNullable && !property.IsRequired) required.Remove(property.Name);
        return Task.CompletedTask;
    }
}
