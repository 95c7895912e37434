using System.Text.Json.Nodes;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Recording;

/// <summary>Reading entries out of request bodies, with every problem reported under its field path.</summary>
public static class EntryRequests
{
    /// <summary>At most this many entries in a batch (more is a 400: send the rest in another batch).</summary>
    public const int MaxEntriesPerBatch = 1_000;

    /// <summary>At most this many entries in a case file (its body is limited to 32 MiB as well).</summary>
    public const int MaxEntriesPerCaseFile = 10_000;

    /// <summary>A case-opened entry from the body of <c>POST /cases</c> or the <c>case</c> object of a case file.</summary>
    public static Entry? ReadCaseOpened(JsonNode? node, string path, ValidationErrors errors, DateOnly today)
    {
        if (node is not JsonObject json)
        {
            errors.Add(path.Length == 0 ? "$" : path, "must be an object: the case-opened payload with occurredOn");
            return null;
        }
        if (json["type"] is { } type && type.ToString() != EntryTypes.NameOf<CaseOpened>())
        {
            errors.Add(path.Length == 0 ? "type" : $"{path}.type", $"must be left out or be '{EntryTypes.NameOf<CaseOpened>()}'");
            return null;
        }
        var entry = (JsonObject)json.DeepClone();
        entry["type"] = EntryTypes.NameOf<CaseOpened>();
        return EntryJson.Read(entry, path, errors, today);
    }

    /// <summary>
    /// A case file <c>{ case, entries }</c>: its case-opened entry, then its entries in order; null when the case-opened is
    /// missing or malformed. Every problem goes to <paramref name="errors"/>, under its field path.
    /// </summary>
    public static List<Entry>? ReadCaseFile(JsonObject file, ValidationErrors errors, DateOnly today)
    {
        RejectOtherFields(file, errors, "case", "entries");
        var opening = ReadCaseOpened(file["case"], "case", errors, today);
        var entries = file["entries"] is JsonArray { Count: 0 } ? [] : ReadList(file, "entries", MaxEntriesPerCaseFile, errors, today);
        if (opening is not null && opening.EntryId != Guid.Empty && entries.Any(e => e is ClinicalEntry && e.EntryId == opening.EntryId))
            errors.Add("case.entryId", "is also the entryId of an entry of the file");
        return opening is null ? null : [opening, .. entries];
    }

    /// <summary>The array of entries at <paramref name="field"/>; no two clinical entries may share an entryId.</summary>
    public static List<Entry> ReadList(JsonObject body, string field, int max, ValidationErrors errors, DateOnly today)
    {
        var entries = new List<Entry>();
        if (body[field] is not JsonArray array)
        {
            errors.Add(field, "is required: an array of entries");
            return entries;
        }
        if (array.Count == 0) errors.Add(field, "must hold at least one entry");
        if (array.Count > max)
        {
            errors.Add(field, $"must hold at most {max:N0} entries; send the rest in another request");
            return entries;
        }
        var firstIndexOf = new Dictionary<Guid, int>();
        for (var i = 0; i < array.Count; i++)
        {
            var entry = EntryJson.Read(array[i], $"{field}[{i}]", errors, today);
            if (entry is null) continue;
            if (entry is ClinicalEntry { EntryId: var id } && id != Guid.Empty && !firstIndexOf.TryAdd(id, i))
                errors.Add($"{field}[{i}].entryId", $"repeats the entryId of {field}[{firstIndexOf[id]}]");
            entries.Add(entry);
        }
        return entries;
    }

    public static void RejectOtherFields(JsonObject body, ValidationErrors errors, params string[] known)
    {
        foreach (var (name, _) in body)
            if (!known.Contains(name)) errors.Add(name, $"is not a field of this request; expected {string.Join(", ", known)}");
    }
}
