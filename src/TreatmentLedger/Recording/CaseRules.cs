using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Recording;

/// <summary>
/// The clinical rules of DOMAIN.md that a well-formed entry must also keep (broken: 422, nothing stored).
/// <see cref="RecordingPlan"/> applies them: each new entry against what the case holds before it, as corrections
/// leave it, and the line rule against the case as the new entries leave it.
/// </summary>
public static class CaseRules
{
    /// <summary>Entry types that need a line of systemic therapy active at their point of clinical order.</summary>
    private static readonly HashSet<Type> NeedActiveLine = [typeof(CycleAdministered), typeof(DoseAdjusted), typeof(SystemicTherapyStopped)];

    /// <summary>The rules judged against what was recorded before the entry (in recording order): a case is opened once,
    /// and a correction or retraction names a clinical entry of the case that is not retracted.</summary>
    public static string? RecordTimeViolation(IReadOnlyList<RecordedEntry> recorded, Entry entry) => entry switch
    {
        CaseOpened when recorded.Count > 0 =>
            "the case is already opened; correct its case-opened entry to change it",
        EntryRetracted retraction => TargetViolation(recorded, retraction, null),
        EntryCorrected correction => TargetViolation(recorded, correction, correction.ClinicalReplacement),
        _ => null,
    };

    /// <summary>
    /// The rules judged on the case as a request leaves it, for the clinical entries the request <paramref name="added"/>
    /// and those its corrections <paramref name="corrected"/> (by version: a corrected entry counts as its replacement,
    /// placed by the replacement's date), in one pass over its clinical order:
    /// cycle-administered, dose-adjusted and systemic-therapy-stopped need a line active at their point of clinical order,
    /// and so does a start whose lineIntent is add-to-line or maintenance (a supportive start never makes a line active);
    /// a case has one death; nothing added may be dated after the death (its earliest day after the death's latest day),
    /// while a correction may (DOMAIN.md: "late entries dated before it, and corrections, are accepted").
    /// Judging the resulting case lets a batch or case file list a late-recorded start after its cycles, and refuses a
    /// batch whose own stop or death leaves its other entries outside a line or after the death.
    /// </summary>
    /// <param name="added">The versions of the clinical entries the request adds.</param>
    /// <param name="corrected">The versions of the entries the request's corrections replace.</param>
    /// <returns>The first judged entry (lowest version) that breaks a rule, and why; null when none does.</returns>
    public static (long Version, string Reason)? ResultViolation(CaseHistory after, IReadOnlySet<long> added, IReadOnlySet<long> corrected)
    {
        var effective = after.Effective;
        var deaths = effective.Where(e => e.Entry is PatientDied).ToList();
        // The death that counts: one the request neither adds nor makes, if there is one, else the first the request lists.
        var death = deaths.FirstOrDefault(d => !added.Contains(d.Version) && !corrected.Contains(d.Version)) ?? deaths.MinBy(d => d.Version);
        (long Version, string Reason)? first = null;
        foreach (var (e, active) in InClinicalOrder(effective))
        {
            var isCorrection = corrected.Contains(e.Version);
            if (!isCorrection && !added.Contains(e.Version) || first is not null && e.Version >= first.Value.Version) continue;
            var reason = e.Entry switch
            {
                PatientDied when death is not null && e != death =>
                    $"the patient's death is already recorded ({death.Date}); correct that entry to change it",
                not PatientDied when !isCorrection && death is not null && e.Date.Earliest > death.Date.Latest =>
                    $"the entry is dated {e.Date}, after the patient's death ({death.Date})",
                _ when !active => LineViolation(e),
                _ => null,
            };
            if (reason is not null) first = (e.Version, reason);
        }
        return first;
    }

    /// <summary>
    /// The entries of a case that break a rule where they stand (by entryId, with what they are and why): those that need
    /// a line of systemic therapy active at their point of clinical order and have none, and those dated after the death
    /// (the first recorded), a corrected entry excepted. A request must leave no entry it does not add or correct in that
    /// list that was not there before: a stop or a death recorded late, or a retraction or correction of a start, a stop
    /// or a death, would otherwise leave cycles outside their line or visits after the death, and the case's export could
    /// not be imported again (the import judges every entry on the resulting case).
    /// </summary>
    public static IReadOnlyDictionary<Guid, string> Standing(CaseHistory history)
    {
        var death = history.Effective.Where(e => e.Entry is PatientDied).MinBy(e => e.Version);
        var corrected = history.Recorded
            .Where(r => r.Entry is ClinicalEntry && history.StateOf(r).Status == EntryStatus.Corrected)
            .Select(r => r.Entry.EntryId).ToHashSet();
        var standing = new Dictionary<Guid, string>();
        foreach (var (e, active) in InClinicalOrder(history.Effective))
        {
            var what = $"the {EntryTypes.NameOf(e.Entry.GetType())} of {e.Date} (entry {e.Entry.EntryId})";
            if (!active && LineViolation(e) is not null)
                standing[e.Entry.EntryId] = $"{what} outside any line of systemic therapy";
            else if (e.Entry is not PatientDied && death is not null && e.Date.Earliest > death.Date.Latest && !corrected.Contains(e.Entry.EntryId))
                standing[e.Entry.EntryId] = $"{what} dated after the patient's death ({death.Date})";
        }
        return standing;
    }

    /// <summary>Whether a correction or retraction of this entry, or a correction into it, can change where lines run or where the death stands.</summary>
    public static bool ShapesLines(ClinicalEntry entry) => entry is SystemicTherapyStarted or SystemicTherapyStopped or PatientDied;

    /// <summary>Whether a new entry can leave entries recorded before it, anchored after it, outside a line or after the death.</summary>
    public static bool EndsWhatFollows(ClinicalEntry entry) => entry is SystemicTherapyStopped or PatientDied;

    /// <summary>Why the entry may not stand where no line is active; null when it may.</summary>
    private static string? LineViolation(EffectiveEntry e) => e.Entry switch
    {
        _ when NeedActiveLine.Contains(e.Entry.GetType()) =>
            $"no line of systemic therapy is active on {e.Date}: record its systemic-therapy-started first",
        SystemicTherapyStarted { LineIntent: LineIntent.AddToLine or LineIntent.Maintenance } joining =>
            $"lineIntent '{joining.LineIntent}' needs a line of systemic therapy active on {e.Date}: there is none to join or continue (use 'new-line')",
        _ => null,
    };

    /// <summary>The effective entries in clinical order, each with whether a line of systemic therapy is active just before it.</summary>
    private static IEnumerable<(EffectiveEntry Entry, bool Active)> InClinicalOrder(IEnumerable<EffectiveEntry> effective)
    {
        var active = false;
        foreach (var e in effective)
        {
            yield return (e, active);
            active = e.Entry switch
            {
                SystemicTherapyStarted { TherapyClass: not LineFold.Supportive } => true,
                SystemicTherapyStopped or PatientDied => false,
                _ => active,
            };
        }
    }

    /// <summary>
    /// Read from the recorded entries directly, as <see cref="CaseHistory.StateOf"/> would say it (the target is the first
    /// clinical entry with that entryId, retracted by a retraction recorded after it): an import checks every one of its
    /// corrections and retractions against the entries before it, and a history built for each took a sixth of what the
    /// API allocated importing case files (docs/benchmarks.md).
    /// </summary>
    private static string? TargetViolation(IReadOnlyList<RecordedEntry> recorded, CorrectionEntry action, ClinicalEntry? replacement)
    {
        var verb = action is EntryRetracted ? "retract" : "correct";
        RecordedEntry? target = null;
        foreach (var r in recorded)
            if (r.Entry is ClinicalEntry && r.Entry.EntryId == action.EntryId && (target is null || r.Version < target.Version)) target = r;
        if (target is null)
            return $"cannot {verb} entry {action.EntryId}: this case has no clinical entry with that entryId";
        if (recorded.Any(r => r.Entry is EntryRetracted retracted && retracted.EntryId == action.EntryId && r.Version > target.Version))
            return $"cannot {verb} entry {action.EntryId}: it is already retracted";
        if (replacement is not null && (target.Entry is CaseOpened) != (replacement is CaseOpened))
            return "a case-opened entry can only be replaced by a case-opened entry, and no other entry by one";
        if (action is EntryRetracted && target.Entry is CaseOpened)
            return "the case-opened entry cannot be retracted; correct it instead";
        return null;
    }
}
