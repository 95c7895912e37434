using System.Text.Json.Nodes;
using System.Text.Json;
using TreatmentLedger.Api.Fhir;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Api.ApiDocs;

/// <summary>
/// The example of each write body in the OpenAPI document, taken from the founding case file (ops/demo/imt-alk-case.json):
/// its case for <c>POST /cases</c>, its first entry for <c>POST /cases/{caseId}/entries</c>, the next three for a batch,
/// and the case with its first four entries for an import. The entryIds are left out (the ledger assigns them), so that
/// each example can be posted any number of times; the OpenAPI tests post every one of them.
/// </summary>
public static class WriteExamples
{
    private static readonly JsonObject FoundingCase = DemoCase.Read().AsObject();

    public static JsonNode For(BodyShape body) => body switch
    {
        BodyShape.CaseOpened => Case(),
        BodyShape.Entry => Entries(0, 1)[0]!.DeepClone(),
        BodyShape.Batch => new JsonObject { ["entries"] = Entries(1, 3) },
        BodyShape.CaseFile => new JsonObject { ["case"] = Case(), ["entries"] = Entries(0, 4) },
        BodyShape.FhirBundle => FhirBundle(),
        _ => throw new ArgumentOutOfRangeException(nameof(body), body, "no example for this body"),
    };

    /// <summary>
    /// The case-file example as <c>GET /cases/{caseId}/fhir</c> exports it, with the founding case's own entryIds (the
    /// identifiers the import reads; a new case may reuse them).
    /// </summary>
    private static JsonNode FhirBundle()
    {
        var errors = new ValidationErrors();
        var file = new JsonObject
        {
            ["case"] = FoundingCase["case"]!.DeepClone(),
            ["entries"] = new JsonArray(FoundingCase["entries"]!.AsArray().Take(4).Select(e => e!.DeepClone()).ToArray()),
        };
        var entries = EntryRequests.ReadCaseFile(file, errors, DateOnly.FromDateTime(DateTime.UtcNow));
        if (errors.Any || entries is null) throw new InvalidOperationException("the founding case file does not read as a case file");
        var history = new CaseHistory(entries.Select((entry, i) => new RecordedEntry(entry, i + 1, i + 1, DateTimeOffset.UnixEpoch, null, null)));
        return JsonNode.Parse(JsonSerializer.Serialize(FhirExport.Of(history.Opening!, history.Effective), FhirTerms.Json))!;
    }

    private static JsonObject Case() => WithoutEntryId(FoundingCase["case"]!);

    private static JsonArray Entries(int from, int count) =>
        new(FoundingCase["entries"]!.AsArray().Skip(from).Take(count).Select(e => (JsonNode)WithoutEntryId(e!)).ToArray());

    private static JsonObject WithoutEntryId(JsonNode entry)
    {
        var copy = entry.DeepClone().AsObject();
        copy.Remove("entryId");
        return copy;
    }
}
