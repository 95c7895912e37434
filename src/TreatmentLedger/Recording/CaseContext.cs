using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Recording;

/// <summary>
/// What a request is judged against, whatever the case's length: the case's <see cref="CaseState"/>, the recorded
/// clinical entries the request <see cref="NamedBy">names</see>, and their latest correction and their retraction (a
/// writer finds both by key).
/// </summary>
/// <param name="State">The case's state; null for a case being opened.</param>
/// <param name="Named">The recorded clinical entries with the entryIds the request names, as first recorded (any order).</param>
/// <param name="Amendments">The latest correction and the retraction of each of those that has one (any order).</param>
public sealed record CaseContext(CaseState? State, IReadOnlyList<RecordedEntry> Named, IReadOnlyList<AmendedBy> Amendments)
{
    public static readonly CaseContext NewCase = new(null, [], []);

    public long Version => State?.Version ?? 0;

    /// <summary>The context of a whole history, every entry named: what a compact context must decide exactly as.</summary>
    public static CaseContext Of(Guid caseId, CaseHistory history) => history.Recorded.Count == 0
        ? NewCase
        : new(CaseState.Of(caseId, history), history.Recorded.Where(r => r.Entry is ClinicalEntry).ToList(), AmendmentsOf(history.Recorded));

    /// <summary>The latest correction and the retraction of each entry, from recorded entries in recording order.</summary>
    public static IReadOnlyList<AmendedBy> AmendmentsOf(IEnumerable<RecordedEntry> recorded)
    {
        var latest = new Dictionary<(Guid, Type), AmendedBy>();
        foreach (var r in recorded)
            if (r.Entry is CorrectionEntry action) latest[(action.EntryId, action.GetType())] = new AmendedBy(action, r.Version);
        return latest.Values.ToList();
    }

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
        var recorded = new List<RecordedEntry>();
        foreach (var outline in State?.Outline ?? [])
            if (!named.Contains(outline.Entry.EntryId)) recorded.Add(Stored(outline.Entry, outline.Version));
        recorded.AddRange(Named);
        foreach (var amendment in Amendments)
            if (named.Contains(amendment.Entry.EntryId)) recorded.Add(Stored(amendment.Entry, amendment.Version));
        return recorded.OrderBy(r => r.Version);
    }

    /// <summary>
    /// Whether the request may leave entries recorded before it outside a line or after the death
    /// (<see cref="CaseRules.Standing"/>), which only the whole case can tell (a writer then loads every entry of it): when
    /// it amends a start, a stop or a death (as recorded, as last corrected, or as the correction would make it). The
    /// compact context holds no cycle, dose change or visit. Rare: a line's start or stop, or a death, is seldom amended.
    /// A stop or a death the request adds needs the whole case only when an entry is anchored after it
    /// (<see cref="EarliestEnding"/>), which the writer asks the store.
    /// </summary>
    public bool NeedsWholeCase(IEnumerable<Entry> entries) => entries.OfType<CorrectionEntry>().Any(action =>
        action is EntryCorrected corrected && CaseRules.ShapesLines(corrected.ClinicalReplacement)
        || Named.Any(n => n.Entry is ClinicalEntry named && named.EntryId == action.EntryId && CaseRules.ShapesLines(named))
        || Amendments.Any(a => a.Entry is EntryCorrected last && last.EntryId == action.EntryId && CaseRules.ShapesLines(last.ClinicalReplacement)));

    /// <summary>
    /// The earliest anchor of the stops and deaths the request adds (null without any): if the case holds an entry anchored
    /// after it, the request may leave that entry outside a line or after the death, and is judged on the whole case.
    /// </summary>
    public static DateOnly? EarliestEnding(IEnumerable<Entry> entries) =>
        entries.OfType<ClinicalEntry>().Where(CaseRules.EndsWhatFollows).Select(e => (DateOnly?)e.Date.Anchor).Min();

    private static RecordedEntry Stored(Entry entry, long version) => new(entry, null, version, default, null, null);
}
