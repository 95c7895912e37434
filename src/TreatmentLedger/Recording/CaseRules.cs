using TreatmentLedger.Entries;
using TreatmentLedger.History;

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

    /// <summary>Every rule but the line rule, judged against what was recorded before the entry.</summary>
    public static string? RecordTimeViolation(CaseHistory history, Entry entry) => entry switch
    {
        CaseOpened when history.Recorded.Count > 0 =>
            "the case is already opened; correct its case-opened entry to change it",
        EntryRetracted retraction => TargetViolation(history, retraction, null),
        EntryCorrected correction => TargetViolation(history, correction, correction.ClinicalReplacement),
        ClinicalEntry clinical => DeathViolation(history, clinical),
        _ => null,
    };

    /// <summary>
    /// The line rule, judged where the entry of <paramref name="sequence"/> falls in the clinical order of the case
    /// <paramref name="after"/> it is recorded: cycle-administered, dose-adjusted and systemic-therapy-stopped need a
    /// line active at that point. Judging the whole resulting case lets a batch or a case file list a line's start after
    /// its cycles, and refuses a batch whose own stop leaves its cycles outside any line.
    /// </summary>
    public static string? LineViolation(CaseHistory after, long sequence)
    {
        var active = false;
        foreach (var e in after.Effective)
        {
            if (e.Sequence == sequence)
                return !NeedActiveLine.Contains(e.Entry.GetType()) || active
                    ? null
                    : $"no line of systemic therapy is active on {e.Date}: record its systemic-therapy-started first";
            active = e.Entry switch
            {
                SystemicTherapyStarted => true,
                SystemicTherapyStopped or PatientDied => false,
                _ => active,
            };
        }
        return null;
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

    private static string? DeathViolation(CaseHistory history, ClinicalEntry entry)
    {
        var death = history.Effective.FirstOrDefault(e => e.Entry is PatientDied);
        if (death is null) return null;
        if (entry is PatientDied)
            return $"the patient's death is already recorded ({death.Date}); correct that entry to change it";
        if (entry.Date.Earliest > death.Date.Latest)
            return $"the entry is dated {entry.Date}, after the patient's death ({death.Date})";
        return null;
    }
}
