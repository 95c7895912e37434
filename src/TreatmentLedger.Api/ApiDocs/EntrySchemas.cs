using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Api.ApiDocs;

/// <summary>
/// The schemas of the bodies the endpoints read and write by hand (<see cref="BodyShape"/>), and of problem answers. The
/// entries are built from <see cref="EntryTypes.All"/>: one schema per entry type (its payload, as the generator describes
/// the type's record, with <c>type</c> fixed to its name and the fields its reader requires), and <c>Entry</c>, one of
/// them chosen by <c>type</c>. A new entry type is documented without more code.
/// </summary>
public sealed class EntrySchemas : IOpenApiDocumentTransformer
{
    public const string Entry = "Entry";
    public const string ClinicalEntry = "ClinicalEntry";
    public const string Problem = "ProblemDetails";
    public const string ValidationProblem = "ValidationProblemDetails";
    private const string AuditLogRow = "AuditLogEntry";

    /// <summary>The component that describes <paramref name="shape"/>.</summary>
    public static string IdOf(BodyShape shape) => shape switch
    {
        BodyShape.CaseOpened => "CaseOpenedRequest",
        BodyShape.Entry => Entry,
        BodyShape.Batch => "EntryBatch",
        BodyShape.CaseFile => "CaseFile",
        BodyShape.AuditLog => "AuditLog",
        BodyShape.FhirBundle => "FhirBundle",
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "no schema for this shape"),
    };

    /// <summary>The component of one entry type: its record's name (<c>CaseOpened</c>, <c>EntryCorrected</c>).</summary>
    public static string IdOf(EntryType type) => type.Type.Name;

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Components ??= new OpenApiComponents();
        var schemas = document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        // Made for Wolverine's guessed 200 of an IResult endpoint, which Operations drops: nothing refers to it.
        schemas.Remove(nameof(IResult));
        IOpenApiSchema Ref(string id) => new OpenApiSchemaReference(id, document);

        schemas[Problem] = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);
        schemas[ValidationProblem] = await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), null, ct);

        foreach (var type in EntryTypes.All)
        {
            var schema = await EntrySchemaAsync(type, context, ct);
            if (type.Type == typeof(EntryCorrected)) schema.Properties!["replacement"] = Ref(ClinicalEntry);
            schemas[IdOf(type)] = schema;
        }
        schemas[Entry] = OneOf(EntryTypes.All, "Any entry: a clinical entry, a correction or a retraction, chosen by type.", document);
        schemas[ClinicalEntry] = OneOf(EntryTypes.All.Where(t => t.ReadPayload is not null),
            "A clinical entry (any type but entry-corrected and entry-retracted), chosen by type.", document);

        var caseOpened = await EntrySchemaAsync(EntryTypes.ByName[EntryTypes.NameOf<CaseOpened>()], context, ct);
        caseOpened.Required!.Remove("type");
        caseOpened.Description = "The case-opened payload with occurredOn; type may be left out.";
        schemas[IdOf(BodyShape.CaseOpened)] = caseOpened;

        schemas[IdOf(BodyShape.Batch)] = Object("Entries recorded together: all or none.",
            ("entries", Array(Ref(Entry), 1, EntryRequests.MaxEntriesPerBatch), true));
        schemas[IdOf(BodyShape.CaseFile)] = Object("A case file: the case-opened payload, then the entries in order. Entries may carry their entryId; import keeps it.",
            ("case", Ref(IdOf(BodyShape.CaseOpened)), true),
            ("entries", Array(Ref(Entry), 0, EntryRequests.MaxEntriesPerCaseFile), true));

        // Open: the row holds the entry's own fields beside these, which the entry's schema describes.
        var recorded = Open(Object("Who recorded the entry, when, and what became of it.",
            ("sequence", Integer(), true), ("version", Integer(), true),
            ("recordedAt", new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" }, true),
            ("recordedBy", Text(), true), ("correlationId", Text(), false),
            ("status", new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(EntryStatus.Active), JsonValue.Create(EntryStatus.Corrected), JsonValue.Create(EntryStatus.Retracted)] }, true),
            ("correctedBy", Integer(JsonSchemaType.Null), false), ("retractedBy", Integer(JsonSchemaType.Null), false)));
        schemas[AuditLogRow] = new OpenApiSchema { Description = "An entry as in a case file, with its record.", AllOf = [Ref(Entry), recorded] };
        // Open at every level: FHIR R4 defines the elements of a Bundle, its entries and their resources; this names the
        // ones the ledger reads and writes.
        schemas[IdOf(BodyShape.FhirBundle)] = Open(Object(
            "A FHIR R4 Bundle of type collection (application/fhir+json), its resources shaped by mCODE STU4 as INTEROP.md maps " +
            "the ledger's entries: each resource made from an entry carries the identifier urn:treatment-ledger:entry = its entryId.",
            ("resourceType", new OpenApiSchema { Type = JsonSchemaType.String, Const = "Bundle" }, true),
            ("type", new OpenApiSchema { Type = JsonSchemaType.String, Const = "collection" }, true),
            ("entry", Array(Open(Object("A Bundle entry.", ("fullUrl", Text(), false),
                ("resource", Open(Object("A FHIR R4 resource (Patient, Condition, Procedure, MedicationRequest, Observation, ...).",
                    ("resourceType", Text(), true))), true))), 1, null), true)));
        var ids = Array(new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" }, 0, null);
        schemas[IdOf(BodyShape.AuditLog)] = Object("Every entry of the case in sequence order, with its record and status.",
            ("caseId", new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" }, true),
            ("version", Integer(), true),
            ("since", new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date-time" }, true),
            ("until", new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date-time" }, true),
            ("changes", Object("What the window added, corrected and retracted (entryIds).", ("added", ids, true), ("corrected", ids, true), ("retracted", ids, true)), true),
            ("entries", Array(Ref(AuditLogRow), 0, null), true),
            ("estimatesUsed", await context.GetOrCreateSchemaAsync(typeof(IReadOnlyList<EstimateUsed>), null, ct), true));
    }

    /// <summary>The record's schema as the generator makes it, with <c>type</c> fixed and the fields its reader requires.</summary>
    private static async Task<OpenApiSchema> EntrySchemaAsync(EntryType type, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        var schema = await context.GetOrCreateSchemaAsync(type.Type, null, ct);
        schema.Title = type.Name;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = type.Name };
        schema.Required = new SortedSet<string>(RequiredFields(type), StringComparer.Ordinal) { "type" };
        schema.Description = $"A {type.Name} entry. A field not listed here is refused (400).";
        return schema;
    }

    /// <summary>The fields whose absence the entry type's reader refuses: read from an entry that gives nothing but its type.</summary>
    private static IEnumerable<string> RequiredFields(EntryType type)
    {
        var errors = new ValidationErrors();
        EntryJson.Read(new JsonObject { ["type"] = type.Name }, "", errors, DateOnly.MaxValue);
        return errors.ToDictionary()
            .Where(e => !e.Key.Contains('.') && e.Value.Any(message => message.StartsWith("is required", StringComparison.Ordinal)))
            .Select(e => e.Key);
    }

    private static OpenApiSchema OneOf(IEnumerable<EntryType> types, string description, OpenApiDocument document)
    {
        var listed = types.ToList();
        return new OpenApiSchema
        {
            Description = description,
            OneOf = listed.Select(t => (IOpenApiSchema)new OpenApiSchemaReference(IdOf(t), document)).ToList(),
            Discriminator = new OpenApiDiscriminator
            {
                PropertyName = "type",
                Mapping = listed.ToDictionary(t => t.Name, t => new OpenApiSchemaReference(IdOf(t), document)),
            },
        };
    }

    private static OpenApiSchema Object(string description, params (string Name, IOpenApiSchema Schema, bool Required)[] properties) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema),
        Required = new SortedSet<string>(properties.Where(p => p.Required).Select(p => p.Name), StringComparer.Ordinal),
        AdditionalPropertiesAllowed = false,
    };

    /// <summary>The schema with properties beyond those it lists allowed.</summary>
    private static OpenApiSchema Open(OpenApiSchema schema)
    {
        schema.AdditionalPropertiesAllowed = true;
        return schema;
    }

    private static OpenApiSchema Array(IOpenApiSchema items, int? min, int? max) =>
        new() { Type = JsonSchemaType.Array, Items = items, MinItems = min, MaxItems = max };

    private static OpenApiSchema Integer(JsonSchemaType also = 0) => new() { Type = JsonSchemaType.Integer | also, Format = "int64" };

    private static OpenApiSchema Text() => new() { Type = JsonSchemaType.String };
}
