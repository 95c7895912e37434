using System.Text.Json.Nodes;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>Valid request bodies of each entry type the API tests post; an entryId only when one is given.</summary>
public static class Bodies
{
    private static JsonObject Entry(string type, string occurredOn, Guid? id, JsonObject payload)
    {
        var entry = new JsonObject { ["type"] = type, ["occurredOn"] = occurredOn };
        if (id is { } given) entry["entryId"] = given;
        foreach (var (name, value) in payload.ToList())
        {
            payload.Remove(name);
            entry[name] = value;
        }
        return entry;
    }

    public static JsonObject Imaging(string on, Guid? id = null, string findings = "stable disease") =>
        Entry("imaging-performed", on, id, new JsonObject { ["modality"] = "MRI", ["sites"] = new JsonArray("left axilla"), ["findings"] = findings });

    public static JsonObject Biopsy(string on, Guid? id = null, string site = "left axilla") =>
        Entry("biopsy-performed", on, id, new JsonObject { ["technique"] = "core", ["site"] = site, ["diagnosis"] = "spindle cell lesion" });

    public static JsonObject Start(string on, Guid? id = null, string regimen = "crizotinib") =>
        Entry("systemic-therapy-started", on, id, new JsonObject
        {
            ["regimen"] = regimen,
            ["therapyClass"] = "targeted",
            ["agents"] = new JsonArray(new JsonObject { ["drug"] = regimen, ["dose"] = 250, ["unit"] = "mg", ["frequency"] = "twice daily", ["dailyDoseMg"] = 500 }),
        });

    public static JsonObject Cycle(string on, Guid? id = null, int cycle = 1) =>
        Entry("cycle-administered", on, id, new JsonObject
        {
            ["cycle"] = cycle,
            ["doses"] = new JsonArray(new JsonObject { ["drug"] = "doxorubicin", ["amount"] = 75, ["unit"] = "mg/m2" }),
        });

    public static JsonObject DoseAdjusted(string on, Guid? id = null) =>
        Entry("dose-adjusted", on, id, new JsonObject { ["drug"] = "crizotinib", ["direction"] = "reduced", ["dose"] = 200, ["unit"] = "mg", ["reason"] = "grade 4 neutropenia" });

    public static JsonObject Stop(string on, Guid? id = null, string reason = "progression") =>
        Entry("systemic-therapy-stopped", on, id, new JsonObject { ["reason"] = reason });

    public static JsonObject Progression(string on, Guid? id = null) =>
        Entry("progression-observed", on, id, new JsonObject { ["scope"] = "local", ["sites"] = new JsonArray("left axilla"), ["newLesions"] = false });

    public static JsonObject FollowUp(string on, Guid? id = null) =>
        Entry("follow-up-recorded", on, id, new JsonObject { ["vitalStatus"] = "alive" });

    public static JsonObject Died(string on, Guid? id = null) =>
        Entry("patient-died", on, id, new JsonObject { ["cause"] = "septic shock", ["diseaseRelated"] = true });

    public static JsonObject Retract(Guid target, string reason = "recorded on the wrong case") =>
        new() { ["type"] = "entry-retracted", ["entryId"] = target, ["reason"] = reason };

    public static JsonObject Correct(Guid target, JsonObject replacement, string reason = "re-read") =>
        new() { ["type"] = "entry-corrected", ["entryId"] = target, ["replacement"] = replacement, ["reason"] = reason };

    public static JsonObject Batch(params JsonObject[] entries) =>
        new() { ["entries"] = new JsonArray(entries.Select(e => (JsonNode)e.DeepClone()).ToArray()) };

    /// <summary>A copy of <paramref name="entry"/> with one field set (null removes it).</summary>
    public static JsonObject With(this JsonObject entry, string field, JsonNode? value)
    {
        var copy = entry.DeepClone().AsObject();
        if (value is null) copy.Remove(field);
        else copy[field] = value;
        return copy;
    }
}
