using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

public sealed record RadiotherapySite(string Site, int Courses, decimal TotalDoseGy, int Fractions, decimal Eqd2Gy, decimal BedGy);

public sealed record DrugTotal(string Drug, string Unit, decimal TotalAmount, int Administrations);

public sealed record OralExposure(string Drug, decimal TotalMg, int Days);

public sealed record DoseAlert(string Kind, string Level, decimal Value, string Unit);

public sealed record RadiotherapyDose(IReadOnlyList<RadiotherapySite> BySite);

public sealed record SystemicDose(IReadOnlyList<DrugTotal> ByDrug, IReadOnlyList<OralExposure> OralExposure);

public sealed record CumulativeDoseView(decimal AlphaBeta, RadiotherapyDose Radiotherapy, SystemicDose Systemic, IReadOnlyList<DoseAlert> Alerts);

/// <summary>Cumulative radiotherapy and systemic dose (DOMAIN.md); names compared trimmed and case-insensitive.</summary>
public static class CumulativeDose
{
    public const decimal DefaultAlphaBeta = 10m;
    public const string AnthracyclineAlert = "anthracycline-cumulative-dose";
    public const decimal AnthracyclineWarning = 400m;
    public const decimal AnthracyclineLimit = 550m;

    /// <summary>Doxorubicin-equivalence factors of the anthracyclines.</summary>
    public static readonly IReadOnlyDictionary<string, decimal> DoxorubicinEquivalence =
        new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase)
        {
            ["doxorubicin"] = 1m,
            ["epirubicin"] = 0.8m,
            ["daunorubicin"] = 0.6m,
            ["mitoxantrone"] = 10.5m,
            ["idarubicin"] = 5m,
        };

    public static CumulativeDoseView Of(CaseHistory history, ViewPoint point, decimal alphaBeta)
    {
        var entries = point.Select(history);
        var byDrug = ByDrug(entries);
        return new CumulativeDoseView(
            alphaBeta,
            new RadiotherapyDose(Radiotherapy(entries, alphaBeta)),
            new SystemicDose(byDrug, Oral(entries, point)),
            Alerts(entries));
    }

    private static string Key(string name) => name.Trim().ToLowerInvariant();

    /// <summary>Per site: d = D/n, BED = D(1 + d/(α/β)), EQD2 = D(d + α/β)/(2 + α/β), summed over courses.</summary>
    private static List<RadiotherapySite> Radiotherapy(IEnumerable<EffectiveEntry> entries, decimal alphaBeta) =>
        entries.Select(e => e.Entry).OfType<RadiotherapyDelivered>()
            .GroupBy(rt => Key(rt.Site))
            .Select(site =>
            {
                decimal eqd2 = 0, bed = 0;
                foreach (var course in site)
                {
                    var perFraction = course.TotalDoseGy / course.Fractions;
                    bed += course.TotalDoseGy * (1 + perFraction / alphaBeta);
                    eqd2 += course.TotalDoseGy * (perFraction + alphaBeta) / (2 + alphaBeta);
                }
                return new RadiotherapySite(site.First().Site.Trim(), site.Count(), site.Sum(c => c.TotalDoseGy), site.Sum(c => c.Fractions),
                    Math.Round(eqd2, 2, MidpointRounding.AwayFromZero), Math.Round(bed, 2, MidpointRounding.AwayFromZero));
            })
            .ToList();

    private static List<DrugTotal> ByDrug(IEnumerable<EffectiveEntry> entries) =>
        entries.Select(e => e.Entry).OfType<CycleAdministered>()
            .SelectMany(c => c.Doses)
            .GroupBy(d => (Drug: Key(d.Drug), Unit: Key(d.Unit)))
            .Select(g => new DrugTotal(g.First().Drug.Trim(), g.First().Unit.Trim(), g.Sum(d => d.Amount), g.Count()))
            .ToList();

    /// <summary>
    /// Oral exposure: dailyDoseMg × days at that dose, anchor to anchor, up to the line's stop or asOf/today.
    /// Days count only days at a dose above zero.
    /// </summary>
    private static List<OralExposure> Oral(IReadOnlyList<EffectiveEntry> entries, ViewPoint point)
    {
        var totals = new Dictionary<string, (string Drug, decimal Mg, int Days)>();
        foreach (var line in LineFold.Fold(entries))
        {
            var end = (line.StoppedOn ?? point.CensorDate).Anchor;
            foreach (var drug in line.DoseSegments.GroupBy(s => Key(s.Drug)))
            {
                var segments = drug.ToList();
                for (var i = 0; i < segments.Count; i++)
                {
                    var from = segments[i].From.Anchor;
                    var to = i + 1 < segments.Count ? segments[i + 1].From.Anchor : end;
                    var days = Math.Max(0, to.DayNumber - Math.Max(from.DayNumber, line.StartedOn.Anchor.DayNumber));
                    if (segments[i].DailyDoseMg <= 0 || days == 0) continue;
                    var total = totals.TryGetValue(drug.Key, out var sum) ? sum : (Drug: segments[0].Drug.Trim(), Mg: 0m, Days: 0);
                    totals[drug.Key] = (total.Drug, total.Mg + segments[i].DailyDoseMg * days, total.Days + days);
                }
            }
        }
        return totals.Values.Select(t => new OralExposure(t.Drug, t.Mg, t.Days)).ToList();
    }

    /// <summary>Doxorubicin-equivalent anthracycline dose in mg/m2: warning from 400, limit-exceeded from 550.</summary>
    private static List<DoseAlert> Alerts(IEnumerable<EffectiveEntry> entries)
    {
        var equivalent = entries.Select(e => e.Entry).OfType<CycleAdministered>()
            .SelectMany(c => c.Doses)
            .Where(d => Key(d.Unit) == "mg/m2" && DoxorubicinEquivalence.ContainsKey(d.Drug.Trim()))
            .Sum(d => d.Amount * DoxorubicinEquivalence[d.Drug.Trim()]);
        var level = equivalent >= AnthracyclineLimit ? "limit-exceeded" : equivalent >= AnthracyclineWarning ? "warning" : null;
        return level is null ? [] : [new DoseAlert(AnthracyclineAlert, level, equivalent, "mg/m2")];
    }
}
