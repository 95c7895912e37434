using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TreatmentLedger.Entries;

/// <summary>Entries to and from the case-file JSON shape: <c>type</c>, <c>occurredOn</c> and payload fields at top level.</summary>
public static class EntryJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowOutOfOrderMetadataProperties = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { EntryTypes.DescribePolymorphism } },
    };

    /// <summary>
    /// Reads one entry. Every problem is added to <paramref name="errors"/> under its field path (prefixed by <paramref name="path"/>);
    /// the result is null when anything was wrong. A clinical entry without entryId gets <see cref="Guid.Empty"/>: the caller assigns one.
    /// </summary>
    public static Entry? Read(JsonNode? node, string path, ValidationErrors errors, DateOnly today)
    {
        if (node is not JsonObject json)
        {
            errors.Add(path.Length == 0 ? "$" : path, "must be a JSON object");
            return null;
        }
        var before = errors.Count;
        var r = new PayloadReader(json, path, errors, today);
        var type = r.RequiredString("type");
        if (type.Length == 0) return null;
        if (!EntryTypes.ByName.TryGetValue(type, out var entryType))
        {
            errors.Add(r.Nested("type"), $"'{type}' is not an entry type; one of: {string.Join(", ", EntryTypes.ByName.Keys)}");
            return null;
        }

        Entry entry = entryType.Type == typeof(EntryRetracted) ? ReadRetraction(r)
            : entryType.Type == typeof(EntryCorrected) ? ReadCorrection(r)
            : ReadClinical(r, entryType.ReadPayload!);
        r.RejectUnknownFields();
        return errors.Count == before ? entry : null;
    }

    private static ClinicalEntry ReadClinical(PayloadReader r, Func<PayloadReader, ClinicalEntry> readPayload)
    {
        var entryId = r.OptionalGuid("entryId") ?? Guid.Empty;
        var occurredOn = r.Date("occurredOn", required: true);
        var endedOn = r.Date("endedOn", required: false);
        if (occurredOn is { } start && endedOn is { } end && end.Latest < start.Earliest)
            r.Errors.Add(r.Nested("endedOn"), $"'{end}' is before occurredOn '{start}'");
        var payload = readPayload(r);
        if (payload is CaseOpened { BirthYear: { } born } && occurredOn is { } opened && born > opened.Latest.Year)
            r.Errors.Add(r.Nested("birthYear"), $"{born} is after the case was opened ('{opened}')");
        return payload with
        {
            EntryId = entryId,
            OccurredOn = occurredOn,
            EndedOn = endedOn,
            Note = r.OptionalText("note"),
            Source = r.OptionalString("source"),
            Estimated = ReadEstimated(r),
        };
    }

    /// <summary>Fields an entry cannot call estimated: they are not clinical values.</summary>
    private static readonly HashSet<string> NotEstimable = ["type", "entryId", "note", "source", "estimated"];

    /// <summary>
    /// <c>estimated</c>: distinct names of fields the entry gives, each <c>occurredOn</c>, <c>endedOn</c> or a payload
    /// path (<c>totalDoseGy</c>, <c>agents[0].dose</c>). A name the entry does not give is an error: nothing is marked
    /// estimated that is not there.
    /// </summary>
    private static IReadOnlyList<string>? ReadEstimated(PayloadReader r)
    {
        var names = r.OptionalStrings("estimated");
        if (names is null) return null;
        if (names.Count == 0)
        {
            r.Errors.Add(r.Nested("estimated"), "must name at least one field (leave it out instead)");
            return null;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (!seen.Add(name))
                r.Errors.Add(r.Nested($"estimated[{i}]"), $"'{name}' is listed twice");
            else if (NotEstimable.Contains(name.Split('.', '[')[0]))
                r.Errors.Add(r.Nested($"estimated[{i}]"), $"'{name}' is not a clinical value and cannot be estimated");
            else if (!r.Gives(name))
                r.Errors.Add(r.Nested($"estimated[{i}]"), $"'{name}' is not a field this entry gives");
        }
        return names;
    }

    private static EntryRetracted ReadRetraction(PayloadReader r)
    {
        r.Ignore("occurredOn");
        return new EntryRetracted
        {
            EntryId = r.RequiredGuid("entryId"),
            Reason = r.RequiredString("reason"),
            Note = r.OptionalText("note"),
            Source = r.OptionalString("source"),
        };
    }

    private static EntryCorrected ReadCorrection(PayloadReader r)
    {
        r.Ignore("occurredOn");
        var target = r.RequiredGuid("entryId");
        var replacementJson = r.OptionalObject("replacement");
        Entry? replacement = null;
        if (replacementJson is null)
            r.Errors.Add(r.Nested("replacement"), "is required: a whole entry with type, occurredOn and payload");
        else
        {
            if (replacementJson["entryId"] is { } given && !(Guid.TryParse(given.GetValueKind() == JsonValueKind.String ? given.GetValue<string>() : "", out var id) && id == target))
                r.Errors.Add(r.Nested("replacement.entryId"), "must be left out or equal the corrected entry's entryId");
            var type = replacementJson["type"]?.GetValueKind() == JsonValueKind.String ? replacementJson["type"]!.GetValue<string>() : null;
            if (type is not null && EntryTypes.ByName.TryGetValue(type, out var replacementType) && replacementType.ReadPayload is null)
                r.Errors.Add(r.Nested("replacement.type"), "a replacement is a clinical entry, not a correction or retraction");
            else
            {
                var nested = new JsonObject(replacementJson.Where(p => p.Key != "entryId").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
                replacement = Read(nested, r.Nested("replacement"), r.Errors, r.Today);
            }
        }
        return new EntryCorrected
        {
            EntryId = target,
            // Without a valid replacement an error is recorded and this placeholder is never used.
            Replacement = replacement is ClinicalEntry clinical ? clinical with { EntryId = target } : new PatientDied(),
            Reason = r.RequiredString("reason"),
            Note = r.OptionalText("note"),
            Source = r.OptionalString("source"),
        };
    }

    /// <summary>The entry in case-file shape, with <c>type</c> first.</summary>
    public static JsonObject Write(Entry entry) => JsonSerializer.SerializeToNode(entry, Options)!.AsObject();

    /// <summary>A canonical text of the entry's content, to tell a repeated post from a conflicting one.</summary>
    public static string Fingerprint(Entry entry) => JsonSerializer.Serialize(entry, FingerprintOptions);

    private static readonly JsonSerializerOptions FingerprintOptions = new(Options) { Converters = { new CanonicalDecimal() } };

    /// <summary>54, 54.0 and 54.00 are one JSON number, though a decimal keeps the scale it was read with.</summary>
    private sealed class CanonicalDecimal : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value / 1.0000000000000000000000000000m);
    }
}
