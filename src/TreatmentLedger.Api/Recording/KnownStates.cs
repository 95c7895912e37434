using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Recording;

/// <summary>
/// The states of the cases this process's writer last appended to, or read under their locks, by hospital and case: a batch
/// of plain clinical entries on known cases (<see cref="ContextsFor"/>) is decided without reading anything, and stored
/// in one round trip and its commit instead of two and a commit. The store still guards every such append: the events'
/// unique (case, version) index refuses it when another process appended to the case since (the state is stale), and
/// their unique event id index refuses an entry sent again (a repeat, which only the entries read by key can answer);
/// the writer then forgets the cases and decides the batch again under their locks, reading what it needs. The append
/// statement also writes nothing to a stream that is not at the version the state says (<see cref="Store.CaseAppends"/>),
/// so a known state that is stale in any way (ahead of the store after a reset, or behind it) fails the transaction
/// instead of leaving a gap; and a request that a known state refuses is decided again under the locks, since a refusal
/// stores nothing the store could refuse in turn.
/// At most <see cref="Capacity"/> states are held, the most recently used: two generations, the older dropped whole when
/// the younger fills.
/// </summary>
public sealed class KnownStates
{
    /// <summary>The most states held.</summary>
    public const int Capacity = 4_096;

    private readonly Lock _lock = new();
    private Dictionary<(string Hospital, Guid CaseId), CaseState> _young = [];
    private Dictionary<(string Hospital, Guid CaseId), CaseState> _old = [];

    /// <summary>
    /// The contexts of requests on existing cases (one a case) when every one of them can be decided on its known state
    /// alone: its case is known, and it holds only clinical entries (a correction or retraction reads the entry it names)
    /// and no stop or death (which reads whether an entry is anchored after it). Null otherwise.
    /// </summary>
    public IReadOnlyDictionary<Guid, CaseContext>? ContextsFor(string hospital, IEnumerable<(Guid CaseId, IReadOnlyList<Entry> Entries)> requests)
    {
        var contexts = new Dictionary<Guid, CaseContext>();
        foreach (var (caseId, entries) in requests)
        {
            if (!entries.All(e => e is ClinicalEntry) || CaseContext.EarliestEnding(entries) is not null) return null;
            if (Find(hospital, caseId) is not { } state) return null;
            contexts[caseId] = new CaseContext(state, [], []);
        }
        return contexts;
    }

    /// <summary>The known states of these cases (a batch locking them reads only those it does not know at their version).</summary>
    public IReadOnlyDictionary<Guid, CaseState> StatesOf(string hospital, IEnumerable<Guid> caseIds)
    {
        var states = new Dictionary<Guid, CaseState>();
        foreach (var caseId in caseIds)
            if (Find(hospital, caseId) is { } state) states[caseId] = state;
        return states;
    }

    /// <summary>Remembers states as a transaction committed them, or read them under the cases' locks.</summary>
    public void Remember(string hospital, IEnumerable<CaseState> states)
    {
        lock (_lock)
            foreach (var state in states)
                Keep((hospital, state.Id), state);
    }

    /// <summary>Forgets these cases: a write on them failed, so what was known of them may no longer hold.</summary>
    public void Forget(string hospital, IEnumerable<Guid> caseIds)
    {
        lock (_lock)
            foreach (var caseId in caseIds)
            {
                _young.Remove((hospital, caseId));
                _old.Remove((hospital, caseId));
            }
    }

    private CaseState? Find(string hospital, Guid caseId)
    {
        var key = (hospital, caseId);
        lock (_lock)
        {
            if (_young.TryGetValue(key, out var state)) return state;
            if (!_old.Remove(key, out state)) return null;
            Keep(key, state);
            return state;
        }
    }

    private void Keep((string, Guid) key, CaseState state)
    {
        if (_young.Count >= Capacity / 2 && !_young.ContainsKey(key))
        {
            _old = _young;
            _young = [];
        }
        _young[key] = state;
        _old.Remove(key);
    }
}
