using Marten.Services.BatchQuerying;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// The latest correction of one clinical entry, or its retraction: one small document each, keyed by the case, the
/// entry and the kind (<see cref="StoredEvents.NameBased"/>), so that a writer finds those of the entries a request
/// names in one probe each, and the case's state does not grow with its corrections.
/// </summary>
public sealed class Amendment
{
    public Guid Id { get; set; }
    public Guid CaseId { get; set; }
    public CorrectionEntry Entry { get; set; } = null!;
    public long Version { get; set; }

    public static Guid IdOf(Guid caseId, CorrectionEntry action) => IdOf(caseId, action.EntryId, action.GetType());

    /// <summary>The document of a correction or retraction recorded at <paramref name="version"/> on the case.</summary>
    public static Amendment Of(Guid caseId, CorrectionEntry action, long version) =>
        new() { Id = IdOf(caseId, action), CaseId = caseId, Entry = action, Version = version };

    private static Guid IdOf(Guid caseId, Guid entryId, Type kind) => StoredEvents.NameBased(caseId, entryId, EntryTypes.NameOf(kind));

    /// <summary>
    /// The latest correction and the retraction of these entries, by case, found by key (nothing for an entry never
    /// amended, or not recorded): an item of a writer's batch query, after its streams' locks.
    /// </summary>
    public static Task<IReadOnlyDictionary<Guid, List<AmendedBy>>> Of(IBatchedQuery query, IReadOnlyCollection<(Guid CaseId, Guid EntryId)> entries)
    {
        if (entries.Count == 0) return Task.FromResult<IReadOnlyDictionary<Guid, List<AmendedBy>>>(new Dictionary<Guid, List<AmendedBy>>());
        var ids = entries.SelectMany(e => new[] { IdOf(e.CaseId, e.EntryId, typeof(EntryCorrected)), IdOf(e.CaseId, e.EntryId, typeof(EntryRetracted)) });
        return ByCase(query.LoadMany<Amendment>().ById(ids.ToArray()));

        static async Task<IReadOnlyDictionary<Guid, List<AmendedBy>>> ByCase(Task<IReadOnlyList<Amendment>> loading) =>
            (await loading).GroupBy(a => a.CaseId).ToDictionary(g => g.Key, g => g.Select(a => new AmendedBy(a.Entry, a.Version)).ToList());
    }
}

/// <summary>Keeps the <see cref="Amendment"/> documents inline with every append: each correction or retraction replaces the one before it.</summary>
public sealed partial class AmendmentProjection : EventProjection
{
    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (Of(e) is { } amendment) operations.Store(amendment);
        return ValueTask.CompletedTask;
    }

    /// <summary>The document an event replaces, if it is a correction or a retraction: what this projection stores, and what the writer stores (<see cref="CaseOpenings"/>, <see cref="CaseAppends"/>).</summary>
    public static Amendment? Of(IEvent e) => e.Data is CorrectionEntry action ? Amendment.Of(e.StreamId, action, e.Version) : null;
}
