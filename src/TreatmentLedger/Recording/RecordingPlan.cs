using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Recording;

/// <summary>What to do with one submitted entry: append it, or answer with the identical entry already recorded.</summary>
/// <param name="TargetVersion">For a new correction, the version of the entry it corrects (stored with the event: <see cref="CaseState"/> reads it).</param>
public sealed record PlannedEntry(Entry Entry, RecordedEntry? AlreadyRecorded, long? TargetVersion = null)
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
/// each against what was recorded before it, and the clinical rules (line, death) against the case they all leave: the
/// entries the request adds or corrects, and, when it stops a line, records a death, corrects or retracts, every entry
/// recorded before it that it would leave outside a line or after the death (<see cref="CaseRules.Standing"/>).
/// One refusal refuses them all. The case is its <see cref="CaseContext"/>: the compact state and the entries the
/// request names, so the work grows with the request and the case's outline, not with the case's length.
/// </summary>
public static class RecordingPlan
{
    public static (IReadOnlyList<PlannedEntry> Plan, Refusal? Refusal) Decide(
        CaseContext context, IReadOnlyList<Entry> entries, DateTimeOffset now, Func<Guid> newId)
    {
        // Linear in the context and the request: a 500-entry import judges each entry against everything before it
        // without copying the case for every entry.
        var recorded = new RecordedSoFar(context.Recorded(), context.Version);
        var plan = new List<PlannedEntry>();
        // The request's index of each clinical entry it adds (by its version), of each entry its corrections replace (by
        // the corrected entry's version), and of its first entry that may change what entries recorded before it break.
        var added = new Dictionary<long, int>();
        var corrected = new Dictionary<long, int>();
        int? firstReshaping = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var existing = recorded.FindSame(entry);
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
            var violation = CaseRules.RecordTimeViolation(recorded.Entries, entry);
            if (violation is not null)
                return (plan, new Refusal(i, RefusalKind.RuleBroken, violation));

            var target = entry is EntryCorrected ? recorded.VersionOf(entry.EntryId) : (long?)null;
            plan.Add(new PlannedEntry(entry, null, target));
            var version = recorded.AddNew(entry, now);
            if (entry is ClinicalEntry) added.Add(version, i);
            if (entry is CorrectionEntry || entry is ClinicalEntry ending && CaseRules.EndsWhatFollows(ending)) firstReshaping ??= i;
            if (target is { } replaced) corrected[replaced] = i;
        }

        var after = new CaseHistory(recorded.Entries);
        if (CaseRules.ResultViolation(after, added.Keys.ToHashSet(), corrected.Keys.ToHashSet()) is { } broken)
            return (plan, new Refusal(corrected.GetValueOrDefault(broken.Version, added.GetValueOrDefault(broken.Version)), RefusalKind.RuleBroken, broken.Reason));
        // An entry recorded before that the request leaves outside a line or after the death (of the case as the context
        // holds it: all of it when the request may do that; see CaseContext.NeedsWholeCase). A new case (an import) has
        // none: every entry of it was judged above.
        if (firstReshaping is { } reshaping && context.State is not null)
        {
            // Judged only for such a request: the rules of any other cost no more than before.
            var standingBefore = CaseRules.Standing(new CaseHistory(context.Recorded()));
            var judged = after.Effective.Where(e => added.ContainsKey(e.Version) || corrected.ContainsKey(e.Version)).Select(e => e.Entry.EntryId).ToHashSet();
            var left = CaseRules.Standing(after).FirstOrDefault(o => !standingBefore.ContainsKey(o.Key) && !judged.Contains(o.Key));
            if (left.Value is { } what)
                return (plan, new Refusal(reshaping, RefusalKind.RuleBroken,
                    $"this would leave {what}: correct or retract that entry too, in the same request"));
        }
        return (plan, null);
    }

    /// <summary>The entries recorded so far (in recording order), indexed for finding the one a submission repeats.</summary>
    private sealed class RecordedSoFar
    {
        private readonly List<RecordedEntry> _entries = [];
        private readonly Dictionary<Guid, RecordedEntry> _clinicalById = [];
        private readonly Dictionary<(Type, Guid), RecordedEntry> _latestCorrection = [];
        private long _version;

        /// <param name="version">The case's version: the context holds part of the case, so its last entry may be older.</param>
        public RecordedSoFar(IEnumerable<RecordedEntry> recorded, long version)
        {
            foreach (var entry in recorded) Add(entry);
            _version = version;
        }

        public IReadOnlyList<RecordedEntry> Entries => _entries;

        /// <summary>Records a new entry after all others, as it would be if appended now, and answers its version (the store assigns the sequence).</summary>
        public long AddNew(Entry entry, DateTimeOffset now)
        {
            Add(new RecordedEntry(entry, null, ++_version, now, null, null));
            return _version;
        }

        /// <summary>The version of the clinical entry with this id (the rules have checked it is recorded).</summary>
        public long VersionOf(Guid entryId) => _clinicalById[entryId].Version;

        private void Add(RecordedEntry recorded)
        {
            _entries.Add(recorded);
            if (recorded.Entry is ClinicalEntry clinical) _clinicalById.TryAdd(clinical.EntryId, recorded);
            else if (recorded.Entry is CorrectionEntry correction) _latestCorrection[(correction.GetType(), correction.EntryId)] = recorded;
        }

        /// <summary>
        /// The recorded entry a submission repeats: the clinical entry with its entryId, or, for a correction or
        /// retraction, the latest one of the same kind on the same entry (an identical one repeats it; any other acts anew).
        /// </summary>
        public RecordedEntry? FindSame(Entry entry) => entry switch
        {
            ClinicalEntry { EntryId: var id } when id != Guid.Empty => _clinicalById.GetValueOrDefault(id),
            CorrectionEntry correction =>
                _latestCorrection.GetValueOrDefault((correction.GetType(), correction.EntryId)) is { } latest
                && EntryJson.Fingerprint(latest.Entry) == EntryJson.Fingerprint(correction)
                    ? latest
                    : null,
            _ => null,
        };
    }
}
