using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Recording;

/// <summary>
/// The clinical rules of DOMAIN.md that a well-formed entry must also keep (broken: 422, nothing stored).
/// Each new entry is judged against what the case holds before it, as corrections leave it.
/// </summary>
public static class CaseRules
{
    /// <summary>Entry types that need a line of systemic therapy active at their point of clinical order.</summary>
    private static readonly HashSet<Type> NeedActiveLine = [typeof(CycleAdministered), typeof(DoseAdjusted), typeof(SystemicTherapyStopped)];

    /// <returns>Why the entry breaks a rule, or null when it keeps them all.</returns>
    public static string? Violation(CaseHistory history, Entry entry) => entry switch
    {
        CaseOpened when history.Recorded.Count > 0 =>
            "the case is already opened; correct its case-opened entry to change it",
        EntryRetracted retraction => TargetViolation(history, retraction, null),
        EntryCorrected correction => TargetViolation(history, correction, correction.ClinicalReplacement),
        ClinicalEntry clinical => DeathViolation(history, clinical) ?? ActiveLineViolation(history, clinical),
        _ => null,
    };

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

    private static string? ActiveLineViolation(CaseHistory history, ClinicalEntry entry)
    {
        if (!NeedActiveLine.Contains(entry.GetType())) return null;
        return IsLineActiveAt(history.Effective, entry.Date.Anchor)
            ? null
            : $"no line of systemic therapy is active on {entry.Date}: record its systemic-therapy-started first";
    }

    /// <summary>
    /// Whether a line is active for a new entry anchored on <paramref name="anchor"/>: the new entry comes after
    /// every entry anchored on or before it, since its sequence is the highest.
    /// </summary>
    public static bool IsLineActiveAt(IEnumerable<EffectiveEntry> clinicalOrder, DateOnly anchor)
    {
        var active = false;
        foreach (var e in clinicalOrder.TakeWhile(e => e.Date.Anchor <= anchor))
        {
            active = e.Entry switch
            {
                SystemicTherapyStarted => true,
                SystemicTherapyStopped or PatientDied => false,
                _ => active,
            };
        }
        return active;
    }
}
