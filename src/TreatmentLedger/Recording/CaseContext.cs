using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Recording;

/// <summary>
/// What a request is judged against, whatever the case's length: the case's <see cref="CaseState"/>, and the recorded
/// clinical entries the request <see cref="NamedBy">names</see> (a writer finds them by their event ids).
/// </summary>
/// <param name="State">The case's state; null for a case being opened.</param>
/// <param name="Named">The recorded clinical entries with the entryIds the request names, as first recorded (any order).</param>
public sealed record CaseContext(CaseState? State, IReadOnlyList<RecordedEntry> Named)
{
    public static readonly CaseContext NewCase = new(null, []);

    public long Version => State?.Version ?? 0;

    /// <summary>The context of a whole history, every entry named: what a compact context must decide exactly as.</summary>
    public static CaseContext Of(Guid caseId, CaseHistory history) => history.Recorded.Count == 0
        ? NewCase
        : new(CaseState.Of(caseId, history), history.Recorded.Where(r => r.Entry is ClinicalEntry).ToList());

    /// <summary>
    /// The entryIds a request names: those its clinical entries give (a repeat is answered like the first time) and
    /// those its corrections and retractions act on.
    /// </summary>
    public static IReadOnlySet<Guid> NamedBy(IEnumerable<Entry> entries) =>
        entries.Select(e => e.EntryId).Where(id => id != Guid.Empty).ToHashSet();

    /// <summary>
    /// The part of the case the rules read, in recording order: the outline entries the request does not name (each as it
    /// counts now), and each named entry as recorded, with its latest correction and its retraction. Folded by
    /// <see cref="CaseHistory"/>, it gives the same states, outline and first death as the whole case.
    /// </summary>
    public IEnumerable<RecordedEntry> Recorded()
    {
        var named = Named.Select(r => r.Entry.EntryId).ToHashSet();
        var amended = State?.Amended ?? [];
        var recorded = new List<RecordedEntry>();
        foreach (var outline in State?.Outline ?? [])
            if (!named.Contains(outline.Entry.EntryId)) recorded.Add(Stored(outline.Entry, outline.Version));
        foreach (var entry in Named)
        {
            recorded.Add(entry);
            if (!amended.TryGetValue(entry.Entry.EntryId, out var amendments)) continue;
            if (amendments.Correction is { } correction) recorded.Add(Stored(correction.Entry, correction.Version));
            if (amendments.Retraction is { } retraction) recorded.Add(Stored(retraction.Entry, retraction.Version));
        }
        return recorded.OrderBy(r => r.Version);
    }

    private static RecordedEntry Stored(Entry entry, long version) => new(entry, null, version, default, null, null);
}
