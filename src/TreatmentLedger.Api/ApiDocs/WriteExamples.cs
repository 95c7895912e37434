using System.Text.Json.Nodes;
using TreatmentLedger.Api.Hosting;

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
        _ => throw new ArgumentOutOfRangeException(nameof(body), body, "no example for this body"),
    };

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
