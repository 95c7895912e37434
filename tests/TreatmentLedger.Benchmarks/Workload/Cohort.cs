using TreatmentLedger.Cohorts;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>
/// A cohort for the survival scenario: generated cases (<see cref="SyntheticCase"/>, half of them ending with a death)
/// until their lines of therapy number at least the lines wanted, each case's lines counted by the domain's own
/// <see cref="LineFacts"/> as the dashboards' projection will count them. A generated case now and then starts a
/// regimen while another is active, which DOMAIN.md joins into one line of a combined regimen ("a + b"): such cases
/// (<see cref="Skipped"/>) are left out, so that every line is of one of the generator's few regimens and a request
/// naming them all (the API compares at most 12 at once) covers every line of the cohort.
/// </summary>
public sealed record Cohort(IReadOnlyList<IReadOnlyList<Entry>> Cases, int Lines, IReadOnlyList<string> Regimens, int Skipped)
{
    public static Cohort Generate(int lines, int entriesPerCase, int seed, DateOnly today)
    {
        var plain = SyntheticCase.Regimens.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var cases = new List<IReadOnlyList<Entry>>();
        var regimens = new HashSet<string>();
        var counted = 0;
        var skipped = 0;
        for (var c = 0; counted < lines; c++)
        {
            var entries = SyntheticCase.Generate(entriesPerCase, seed + c, today, endWithDeath: c % 2 == 0);
            var facts = LineFacts.Of(new CaseHistory(entries.Select((e, i) => new RecordedEntry(e, null, i + 1, DateTimeOffset.UnixEpoch, LedgerWriter.RecordedBy, null))));
            if (!facts.All(f => plain.Contains(f.Regimen)))
            {
                skipped++;
                continue;
            }
            cases.Add(entries);
            counted += facts.Count;
            foreach (var fact in facts) regimens.Add(fact.Regimen);
        }
        return new Cohort(cases, counted, regimens.Order(StringComparer.Ordinal).ToList(), skipped);
    }
}
