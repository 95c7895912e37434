using TreatmentLedger.Entries;

namespace TreatmentLedger.History;

/// <summary>
/// Everything recorded on one case, in recording order, and what it amounts to once corrections and retractions
/// are applied. Every projection folds <see cref="Effective"/>, which is in clinical order (anchor, then recording
/// order). Within one case the recording order is the version's, which is also the global sequence's.
/// </summary>
public sealed class CaseHistory
{
    private readonly Lazy<Dictionary<Guid, EntryState>> _states;
    private readonly Lazy<IReadOnlyList<EffectiveEntry>> _effective;

    public CaseHistory(IEnumerable<RecordedEntry> recorded)
    {
        var list = recorded.ToList();
        // Recorded entries nearly always come in recording order already: sort only when they do not.
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i - 1].Version <= list[i].Version) continue;
            list.Sort((a, b) => a.Version.CompareTo(b.Version));
            break;
        }
        Recorded = list;
        _states = new Lazy<Dictionary<Guid, EntryState>>(ComputeStates);
        _effective = new Lazy<IReadOnlyList<EffectiveEntry>>(ComputeEffective);
    }

    public IReadOnlyList<RecordedEntry> Recorded { get; }

    public long Version => Recorded.Count == 0 ? 0 : Recorded.Max(e => e.Version);

    /// <summary>
    /// The recorded entries about what had happened by a clinical date: the case-opened, the clinical entries anchored on
    /// or before it, and the corrections and retractions of those (in recording order). Null keeps everything.
    /// </summary>
    public IReadOnlyList<RecordedEntry> RecordedUpTo(DateOnly? asOf)
    {
        if (asOf is not { } day) return Recorded;
        var kept = Recorded
            .Where(r => r.Entry is CaseOpened || r.Entry is ClinicalEntry clinical && clinical.Date.Anchor <= day)
            .Select(r => r.Entry.EntryId)
            .ToHashSet();
        return Recorded.Where(r => kept.Contains(r.Entry.EntryId)).ToList();
    }

    public CaseOpened? Opening => Effective.Select(e => e.Entry).OfType<CaseOpened>().FirstOrDefault();

    public IReadOnlyList<EffectiveEntry> Effective => _effective.Value;

    /// <summary>The state of a recorded clinical entry; corrections and retractions themselves are always active.</summary>
    public EntryState StateOf(RecordedEntry recorded) =>
        recorded.Entry is ClinicalEntry && _states.Value.TryGetValue(recorded.Entry.EntryId, out var state)
            ? state
            : new EntryState(EntryStatus.Active, null, null);

    private Dictionary<Guid, EntryState> ComputeStates()
    {
        var states = new Dictionary<Guid, EntryState>();
        foreach (var recorded in Recorded)
        {
            switch (recorded.Entry)
            {
                case ClinicalEntry clinical:
                    states.TryAdd(clinical.EntryId, new EntryState(EntryStatus.Active, null, null));
                    break;
                case EntryCorrected corrected when states.TryGetValue(corrected.EntryId, out var state) && state.Status != EntryStatus.Retracted:
                    states[corrected.EntryId] = state with { Status = EntryStatus.Corrected, CorrectedBy = recorded.Sequence };
                    break;
                case EntryRetracted retracted when states.TryGetValue(retracted.EntryId, out var state):
                    states[retracted.EntryId] = state with { Status = EntryStatus.Retracted, RetractedBy = recorded.Sequence };
                    break;
            }
        }
        return states;
    }

    private IReadOnlyList<EffectiveEntry> ComputeEffective()
    {
        var latest = new Dictionary<Guid, ClinicalEntry>();
        foreach (var recorded in Recorded)
            if (recorded.Entry is EntryCorrected corrected)
                latest[corrected.EntryId] = corrected.ClinicalReplacement;

        var effective = new List<EffectiveEntry>();
        foreach (var recorded in Recorded)
        {
            if (recorded.Entry is not ClinicalEntry clinical) continue;
            var state = _states.Value[clinical.EntryId];
            if (state.Status == EntryStatus.Retracted) continue;
            var counts = state.Status == EntryStatus.Corrected ? latest[clinical.EntryId] : clinical;
            effective.Add(new EffectiveEntry(counts, recorded.Version));
        }
        return effective.OrderBy(e => e.Date.Anchor).ThenBy(e => e.Version).ToList();
    }
}
