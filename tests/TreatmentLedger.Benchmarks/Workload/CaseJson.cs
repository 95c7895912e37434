using System.Text;
using System.Text.Json.Nodes;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>Generated entries in the shapes the API and the peer take: entry bodies, case files, Emmett events.</summary>
public static class CaseJson
{
    /// <summary>The body of <c>POST /cases/{id}/entries</c>: the entry in case-file shape.</summary>
    public static byte[] EntryBody(Entry entry) => Encoding.UTF8.GetBytes(EntryJson.Write(entry).ToJsonString());

    /// <summary>The case-opened payload with occurredOn and entryId, as <c>POST /cases</c> and a case file's <c>case</c> take it.</summary>
    public static JsonObject Opening(Entry caseOpened)
    {
        var json = EntryJson.Write(caseOpened);
        json.Remove("type");
        return json;
    }

    /// <summary>A case file <c>{ case, entries }</c> of a generated case (its first entry is the case-opened).</summary>
    public static byte[] CaseFile(IReadOnlyList<Entry> entries)
    {
        var file = new JsonObject
        {
            ["case"] = Opening(entries[0]),
            ["entries"] = new JsonArray(entries.Skip(1).Select(e => (JsonNode)EntryJson.Write(e)).ToArray()),
        };
        return Encoding.UTF8.GetBytes(file.ToJsonString());
    }

    /// <summary>The body of <c>POST /cases/{id}/entries/batch</c>: <c>{ entries: [...] }</c>.</summary>
    public static byte[] Batch(IEnumerable<Entry> entries)
    {
        var body = new JsonObject { ["entries"] = new JsonArray(entries.Select(e => (JsonNode)EntryJson.Write(e)).ToArray()) };
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    /// <summary>An entry as an Emmett event: <c>{ type, data }</c>, the payload without its type.</summary>
    public static JsonObject EmmettEvent(Entry entry)
    {
        var data = EntryJson.Write(entry);
        data.Remove("type");
        return new JsonObject { ["type"] = entry.Type, ["data"] = data };
    }

    /// <summary>The text the raw baseline stores in its jsonb column: the entry in case-file shape.</summary>
    public static string RawData(Entry entry) => EntryJson.Write(entry).ToJsonString();
}
