using TreatmentLedger.Entries;

namespace TreatmentLedger.Projections;

/// <summary>An entry whose estimated fields an answer used, and which of them (DOMAIN.md, Estimated values).</summary>
public sealed record EstimateUsed(Guid EntryId, IReadOnlyList<string> Fields);

/// <summary>
/// Collects, while a view is computed, the estimated fields it uses. A view says which fields of an entry it reads
/// (<see cref="All"/> for the whole entry); an estimated name counts when it is one of them or lies under one
/// (<c>agents</c> covers <c>agents[0].dose</c>). Entries are listed in the order first used, each once.
/// </summary>
public sealed class EstimatesUsed
{
    public const string All = "*";

    private readonly List<Guid> _order = [];
    private readonly Dictionary<Guid, List<string>> _fields = [];

    public EstimatesUsed Use(Entry entry, params string[] fields)
    {
        if (entry.Estimated is not { Count: > 0 } estimated) return this;
        foreach (var name in estimated)
        {
            if (fields.Any(f => Covers(f, name))) Add(entry.EntryId, name);
        }
        return this;
    }

    /// <summary>Adds what another collection holds (e.g. a line's estimates to its view's).</summary>
    public EstimatesUsed Add(IEnumerable<EstimateUsed> used)
    {
        foreach (var item in used)
            foreach (var name in item.Fields)
                Add(item.EntryId, name);
        return this;
    }

    private void Add(Guid entryId, string name)
    {
        if (!_fields.TryGetValue(entryId, out var list))
        {
            _fields[entryId] = list = [];
            _order.Add(entryId);
        }
        if (!list.Contains(name)) list.Add(name);
    }

    public IReadOnlyList<EstimateUsed> List() => _order.Select(id => new EstimateUsed(id, _fields[id].ToList())).ToList();

    private static bool Covers(string field, string name) =>
        field == All || name == field || name.StartsWith(field + ".", StringComparison.Ordinal) || name.StartsWith(field + "[", StringComparison.Ordinal);
}
