namespace TreatmentLedger.Cohorts;

/// <summary>The events of an endpoint among a regimen's lines and the Kaplan–Meier median in days (null when not reached).</summary>
public sealed record EndpointSummary(int Events, int? Median);

/// <summary>A row of <c>GET /cohorts/regimens</c>: one regimen key, over every case's lines of it.</summary>
public sealed record RegimenOutcome(
    string Regimen,
    int Cases,
    int Lines,
    int ActiveLines,
    EndpointSummary Pfs,
    EndpointSummary Ttd,
    IReadOnlyDictionary<string, int> StopReasons,
    IReadOnlyDictionary<string, int> BestResponses,
    IReadOnlyDictionary<string, int> Grade3PlusAdverseEvents);

/// <summary>The regimen table (DASHBOARDS.md, Regimen outcomes): most lines first, ties by regimen key.</summary>
public static class RegimenOutcomes
{
    public static IReadOnlyList<RegimenOutcome> Of(IEnumerable<(Guid CaseId, LineFact Line)> lines) =>
        lines
            .GroupBy(l => l.Line.RegimenKey)
            .Select(Row)
            .OrderByDescending(r => r.Lines)
            .ThenBy(r => r.Regimen, StringComparer.Ordinal)
            .ToList();

    private static RegimenOutcome Row(IGrouping<string, (Guid CaseId, LineFact Line)> regimen)
    {
        var facts = regimen.Select(l => l.Line).ToList();
        return new RegimenOutcome(
            regimen.Key,
            regimen.Select(l => l.CaseId).Distinct().Count(),
            facts.Count,
            facts.Count(f => f.Active),
            Summary(facts.Select(f => f.Pfs).ToList()),
            Summary(facts.Select(f => f.Ttd).ToList()),
            Counts(facts.Select(f => f.StopReason).OfType<string>()),
            Counts(facts.Select(f => f.BestResponse).OfType<string>()),
            // Terms are free text: counted under the regimen key's normalisation, so that "Neutropenia" and "neutropenia " are one.
            Counts(facts.SelectMany(f => f.Grade3PlusAdverseEvents).Select(RegimenKey.Of)));
    }

    private static EndpointSummary Summary(IReadOnlyList<TimeToEvent> times) =>
        new(times.Count(t => t.Event), KaplanMeier.Fit(times).Median.Days);

    /// <summary>Each value with its count, most frequent first, ties by value.</summary>
    private static OrderedDictionary<string, int> Counts(IEnumerable<string> values) =>
        new(values
            .CountBy(v => v, StringComparer.Ordinal)
            .OrderByDescending(c => c.Value)
            .ThenBy(c => c.Key, StringComparer.Ordinal));
}
