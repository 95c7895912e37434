using TreatmentLedger.Entries;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>
/// The append workload: many cases, each a generated entry list whose first entry (the case-opened) opened it.
/// Worker w owns the cases whose index is w modulo the worker count and appends each one's next entries in order, so
/// entries of one case never race one another and every append keeps the clinical rules.
/// </summary>
public sealed class CaseStreams
{
    private readonly int[] _next;

    public CaseStreams(IReadOnlyList<IReadOnlyList<Entry>> cases)
    {
        Cases = cases;
        Ids = new Guid[cases.Count];
        _next = Enumerable.Repeat(1, cases.Count).ToArray();
    }

    public IReadOnlyList<IReadOnlyList<Entry>> Cases { get; }

    /// <summary>The id under which each case was opened (the ledger chooses it).</summary>
    public Guid[] Ids { get; }

    public static CaseStreams Generate(int caseCount, int entriesPerCase, int seed, DateOnly today) =>
        new(Enumerable.Range(0, caseCount).Select(i => SyntheticCase.Generate(entriesPerCase, seed + i, today)).ToList());

    /// <summary>The next <paramref name="rounds"/> entries of every case, per worker: (case index, entry index 0-based) in append order.</summary>
    public IReadOnlyList<IReadOnlyList<(int Case, int Entry)>> NextRounds(int workers, int rounds)
    {
        var plan = Enumerable.Range(0, workers).Select(_ => new List<(int, int)>()).ToList();
        for (var r = 0; r < rounds; r++)
            for (var c = 0; c < Cases.Count; c++)
            {
                var index = _next[c] + r;
                if (index >= Cases[c].Count) throw new InvalidOperationException($"case {c} has only {Cases[c].Count} generated entries");
                plan[c % workers].Add((c, index));
            }
        for (var c = 0; c < Cases.Count; c++) _next[c] += rounds;
        return plan;
    }
}
