namespace TreatmentLedger.Api.ApiDocs;

/// <summary>
/// The JSON bodies the endpoints read or write by hand (<see cref="Http.RequestJson"/>, <c>JsonObject</c> answers), which
/// the OpenAPI generator cannot see: each is a schema of <see cref="EntrySchemas"/>.
/// </summary>
public enum BodyShape
{
    /// <summary><c>POST /cases</c>: the case-opened payload plus occurredOn.</summary>
    CaseOpened,

    /// <summary><c>POST /cases/{caseId}/entries</c>: one entry of any type.</summary>
    Entry,

    /// <summary><c>POST /cases/{caseId}/entries/batch</c>: <c>{ entries: [...] }</c>.</summary>
    Batch,

    /// <summary><c>POST /cases/import</c> and <c>GET /cases/{caseId}/export</c>: a case file <c>{ case, entries }</c>.</summary>
    CaseFile,

    /// <summary><c>GET /cases/{caseId}/entries</c>: the audit log.</summary>
    AuditLog,

    /// <summary><c>GET /cases/{caseId}/fhir</c> and <c>POST /cases/import/fhir</c>: a FHIR R4 Bundle (INTEROP.md).</summary>
    FhirBundle,
}

/// <summary>The body a write endpoint reads, for the OpenAPI document: its schema and its example (<see cref="WriteExamples"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadsBodyAttribute(BodyShape shape, string mediaType = "application/json") : Attribute
{
    public BodyShape Shape { get; } = shape;
    public string MediaType { get; } = mediaType;
}

/// <summary>The JSON a read endpoint answers with 200 when it builds it by hand, for the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AnswersBodyAttribute(BodyShape shape, string mediaType = "application/json") : Attribute
{
    public BodyShape Shape { get; } = shape;
    public string MediaType { get; } = mediaType;
}
