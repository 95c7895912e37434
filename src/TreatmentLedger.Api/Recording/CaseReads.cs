using Marten.Services.BatchQuerying;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Recording;

/// <summary>
/// What the rules read of a case beside its state, asked in the batch query that locks the cases' streams, after the
/// locks: read in the same round trip, and seeing every append committed before the locks were granted. The entries the
/// requests name (their own entryIds included: a repeated request is found by them) and their latest correction and
/// retraction (by key, whether the entries are found or not), and, for a request that adds a stop or a death, whether
/// its case holds an entry anchored after it.
/// </summary>
public sealed class CaseReads
{
    private readonly Dictionary<Guid, Task<bool>> _anchoredAfterEnding;

    private CaseReads(Task<IReadOnlyDictionary<Guid, List<RecordedEntry>>> named, Task<IReadOnlyDictionary<Guid, List<AmendedBy>>> amendments,
        Dictionary<Guid, Task<bool>> anchoredAfterEnding)
    {
        Named = named;
        Amendments = amendments;
        _anchoredAfterEnding = anchoredAfterEnding;
    }

    /// <summary>Adds the reads of these requests (one a case) to <paramref name="query"/>, after what it holds already.</summary>
    public static CaseReads In(IBatchedQuery query, EventRows rows, string hospital, IEnumerable<(Guid CaseId, IReadOnlyList<Entry> Entries)> requests)
    {
        var names = new List<(Guid CaseId, Guid EntryId)>();
        var anchoredAfterEnding = new Dictionary<Guid, Task<bool>>();
        foreach (var (caseId, entries) in requests)
        {
            names.AddRange(CaseContext.NamedBy(entries).Select(id => (caseId, id)));
            if (CaseContext.EarliestEnding(entries) is { } ending)
                anchoredAfterEnding[caseId] = query.AddItem(rows.AnyAnchoredAfter(hospital, caseId, ending));
        }
        var named = names.Count > 0
            ? query.AddItem(rows.Named(names))
            : Task.FromResult<IReadOnlyDictionary<Guid, List<RecordedEntry>>>(new Dictionary<Guid, List<RecordedEntry>>());
        return new CaseReads(named, Amendment.Of(query, names), anchoredAfterEnding);
    }

    /// <summary>The named entries found, by case (once the query has run).</summary>
    public Task<IReadOnlyDictionary<Guid, List<RecordedEntry>>> Named { get; }

    /// <summary>The latest correction and the retraction of the named entries, by case (once the query has run).</summary>
    public Task<IReadOnlyDictionary<Guid, List<AmendedBy>>> Amendments { get; }

    /// <summary>Whether the case's request adds a stop or a death before an entry of the case (once the query has run).</summary>
    public async Task<bool> AnchoredAfterEndingAsync(Guid caseId) =>
        _anchoredAfterEnding.TryGetValue(caseId, out var found) && await found;
}
