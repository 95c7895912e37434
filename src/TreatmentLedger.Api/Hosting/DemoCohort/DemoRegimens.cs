namespace TreatmentLedger.Api.Hosting;

/// <summary>An adverse event a regimen of the demo cohort may give (CTCAE v5 term), per line: any grade, and grade 3 or more.</summary>
public sealed record DemoAdverseEvent(string Term, double AnyGrade, double Severe);

/// <summary>
/// How a regimen of the demo cohort is recorded: its class, its agents at the starting dose, the reduced dose, and the
/// adverse events it may give. The adverse-event rates are rough, of the order the trials of <see cref="DemoMedians"/>
/// report, for realism only: they are no citation.
/// </summary>
public sealed record DemoRegimen(
    string Name,
    string TherapyClass,
    IReadOnlyList<DemoAgent> Agents,
    DemoAgent? Reduced,
    IReadOnlyList<DemoAdverseEvent> AdverseEvents)
{
    public bool Chemotherapy => TherapyClass == "chemotherapy";
}

/// <summary>A drug of a regimen as <c>systemic-therapy-started.agents[]</c> records it.</summary>
public sealed record DemoAgent(string Drug, decimal Dose, string Unit, string Frequency, decimal? DailyDoseMg);

public static class DemoRegimens
{
    public static readonly IReadOnlyDictionary<string, DemoRegimen> ByName = new Dictionary<string, DemoRegimen>
    {
        [DemoMedians.Crizotinib] = new(DemoMedians.Crizotinib, "targeted",
            [new("crizotinib", 250, "mg", "twice daily", 500)],
            new("crizotinib", 200, "mg", "twice daily", 400),
            [
                new("blurred vision", 0.45, 0.00),
                new("diarrhea", 0.45, 0.02),
                new("edema limbs", 0.35, 0.01),
                new("alanine aminotransferase increased", 0.30, 0.12),
                new("neutrophil count decreased", 0.15, 0.10),
            ]),
        [DemoMedians.Alectinib] = new(DemoMedians.Alectinib, "targeted",
            [new("alectinib", 600, "mg", "twice daily", 1200)],
            new("alectinib", 450, "mg", "twice daily", 900),
            [
                new("constipation", 0.35, 0.00),
                new("anemia", 0.20, 0.05),
                new("myalgia", 0.18, 0.01),
                new("blood bilirubin increased", 0.18, 0.02),
                new("cpk increased", 0.12, 0.04),
            ]),
        [DemoMedians.Brigatinib] = new(DemoMedians.Brigatinib, "targeted",
            // 90 mg once daily for 7 days, then 180 mg (recorded as a dose increase on day 7).
            [new("brigatinib", 90, "mg", "once daily", 90)],
            new("brigatinib", 120, "mg", "once daily", 120),
            [
                new("cpk increased", 0.40, 0.20),
                new("diarrhea", 0.45, 0.02),
                new("hypertension", 0.25, 0.10),
                new("lipase increased", 0.20, 0.12),
                new("pneumonitis", 0.05, 0.03),
            ]),
        [DemoMedians.Lorlatinib] = new(DemoMedians.Lorlatinib, "targeted",
            [new("lorlatinib", 100, "mg", "once daily", 100)],
            new("lorlatinib", 75, "mg", "once daily", 75),
            [
                new("hypercholesterolemia", 0.65, 0.15),
                new("hypertriglyceridemia", 0.60, 0.18),
                new("edema limbs", 0.45, 0.03),
                new("weight gain", 0.35, 0.12),
                new("cognitive disturbance", 0.20, 0.02),
            ]),
        [DemoMedians.Ceritinib] = new(DemoMedians.Ceritinib, "targeted",
            [new("ceritinib", 750, "mg", "once daily", 750)],
            new("ceritinib", 600, "mg", "once daily", 600),
            [
                new("diarrhea", 0.65, 0.04),
                new("nausea", 0.60, 0.05),
                new("vomiting", 0.45, 0.05),
                new("alanine aminotransferase increased", 0.40, 0.20),
            ]),
        [DemoMedians.PlatinumPemetrexed] = new(DemoMedians.PlatinumPemetrexed, "chemotherapy",
            // The platinum is cisplatin or carboplatin (drawn per line); pemetrexed alone continues as maintenance.
            [new("cisplatin", 75, "mg/m2", "every 21 days", null), new("pemetrexed", 500, "mg/m2", "every 21 days", null)],
            null,
            [
                new("nausea", 0.45, 0.03),
                new("fatigue", 0.40, 0.04),
                new("anemia", 0.30, 0.08),
                new("neutrophil count decreased", 0.25, 0.15),
                new("platelet count decreased", 0.15, 0.05),
            ]),
    };
}
