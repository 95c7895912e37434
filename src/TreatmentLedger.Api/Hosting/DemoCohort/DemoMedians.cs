namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// One regimen in one setting of the synthetic demo cohort (<see cref="DemoCohort"/>): the published median
/// progression-free survival that the per-line PFS of its lines is drawn around, the response and stop rates used with
/// it, and where the median comes from.
/// </summary>
/// <param name="Key">The setting's name in the generator.</param>
/// <param name="Regimen">The regimen as recorded (<c>systemic-therapy-started.regimen</c>); its regimen key is the same.</param>
/// <param name="Setting">Where in the course the regimen is given.</param>
/// <param name="FirstLine">Whether the setting is the first line of therapy.</param>
/// <param name="MedianPfsMonths">The median the exponential PFS draw has (months of 30.4375 days).</param>
/// <param name="ObjectiveResponse">Probability of a best response CR or PR at the first assessment, rounded from the source.</param>
/// <param name="CompleteResponse">Probability of CR (part of <paramref name="ObjectiveResponse"/>); a rough figure.</param>
/// <param name="ToxicityStop">Probability that the line is stopped for toxicity before progression; rough, of the order of the
/// source's discontinuations for adverse events.</param>
/// <param name="Source">Trial and publication of the median (and response rate).</param>
/// <param name="DerivedMedian">The source gives no median (not reached): <paramref name="MedianPfsMonths"/> is derived from
/// a published landmark, as <paramref name="Source"/> says.</param>
public sealed record DemoSetting(
    string Key,
    string Regimen,
    string Setting,
    bool FirstLine,
    double MedianPfsMonths,
    double ObjectiveResponse,
    double CompleteResponse,
    double ToxicityStop,
    string Source,
    bool DerivedMedian = false);

/// <summary>
/// The medians the demo cohort draws around, with their sources (trial names and publications; no patient data). These
/// are the figures a reader of the dashboards can hold the synthetic curves against: per line, PFS is drawn from an
/// exponential distribution with the median below, so a Kaplan–Meier median of enough lines of one setting lands near it
/// (censoring at the data cut-off, at a loss to follow-up and at stops for toxicity or the patient's choice is
/// independent of the draw).
/// </summary>
public static class DemoMedians
{
    public const string Crizotinib = "crizotinib";
    public const string Alectinib = "alectinib";
    public const string Brigatinib = "brigatinib";
    public const string Lorlatinib = "lorlatinib";
    public const string Ceritinib = "ceritinib";
    public const string PlatinumPemetrexed = "platinum-pemetrexed";

    /// <summary>
    /// CROWN gives no median (not reached at five years); an exponential through its 5-year PFS of 60 % has the median
    /// 60 × ln 2 / ln(1 / 0.6) = 81.4 months. Derived here, not published.
    /// </summary>
    public static readonly double LorlatinibFirstLineDerivedMedian = Math.Round(60 * Math.Log(2) / Math.Log(1 / 0.6), 1);

    public static readonly IReadOnlyList<DemoSetting> All =
    [
        new("crizotinib-first-line", Crizotinib, "first line", true, 10.9, 0.74, 0.02, 0.10,
            "PROFILE 1014, Solomon et al., N Engl J Med 2014;371:2167-77: crizotinib 10.9 months (independent review), objective response 74 %"),
        new("alectinib-first-line", Alectinib, "first line", true, 34.8, 0.83, 0.04, 0.11,
            "ALEX, Peters et al., N Engl J Med 2017;377:829-38, and Mok et al., Ann Oncol 2020;31:1056-64 (final PFS analysis): alectinib 34.8 months (investigator), objective response 83 %"),
        new("brigatinib-first-line", Brigatinib, "first line", true, 24.0, 0.74, 0.05, 0.13,
            "ALTA-1L, Camidge et al., N Engl J Med 2018;379:2027-39, and J Thorac Oncol 2021;16:2091-108 (final analysis): brigatinib 24.0 months (blinded independent review), confirmed objective response 74 %"),
        new("lorlatinib-first-line", Lorlatinib, "first line", true, LorlatinibFirstLineDerivedMedian, 0.76, 0.03, 0.07,
            "CROWN, Shaw et al., N Engl J Med 2020;383:2018-29 (objective response 76 %), and Solomon et al., J Clin Oncol 2024;42:3400-9: median not reached, 5-year PFS 60 %; the 81.4 months is the median of an exponential through that point (derived, not published)",
            DerivedMedian: true),
        new("platinum-pemetrexed-first-line", PlatinumPemetrexed, "first line", true, 7.0, 0.45, 0.01, 0.12,
            "PROFILE 1014 chemotherapy arm (cisplatin or carboplatin with pemetrexed), Solomon et al., N Engl J Med 2014;371:2167-77: 7.0 months, objective response 45 %"),
        new("crizotinib-after-chemotherapy", Crizotinib, "after platinum-based chemotherapy", false, 7.7, 0.65, 0.01, 0.08,
            "PROFILE 1007, Shaw et al., N Engl J Med 2013;368:2385-94: crizotinib 7.7 months, objective response 65 %"),
        new("alectinib-after-crizotinib", Alectinib, "after crizotinib", false, 8.9, 0.50, 0.01, 0.06,
            "NP28673, Ou et al., J Clin Oncol 2016;34:661-8: alectinib 8.9 months (independent review), objective response 50 %"),
        new("brigatinib-after-crizotinib", Brigatinib, "after crizotinib", false, 16.7, 0.56, 0.04, 0.08,
            "ALTA arm B (180 mg after a 7-day lead-in at 90 mg), Kim et al., J Clin Oncol 2017;35:2490-8, and Huber et al., J Thorac Oncol 2020;15:404-15: brigatinib 16.7 months (independent review), objective response 56 %"),
        new("ceritinib-after-crizotinib", Ceritinib, "after crizotinib (and chemotherapy)", false, 5.4, 0.39, 0.01, 0.05,
            "ASCEND-5, Shaw et al., Lancet Oncol 2017;18:874-86: ceritinib 5.4 months (after crizotinib and platinum doublet chemotherapy), objective response 39 %"),
        new("lorlatinib-after-second-generation", Lorlatinib, "after one or more second-generation ALK inhibitors", false, 5.5, 0.40, 0.02, 0.05,
            "Lorlatinib phase 2, Solomon et al., Lancet Oncol 2018;19:1654-67: 5.5 months after at least one second-generation ALK inhibitor (expansion cohorts 3B-5, independent review), objective response 40 %"),
        new("platinum-pemetrexed-after-alk-inhibitors", PlatinumPemetrexed, "after ALK inhibitors", false, 4.3, 0.30, 0.01, 0.10,
            "Lin et al., J Thorac Oncol 2020;15:258-65 (retrospective series, platinum-pemetrexed after second-generation ALK inhibitors): 4.3 months, objective response 30 %; used here after any ALK inhibitor"),
    ];

    public static DemoSetting Of(string key) => All.Single(s => s.Key == key);
}
