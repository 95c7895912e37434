using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Projections;

/// <summary>One radiotherapy row: the courses given to one site and target (Target null: the site alone).</summary>
public sealed record RadiotherapySite(
    string Site, string? Target, int Courses, decimal TotalDoseGy, int Fractions, decimal Eqd2Gy, decimal BedGy, bool LqWarning);

public sealed record DrugTotal(string Drug, string Unit, decimal TotalAmount, int Administrations);

public sealed record OralExposure(string Drug, decimal TotalMg, int Days);

/// <summary>An anthracycline dose left out of the doxorubicin-equivalent sum: its unit could not be converted to mg/m2, or it is liposomal.</summary>
public sealed record UnconvertedDose(Guid EntryId, string Drug, decimal Amount, string Unit);

/// <summary>Incomplete: some anthracycline doses could not be counted (see <see cref="CumulativeDoseView.UnconvertedDoses"/>).</summary>
public sealed record DoseAlert(string Kind, string Level, decimal Value, string Unit, bool Incomplete);

public sealed record RadiotherapyDose(IReadOnlyList<RadiotherapySite> BySite);

public sealed record SystemicDose(IReadOnlyList<DrugTotal> ByDrug, IReadOnlyList<OralExposure> OralExposure);

public sealed record CumulativeDoseView(
    decimal AlphaBeta,
    RadiotherapyDose Radiotherapy,
    SystemicDose Systemic,
    IReadOnlyList<UnconvertedDose> UnconvertedDoses,
    IReadOnlyList<DoseAlert> Alerts,
    IReadOnlyList<EstimateUsed> EstimatesUsed);

/// <summary>Cumulative radiotherapy and systemic dose (DOMAIN.md); names compared trimmed and case-insensitive.</summary>
public static class CumulativeDose
{
    public const decimal DefaultAlphaBeta = 10m;
    public const string AnthracyclineAlert = "anthracycline-cumulative-dose";
    public const decimal AnthracyclineWarning = 400m;
    public const decimal AnthracyclineLimit = 550m;

    /// <summary>From this dose per fraction on, a row carries lqWarning: the linear-quadratic model is not reliable there.</summary>
    public const decimal LqReliableBelowGyPerFraction = 8m;

    public const string PerSquareMetre = "mg/m2";
    public const string Milligrams = "mg";

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

    public static CumulativeDoseView Of(CaseHistory history, ViewPoint point, decimal alphaBeta) => Of(new Course(history, point), alphaBeta);

    public static CumulativeDoseView Of(Course course, decimal alphaBeta)
    {
        var estimates = new EstimatesUsed();
        var radiotherapy = Radiotherapy(course, alphaBeta, estimates);
        var byDrug = ByDrug(course, estimates);
        var oral = Oral(course, estimates);
        var (unconverted, alerts) = Anthracyclines(course, estimates);
        return new CumulativeDoseView(
            alphaBeta,
            new RadiotherapyDose(radiotherapy),
            new SystemicDose(byDrug, oral),
            unconverted,
            alerts,
            estimates.List());
    }

    private static string Key(string name) => name.Trim().ToLowerInvariant();

    /// <summary>Gy and mg/m2 figures: 2 decimals, half away from zero, applied to the sums (never to each course or dose).</summary>
    private static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Per site and target (absent: the site alone): d = D/n, BED = D(1 + d/(α/β)), EQD2 = D(d + α/β)/(2 + α/β), summed
    /// over courses. Two lesions of one organ are two rows: a sum over different volumes means nothing.
    /// </summary>
    private static List<RadiotherapySite> Radiotherapy(Course course, decimal alphaBeta, EstimatesUsed estimates)
    {
        var courses = course.Entries.Select(e => e.Entry).OfType<RadiotherapyDelivered>().ToList();
        foreach (var rt in courses)
            estimates.Use(rt, "site", "target", "totalDoseGy", "fractions");
        return courses
            .GroupBy(rt => (Site: Key(rt.Site), Target: TargetOf(rt)?.ToLowerInvariant()))
            .Select(row =>
            {
                decimal eqd2 = 0, bed = 0;
                var lqWarning = false;
                foreach (var rt in row)
                {
                    var perFraction = rt.TotalDoseGy / rt.Fractions;
                    bed += rt.TotalDoseGy * (1 + perFraction / alphaBeta);
                    eqd2 += rt.TotalDoseGy * (perFraction + alphaBeta) / (2 + alphaBeta);
                    lqWarning |= perFraction >= LqReliableBelowGyPerFraction;
                }
                var first = row.First();
                return new RadiotherapySite(first.Site.Trim(), TargetOf(first), row.Count(), row.Sum(c => c.TotalDoseGy), row.Sum(c => c.Fractions),
                    Round(eqd2), Round(bed), lqWarning);
            })
            .ToList();
    }

    /// <summary>The target a course's row shows: trimmed, or null when the course names none (the site alone).</summary>
    private static string? TargetOf(RadiotherapyDelivered rt) => string.IsNullOrWhiteSpace(rt.Target) ? null : rt.Target.Trim();

    private static List<DrugTotal> ByDrug(Course course, EstimatesUsed estimates)
    {
        var cycles = course.Entries.Select(e => e.Entry).OfType<CycleAdministered>().ToList();
        foreach (var cycle in cycles)
            estimates.Use(cycle, "doses");
        return cycles
            .SelectMany(c => c.Doses)
            .GroupBy(d => (Drug: Key(d.Drug), Unit: Key(d.Unit)))
            .Select(g => new DrugTotal(g.First().Drug.Trim(), g.First().Unit.Trim(), g.Sum(d => d.Amount), g.Count()))
            .ToList();
    }

    /// <summary>
    /// Oral exposure: dailyDoseMg × days at that dose, anchor to anchor, up to the line's stop or asOf/today.
    /// Days count only days at a dose above zero. A line that adds exposure uses the estimates of what bounds its
    /// segments: the starts giving a daily dose (or, in maintenance, ending the earlier ones), its dose changes of those
    /// drugs, and its stop.
    /// </summary>
    private static List<OralExposure> Oral(Course course, EstimatesUsed estimates)
    {
        var adjustments = new Dictionary<Guid, DoseAdjusted>();
        foreach (var adjusted in course.Entries.Select(e => e.Entry).OfType<DoseAdjusted>())
            adjustments[adjusted.EntryId] = adjusted;

        var totals = new Dictionary<string, (string Drug, decimal Mg, int Days)>();
        foreach (var line in course.Lines)
        {
            var end = (line.StoppedOn ?? course.Point.CensorDate).Anchor;
            var exposed = false;
            foreach (var drug in line.DoseSegments.GroupBy(s => Key(s.Drug)))
            {
                var segments = drug.ToList();
                for (var i = 0; i < segments.Count; i++)
                {
                    var from = segments[i].From.Anchor;
                    var to = i + 1 < segments.Count ? segments[i + 1].From.Anchor : end;
                    var days = Math.Max(0, to.DayNumber - Math.Max(from.DayNumber, line.StartedOn.Anchor.DayNumber));
                    if (segments[i].DailyDoseMg <= 0 || days == 0) continue;
                    if (!totals.TryGetValue(drug.Key, out var total)) total = (segments[0].Drug.Trim(), 0m, 0);
                    totals[drug.Key] = (total.Drug, total.Mg + segments[i].DailyDoseMg * days, total.Days + days);
                    exposed = true;
                }
            }
            if (!exposed) continue;

            foreach (var started in line.Starts)
            {
                if ((started.Agents ?? []).Any(a => a.DailyDoseMg is not null)) estimates.Use(started, "agents", "occurredOn");
                else if (started.EntryId != line.EntryId && started.LineIntent == LineIntent.Maintenance) estimates.Use(started, "occurredOn");
            }
            foreach (var change in line.DoseChanges.Where(c => line.DoseSegments.Any(s => LineFold.SameName(s.Drug, c.Drug))))
                if (adjustments.TryGetValue(change.EntryId, out var adjusted)) estimates.Use(adjusted, "dailyDoseMg", "occurredOn");
            if (line.StoppedBy is not null) estimates.Use(line.StoppedBy, "occurredOn");
        }
        return totals.Values.Select(t => new OralExposure(t.Drug, t.Mg, t.Days)).ToList();
    }

    /// <summary>
    /// Doxorubicin-equivalent anthracycline dose in mg/m2: warning from 400, limit-exceeded from 550. A dose in mg/m2
    /// counts as given; one in mg is divided by the cycle's bsaM2, else the line's. A dose that cannot be converted, or
    /// of a liposomal form, is listed as unconverted and not counted; the alert is then always given (info below 400),
    /// marked incomplete.
    /// </summary>
    private static (List<UnconvertedDose> Unconverted, List<DoseAlert> Alerts) Anthracyclines(Course course, EstimatesUsed estimates)
    {
        var lineBsaGivenBy = new Dictionary<Guid, SystemicTherapyStarted>();
        foreach (var lineCycle in course.Lines.SelectMany(l => l.CycleEntries))
            if (lineCycle.BsaGivenBy is not null) lineBsaGivenBy[lineCycle.Entry.EntryId] = lineCycle.BsaGivenBy;

        var unconverted = new List<UnconvertedDose>();
        var equivalent = 0m;
        foreach (var cycle in course.Entries.Select(e => e.Entry).OfType<CycleAdministered>())
        {
            foreach (var dose in cycle.Doses)
            {
                var drug = AnthracyclineOf(dose.Drug);
                if (drug is null) continue;
                var perSquareMetre = InPerSquareMetre(dose, drug, cycle, lineBsaGivenBy.GetValueOrDefault(cycle.EntryId), estimates);
                if (perSquareMetre is null)
                    unconverted.Add(new UnconvertedDose(cycle.EntryId, dose.Drug.Trim(), dose.Amount, dose.Unit.Trim()));
                else
                    equivalent += perSquareMetre.Value * DoxorubicinEquivalence[drug];
            }
        }

        var value = Round(equivalent);
        var incomplete = unconverted.Count > 0;
        var level = value >= AnthracyclineLimit ? "limit-exceeded" : value >= AnthracyclineWarning ? "warning" : incomplete ? "info" : null;
        List<DoseAlert> alerts = level is null ? [] : [new DoseAlert(AnthracyclineAlert, level, value, PerSquareMetre, incomplete)];
        return (unconverted, alerts);
    }

    /// <summary>
    /// An anthracycline dose in mg/m2: as given, or a dose in mg divided by the cycle's bsaM2, else the line's (whose
    /// estimates it then uses). Null when it cannot be converted, or when the name is not the plain drug name (a liposomal
    /// form, or any other form, is not what the equivalence factor was measured for).
    /// </summary>
    private static decimal? InPerSquareMetre(AdministeredDose dose, string drug, CycleAdministered cycle, SystemicTherapyStarted? lineBsa,
        EstimatesUsed estimates)
    {
        if (Key(dose.Drug) != drug) return null;
        var unit = Key(dose.Unit);
        if (unit == PerSquareMetre) return dose.Amount;
        if (unit != Milligrams) return null;
        if (cycle.BsaM2 is not null)
        {
            estimates.Use(cycle, "bsaM2");
            return dose.Amount / cycle.BsaM2.Value;
        }
        if (lineBsa?.BsaM2 is not null)
        {
            estimates.Use(lineBsa, "bsaM2");
            return dose.Amount / lineBsa.BsaM2.Value;
        }
        return null;
    }

    /// <summary>
    /// The anthracycline a drug name names (the key of <see cref="DoxorubicinEquivalence"/>), or null. A name that only
    /// contains one ("liposomal doxorubicin", "doxorubicin hydrochloride") names it too: such a dose is an anthracycline
    /// dose that is listed as unconverted rather than dropped.
    /// </summary>
    private static string? AnthracyclineOf(string drugName)
    {
        var name = Key(drugName);
        return DoxorubicinEquivalence.Keys.FirstOrDefault(anthracycline => name.Contains(anthracycline, StringComparison.Ordinal));
    }
}
