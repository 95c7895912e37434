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
        EntryRetracted retraction => TargetViolation(new CaseHistory(recorded), retraction, null),
        EntryCorrected correction => TargetViolation(new CaseHistory(recorded), correction, correction.ClinicalReplacement),
        _ => null,
    };

    /// <summary>
    /// The rules judged on the case as a request leaves it, for the clinical entries the request <paramref name="added"/>
    /// (by version), in one pass over its clinical order:
    /// cycle-administered, dose-adjusted and systemic-therapy-stopped need a line active at their point of clinical order,
    /// and so does a start whose lineIntent is add-to-line or maintenance (a supportive start never makes a line active);
    /// nothing may be dated after the death (its earliest day after the death's latest day); a case has one death.
    /// Judging the resulting case lets a batch or case file list a late-recorded start after its cycles, and refuses a
    /// batch whose own stop or death leaves its other entries outside a line or after the death.
    /// </summary>
    /// <param name="added">The versions of the entries the request adds.</param>
    /// <returns>The first added entry (lowest version) that breaks a rule, and why; null when none does.</returns>
    public static (long Version, string Reason)? ResultViolation(CaseHistory after, IReadOnlySet<long> added)
    {
        var effective = after.Effective;
        var deaths = effective.Where(e => e.Entry is PatientDied).ToList();
        // The death that counts: one recorded before the request if there is one, else the first the request lists.
        var death = deaths.FirstOrDefault(d => !added.Contains(d.Version)) ?? deaths.MinBy(d => d.Version);
        (long Version, string Reason)? first = null;
        var active = false;
        foreach (var e in effective)
        {
            if (added.Contains(e.Version) && (first is null || e.Version < first.Value.Version))
            {
                var reason = e.Entry switch
                {
                    PatientDied when death is not null && e != death =>
                        $"the patient's death is already recorded ({death.Date}); correct that entry to change it",
                    not PatientDied when death is not null && e.Date.Earliest > death.Date.Latest =>
                        $"the entry is dated {e.Date}, after the patient's death ({death.Date})",
                    _ when NeedActiveLine.Contains(e.Entry.GetType()) && !active =>
                        $"no line of systemic therapy is active on {e.Date}: record its systemic-therapy-started first",
                    SystemicTherapyStarted { LineIntent: LineIntent.AddToLine or LineIntent.Maintenance } joining when !active =>
                        $"lineIntent '{joining.LineIntent}' needs a line of systemic therapy active on {e.Date}: there is none to join or continue (use 'new-line')",
                    _ => null,
                };
                if (reason is not null) first = (e.Version, reason);
            }
            active = e.Entry switch
            {
                SystemicTherapyStarted { TherapyClass: not LineFold.Supportive } => true,
                SystemicTherapyStopped or PatientDied => false,
                _ => active,
            };
        }
        return first;
    }

    private static string? TargetViolation(CaseHistory history, CorrectionEntry action, ClinicalEntry? replacement)
    {
        var verb = action is EntryRetracted ? "retract" : "correct";
        var target = history.FindClinical(action.EntryId);
        if (target is null)
            return $"cannot {verb} entry {action.EntryId}: this case has no clinical entry with that entryId";
        if (history.StateOf(target).Status == EntryStatus.Retracted)
            return $"cannot {verb} entry {action.EntryId}: it is already retracted";
        if (replacement is not null && (target.Entry is CaseOpened) != (replacement is CaseOpened))
            return "a case-opened entry can only be replaced by a case-opened entry, and no other entry by one";
        if (action is EntryRetracted && target.Entry is CaseOpened)
            return "the case-opened entry cannot be retracted; correct it instead";
        return null;
    }
}
