using TreatmentLedger.History;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// The recorded entries of the cases seen last, so that what folds a case again reads only the events recorded since:
/// the dashboards' projection, which the daemon runs on one node page after page (a case being recorded comes back page
/// after page), and the read routes that fold a stream live (<see cref="CaseReader"/>), each with its own.
/// Events never change once stored, so a kept prefix of a stream stays true whatever happens (a rebuild, a page replayed
/// after a crash, another node having projected in between): <see cref="EarlierThan"/> answers only with versions 1 to
/// n without a hole, or nothing. Bounded by entries held; the case seen longest ago goes first.
/// </summary>
public sealed class RecentHistories(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, Guid Case), LinkedListNode<Kept>> _byCase = new();
    private readonly LinkedList<Kept> _byUse = new();
    private int _held;

    private sealed record Kept((string Tenant, Guid Case) Key, List<RecordedEntry> Entries);

    /// <summary>The entries recorded on the case before <paramref name="version"/>, if every one of them is kept.</summary>
    public IReadOnlyList<RecordedEntry>? EarlierThan(string tenant, Guid caseId, long version)
    {
        if (version == 1) return [];
        lock (_lock)
        {
            if (!_byCase.TryGetValue((tenant, caseId), out var node)) return null;
            var entries = node.Value.Entries;
            // Kept entries are versions 1..Count in order.
            if (entries.Count < version - 1) return null;
            return entries.GetRange(0, (int)(version - 1));
        }
    }

    /// <summary>
    /// The kept entries of the case, versions 1 to n in order, in a list of the caller's own (to extend with what was
    /// recorded since); an empty one when the case is not kept.
    /// </summary>
    public List<RecordedEntry> Entries(string tenant, Guid caseId)
    {
        lock (_lock)
            return _byCase.TryGetValue((tenant, caseId), out var node) ? [.. node.Value.Entries] : [];
    }

    /// <summary>Keeps a case's whole history up to its latest version; anything but versions 1..n in order is not kept.</summary>
    public void Keep(string tenant, Guid caseId, IReadOnlyList<RecordedEntry> history)
    {
        if (history.Count > capacity) return;
        for (var i = 0; i < history.Count; i++)
            if (history[i].Version != i + 1) return;
        lock (_lock)
        {
            var key = (tenant, caseId);
            if (_byCase.Remove(key, out var old))
            {
                _byUse.Remove(old);
                _held -= old.Value.Entries.Count;
            }
            _byCase[key] = _byUse.AddFirst(new Kept(key, [.. history]));
            _held += history.Count;
            while (_held > capacity && _byUse.Last is { } last)
            {
                _byUse.RemoveLast();
                _byCase.Remove(last.Value.Key);
                _held -= last.Value.Entries.Count;
            }
        }
    }
}
