using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Recording;

/// <summary>What to do with one submitted entry: append it, or answer with the identical entry already recorded.</summary>
public sealed record PlannedEntry(Entry Entry, RecordedEntry? AlreadyRecorded)
{
    public bool IsNew => AlreadyRecorded is null;
}

public enum RefusalKind
{
    /// <summary>The entryId is already recorded with other content (409).</summary>
    Conflict,

    /// <summary>The entry breaks a clinical rule (422).</summary>
    RuleBroken,
}

public sealed record Refusal(int Index, RefusalKind Kind, string Detail);

/// <summary>
/// Decides, without any I/O, what recording a list of entries on a case amounts to. Entries are judged in order,
/// each against what was recorded before it, and the clinical rules (line, death) against the case they all leave.
/// One refusal refuses them all.
/// </summary>
public static class RecordingPlan
{
    public static (IReadOnlyList<PlannedEntry> Plan, Refusal? Refusal) Decide(
        CaseHistory history, IReadOnlyList<Entry> entries, DateTimeOffset now, Func<Guid> newId)
    {
        var working = history;
        var plan = new List<PlannedEntry>();
        var newVersions = new List<(long Version, int Index)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var existing = FindSame(working.Recorded, entry);
            if (existing is not null)
            {
                if (EntryJson.Fingerprint(existing.Entry) != EntryJson.Fingerprint(entry))
                    return (plan, new Refusal(i, RefusalKind.Conflict,
                        $"entry {entry.EntryId} is already recorded on this case with other content; post a correction to change it"));
                plan.Add(new PlannedEntry(entry, existing));
                continue;
            }

            if (entry is ClinicalEntry clinical && clinical.EntryId == Guid.Empty)
                entry = clinical with { EntryId = newId() };
            var violation = CaseRules.RecordTimeViolation(working, entry);
            if (violation is not null)
                return (plan, new Refusal(i, RefusalKind.RuleBroken, violation));

            plan.Add(new PlannedEntry(entry, null));
            working = working.With(entry, now);
            newVersions.Add((working.Recorded[^1].Version, i));
        }

        var added = newVersions.ToDictionary(n => n.Version, n => n.Index);
        if (CaseRules.ResultViolation(working, added.Keys.ToHashSet()) is { } broken)
            return (plan, new Refusal(added[broken.Version], RefusalKind.RuleBroken, broken.Reason));
        return (plan, null);
    }

    /// <summary>
    /// The recorded entry a submission repeats: the clinical entry with its entryId, or, for a correction or
    /// retraction, the latest one of the same kind on the same entry (an identical one repeats it; any other acts anew).
    /// </summary>
    private static RecordedEntry? FindSame(IReadOnlyList<RecordedEntry> recorded, Entry entry) => entry switch
    {
        ClinicalEntry { EntryId: var id } when id != Guid.Empty =>
            recorded.FirstOrDefault(r => r.Entry is ClinicalEntry && r.Entry.EntryId == id),
        CorrectionEntry correction =>
            recorded.LastOrDefault(r => r.Entry.GetType() == correction.GetType() && r.Entry.EntryId == correction.EntryId) is { } latest
            && EntryJson.Fingerprint(latest.Entry) == EntryJson.Fingerprint(correction)
                ? latest
                : null,
        _ => null,
    };
}
