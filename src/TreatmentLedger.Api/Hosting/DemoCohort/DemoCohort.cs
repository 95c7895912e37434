using System.Globalization;
using System.Text.Json.Nodes;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// The demo cohort (DASHBOARDS.md, "Demo cohort"): <see cref="CaseCount"/> synthetic cases of ALK-positive non-small-cell
/// lung cancer, patientRef <c>SYN-0001</c>..., each plainly marked synthetic in its <c>case-opened.presentation</c>, as case
/// files of <c>POST /cases/import</c>. They come from a fixed seed: the same seed gives the same files, byte for byte
/// (<see cref="Random"/>'s seeded algorithm, explicit draws in a fixed order, nothing hashed or enumerated out of order).
/// No real person's data is in them.
/// <para>
/// Per case: stage IV at diagnosis (accrual uniform over 2012-2025), a CT, a biopsy and an ALK test, then lines of
/// systemic therapy as practice went (<see cref="Choices"/>: regimens only from roughly their approval in that setting),
/// each with its per-line PFS drawn from an exponential distribution with the published median of
/// <see cref="DemoMedians"/>, a first response assessment (CR/PR by the published objective response rate, else SD),
/// adverse events (<see cref="DemoRegimens"/>), stops for toxicity or the patient's choice before progression,
/// treatment beyond an oligoprogression treated locally, deaths, and follow-up visits about every three months up to the
/// data cut-off <see cref="DataCutOff"/> (or a loss to follow-up), so that an open line is censored at the case's last
/// contact (DOMAIN.md). Whatever the draws put after the cut-off is not recorded.
/// </para>
/// <para>
/// The assumptions that are the generator's own, with no source, are the constants below (<see cref="LostToFollowUp"/>
/// and the others): they shape censoring and deaths, not the PFS medians.
/// </para>
/// </summary>
public static class DemoCohort
{
    public const int Seed = 20_120_101;
    public const int CaseCount = 320;
    public const string PatientRefPrefix = "SYN-";
    public static readonly DateOnly AccrualFrom = new(2012, 1, 1);
    public static readonly DateOnly AccrualTo = new(2025, 12, 31);

    /// <summary>The data cut-off: nothing is recorded after it, and follow-up visits run up to it.</summary>
    public static readonly DateOnly DataCutOff = new(2026, 6, 30);

    /// <summary>Days in a month, as DOMAIN.md counts them.</summary>
    public const double DaysPerMonth = 30.4375;

    // The generator's own assumptions (no source).
    /// <summary>Share of cases lost to follow-up at a random day between four months after diagnosis and the cut-off.</summary>
    public const double LostToFollowUp = 0.07;
    /// <summary>Share of lines stopped at the patient's choice before progression (1 to 18 months in).</summary>
    public const double PatientChoiceStop = 0.03;
    /// <summary>Share of progressions on an ALK inhibitor that are oligoprogressions treated locally (radiotherapy) while
    /// the drug goes on for 2 to 12 months more (treatment beyond progression), as in the founding case.</summary>
    public const double TreatmentBeyondProgression = 0.30;
    /// <summary>Share of the PFS events that are deaths before any progression (trial PFS counts them), per class.</summary>
    public const double DeathAmongPfsEventsTargeted = 0.05, DeathAmongPfsEventsChemotherapy = 0.08;
    /// <summary>Probability of a further line after lines 1, 2 and 3 end (none after line 4); half that after a stop at the patient's choice.</summary>
    public static readonly double[] NextLine = [0.90, 0.80, 0.70];
    /// <summary>Median survival (months, exponential) with no further line: after a progression, after another stop.</summary>
    public const double SurvivalWithoutFurtherLineAfterProgression = 12.0, SurvivalWithoutFurtherLineOtherwise = 18.0;
    public const int MaxLines = 4;

    public static string PatientRef(int number) => PatientRefPrefix + number.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The case files, in patientRef order: <c>{ case: {...}, entries: [...] }</c>.</summary>
    public static IReadOnlyList<JsonObject> Generate(int seed = Seed, int count = CaseCount)
    {
        // One draw of the master generator per case seeds that case's own: a case's draws never depend on another's.
        var master = new Random(seed);
        var files = new List<JsonObject>(count);
        for (var number = 1; number <= count; number++)
            files.Add(new CaseSimulation(new Random(master.Next()), PatientRef(number), seed).Run());
        return files;
    }

    /// <summary>
    /// The settings a line may be given in: by the line's start and the regimens before it. First lines follow the
    /// approvals roughly (crizotinib from 2012 beside platinum-pemetrexed, alectinib from 2018, brigatinib from mid-2020,
    /// lorlatinib from mid-2021); later lines follow the last ALK inhibitor: after crizotinib a second-generation inhibitor
    /// (ceritinib from mid-2014, alectinib from 2016, brigatinib from mid-2017), after a second-generation one lorlatinib
    /// (from late 2018), after lorlatinib platinum-pemetrexed; platinum-pemetrexed is also offered once to a case that had
    /// no chemotherapy yet. A regimen is never given twice. Weights are relative.
    /// </summary>
    public static IReadOnlyList<(DemoSetting Setting, double Weight)> Choices(DateOnly start, IReadOnlyList<string> before)
    {
        List<(string Key, double Weight)> choices;
        if (before.Count == 0)
        {
            choices = start < new DateOnly(2015, 1, 1) ? [("platinum-pemetrexed-first-line", 0.55), ("crizotinib-first-line", 0.45)]
                : start < new DateOnly(2018, 1, 1) ? [("crizotinib-first-line", 0.85), ("platinum-pemetrexed-first-line", 0.15)]
                : start < new DateOnly(2020, 6, 1) ? [("alectinib-first-line", 0.88), ("crizotinib-first-line", 0.12)]
                : start < new DateOnly(2021, 6, 1) ? [("alectinib-first-line", 0.72), ("brigatinib-first-line", 0.22), ("crizotinib-first-line", 0.06)]
                : [("alectinib-first-line", 0.55), ("lorlatinib-first-line", 0.25), ("brigatinib-first-line", 0.17), ("crizotinib-first-line", 0.03)];
        }
        else
        {
            choices = [];
            var lastInhibitor = before.LastOrDefault(r => r != DemoMedians.PlatinumPemetrexed);
            switch (lastInhibitor)
            {
                case null:
                    choices.Add(("crizotinib-after-chemotherapy", 1.0));
                    break;
                case DemoMedians.Crizotinib:
                    if (start >= new DateOnly(2016, 1, 1)) choices.Add(("alectinib-after-crizotinib", 0.6));
                    if (start >= new DateOnly(2017, 6, 1)) choices.Add(("brigatinib-after-crizotinib", 0.3));
                    if (start >= new DateOnly(2014, 6, 1)) choices.Add(("ceritinib-after-crizotinib", start < new DateOnly(2016, 1, 1) ? 0.8 : 0.1));
                    break;
                case DemoMedians.Alectinib or DemoMedians.Brigatinib or DemoMedians.Ceritinib:
                    if (start >= new DateOnly(2018, 11, 1)) choices.Add(("lorlatinib-after-second-generation", 0.8));
                    break;
            }
            if (!before.Contains(DemoMedians.PlatinumPemetrexed)) choices.Add(("platinum-pemetrexed-after-alk-inhibitors", choices.Count == 0 ? 1.0 : 0.2));
        }
        return choices.Select(c => (DemoMedians.Of(c.Key), c.Weight)).Where(c => !before.Contains(c.Item1.Regimen)).ToList();
    }
}

/// <summary>One synthetic case: its course drawn first, then what was seen of it up to the last contact.</summary>
internal sealed class CaseSimulation(Random rng, string patientRef, int seed)
{
    private enum LineEnd { Progression, Toxicity, PatientChoice, Death }

    /// <summary>Same-day order: visits first, then clinical entries in the order drawn, the death last.</summary>
    private const int VisitRank = 0, ClinicalRank = 1, DeathRank = 2;

    private sealed record Item(DateOnly Day, int Rank, int Order, JsonObject Entry);

    private readonly List<Item> _items = [];

    /// <summary>The disease status a visit on a day reports: the last change on or before it.</summary>
    private readonly List<(DateOnly Day, string Status)> _status = [];

    public JsonObject Run()
    {
        var diagnosis = Day(DemoCohort.AccrualFrom, DemoCohort.AccrualTo);
        var sex = rng.NextDouble() < 0.55 ? "female" : "male";
        var age = Math.Clamp((int)Math.Round(Normal(54, 12)), 25, 85);
        var lostOn = rng.NextDouble() < DemoCohort.LostToFollowUp && diagnosis.AddDays(120) < DemoCohort.DataCutOff
            ? Day(diagnosis.AddDays(120), DemoCohort.DataCutOff)
            : (DateOnly?)null;
        var seenUntil = lostOn ?? DemoCohort.DataCutOff;
        var symptom = Pick([("cough", 3.0), ("dyspnoea", 2.0), ("chest pain", 1.0), ("headache from brain metastases", 1.0), ("bone pain", 1.0), ("weight loss", 1.0)]);
        var side = rng.NextDouble() < 0.55 ? "right" : "left";
        var lobe = Pick([("upper", 3.0), ("lower", 2.0), ("middle", side == "right" ? 1.0 : 0.0)]);
        var metastases = Sites(rng.Next(1, 4), brainWeight: 2);

        Add(diagnosis, "imaging-performed", new JsonObject
        {
            ["modality"] = "CT",
            ["sites"] = Strings(["chest", "abdomen"]),
            ["findings"] = $"{side} {lobe} lobe mass; metastases: {string.Join(", ", metastases)}",
            ["largestLesionMm"] = rng.Next(18, 86),
        });
        Add(diagnosis.AddDays(rng.Next(3, 15)), "biopsy-performed", new JsonObject
        {
            ["technique"] = rng.NextDouble() < 0.7 ? "core" : "fine-needle",
            ["site"] = $"{side} {lobe} lobe of the lung",
            ["diagnosis"] = "lung adenocarcinoma",
        });
        var tested = diagnosis.AddDays(rng.Next(18, 36));
        var method = Pick([("IHC", 4.0), ("FISH", 3.0), ("NGS-panel", 3.0)]);
        Add(tested, "molecular-test-reported", new JsonObject
        {
            ["method"] = method,
            ["genes"] = Strings(method == "NGS-panel" ? ["ALK", "EGFR", "KRAS", "ROS1", "BRAF", "MET", "RET"] : ["ALK"]),
            ["findings"] = new JsonArray(new JsonObject
            {
                ["gene"] = "ALK",
                ["alteration"] = method == "NGS-panel" ? Pick([("EML4-ALK variant 1", 4.0), ("EML4-ALK variant 3", 4.0), ("EML4-ALK variant 2", 1.0)]) : "ALK rearrangement",
                ["kind"] = "fusion",
            }),
            ["conclusive"] = true,
        });
        _status.Add((diagnosis, "progressing"));

        var death = Course(tested.AddDays(rng.Next(3, 22)), seenUntil);
        if (death is { } died)
        {
            var cause = Pick([("progressive disease", 17.0), ("pneumonia", 2.0), ("pulmonary embolism", 1.0)]);
            Add(died, "patient-died", new JsonObject { ["cause"] = cause, ["diseaseRelated"] = cause == "progressive disease" }, DeathRank);
        }
        Visits(diagnosis, seenUntil, death);

        var entries = new JsonArray();
        foreach (var item in _items.Where(i => i.Day <= seenUntil).OrderBy(i => i.Day).ThenBy(i => i.Rank).ThenBy(i => i.Order))
            entries.Add(item.Entry);
        return new JsonObject
        {
            ["case"] = new JsonObject
            {
                ["patientRef"] = patientRef,
                ["sex"] = sex,
                ["birthYear"] = diagnosis.Year - age,
                ["presentation"] = $"SYNTHETIC demo case, not a real patient: stage IV ALK-positive lung adenocarcinoma, {symptom}",
                ["occurredOn"] = Text(diagnosis),
                ["note"] = $"Synthetic case of the demo cohort, generated from seed {seed.ToString(CultureInfo.InvariantCulture)} " +
                           "(src/TreatmentLedger.Api/Hosting/DemoCohort): dates and durations are random draws around published medians.",
                ["source"] = "TreatmentLedger demo cohort generator",
            },
            ["entries"] = entries,
        };
    }

    /// <summary>The lines of therapy from the first start; answers the death, if the course reaches one.</summary>
    private DateOnly? Course(DateOnly start, DateOnly seenUntil)
    {
        var before = new List<string>();
        for (var number = 1; number <= DemoCohort.MaxLines; number++)
        {
            var choices = DemoCohort.Choices(start, before);
            if (choices.Count == 0) return start.AddDays(Months(DemoCohort.SurvivalWithoutFurtherLineAfterProgression));
            var setting = Pick(choices);
            var (end, how) = Line(setting, start);
            before.Add(setting.Regimen);
            if (how == LineEnd.Death) return end;
            // Nothing after the last contact is recorded: the rest of the course need not be drawn.
            if (end > seenUntil) return null;
            var further = number <= DemoCohort.NextLine.Length ? DemoCohort.NextLine[number - 1] : 0;
            if (how == LineEnd.PatientChoice) further /= 2;
            if (number == DemoCohort.MaxLines || rng.NextDouble() >= further)
                return end.AddDays(Months(how == LineEnd.Progression
                    ? DemoCohort.SurvivalWithoutFurtherLineAfterProgression
                    : DemoCohort.SurvivalWithoutFurtherLineOtherwise));
            start = end.AddDays(how switch
            {
                LineEnd.Progression => rng.Next(7, 43),
                LineEnd.Toxicity => rng.Next(14, 61),
                _ => rng.Next(60, 241),
            });
        }
        return null;
    }

    /// <summary>One line, recorded in full as drawn; answers its last day and how it ended (a death is left to the caller).</summary>
    private (DateOnly End, LineEnd How) Line(DemoSetting setting, DateOnly start)
    {
        var regimen = DemoRegimens.ByName[setting.Regimen];
        var chemotherapy = regimen.Chemotherapy;
        // The draws, all made whatever they are used for.
        var pfs = Math.Max(21, Months(setting.MedianPfsMonths));
        var deathFirst = rng.NextDouble() < (chemotherapy ? DemoCohort.DeathAmongPfsEventsChemotherapy : DemoCohort.DeathAmongPfsEventsTargeted);
        var toxicity = rng.NextDouble() < setting.ToxicityStop ? rng.Next(21, 366) : int.MaxValue;
        var choice = rng.NextDouble() < DemoCohort.PatientChoiceStop ? rng.Next(30, 548) : int.MaxValue;
        var beyond = !chemotherapy && rng.NextDouble() < DemoCohort.TreatmentBeyondProgression;
        var beyondDays = rng.Next(60, 366);
        var stopAfter = rng.Next(0, 22);
        var assessedAfter = rng.Next(42, 64);
        var responseDraw = rng.NextDouble();
        var response = responseDraw < setting.CompleteResponse ? "CR" : responseDraw < setting.ObjectiveResponse ? "PR" : "SD";

        LineEnd how;
        DateOnly end;
        DateOnly? progressed = null;
        if (toxicity < pfs && toxicity <= choice) (how, end) = (LineEnd.Toxicity, start.AddDays(toxicity));
        else if (choice < pfs) (how, end) = (LineEnd.PatientChoice, start.AddDays(choice));
        else if (deathFirst) (how, end) = (LineEnd.Death, start.AddDays(pfs));
        else
        {
            progressed = start.AddDays(pfs);
            (how, end) = (LineEnd.Progression, progressed.Value.AddDays(beyond ? beyondDays : stopAfter));
        }
        var progressionFreeUntil = progressed ?? end;

        var platinum = chemotherapy && rng.NextDouble() < 0.5 ? "carboplatin" : "cisplatin";
        var bsa = Math.Round(1.5m + (decimal)rng.NextDouble() * 0.6m, 2);
        Add(start, "systemic-therapy-started", StartPayload(regimen, platinum, bsa));
        _status.Add((start, "stable"));

        if (chemotherapy)
        {
            var cycles = 0;
            for (var cycle = 1; cycle <= 4 && start.AddDays(21 * (cycle - 1)) < end; cycle++)
            {
                cycles = cycle;
                Add(start.AddDays(21 * (cycle - 1)), "cycle-administered", new JsonObject
                {
                    ["cycle"] = cycle,
                    ["doses"] = new JsonArray(
                        platinum == "carboplatin"
                            ? new JsonObject { ["drug"] = "carboplatin", ["amount"] = Math.Round(bsa * 300m / 10m) * 10m, ["unit"] = "mg" }
                            : new JsonObject { ["drug"] = "cisplatin", ["amount"] = 75, ["unit"] = "mg/m2" },
                        new JsonObject { ["drug"] = "pemetrexed", ["amount"] = 500, ["unit"] = "mg/m2" }),
                    ["bsaM2"] = bsa,
                });
            }
            if (cycles == 4 && start.AddDays(84) < end)
                Add(start.AddDays(84), "systemic-therapy-started", new JsonObject
                {
                    ["regimen"] = "pemetrexed",
                    ["therapyClass"] = "chemotherapy",
                    ["agents"] = new JsonArray(Agent(new DemoAgent("pemetrexed", 500, "mg/m2", "every 21 days", null))),
                    ["access"] = "standard",
                    ["lineIntent"] = "maintenance",
                    ["bsaM2"] = bsa,
                });
        }
        else if (regimen.Name == DemoMedians.Brigatinib && start.AddDays(7) < end)
        {
            Add(start.AddDays(7), "dose-adjusted", new JsonObject
            {
                ["drug"] = "brigatinib", ["direction"] = "increased", ["dose"] = 180, ["unit"] = "mg", ["dailyDoseMg"] = 180,
                ["reason"] = "end of the 7-day lead-in at 90 mg",
            });
        }

        var assessed = start.AddDays(assessedAfter);
        if (assessed < progressionFreeUntil)
        {
            Add(assessed, "response-assessed", new JsonObject
            {
                ["response"] = response,
                ["method"] = "CT",
                ["description"] = response switch { "CR" => "complete response", "PR" => "partial response", _ => "stable disease" },
            });
            if (response != "SD") _status.Add((assessed, "responding"));
        }

        var reduced = false;
        foreach (var ae in regimen.AdverseEvents)
        {
            var happens = rng.NextDouble();
            var on = start.AddDays(rng.Next(7, 181));
            var severe = happens < ae.Severe;
            var grade = severe ? (rng.NextDouble() < 0.85 ? 3 : 4) : rng.Next(1, 3);
            if (happens >= ae.AnyGrade || on >= end) continue;
            AdverseEvent(on, ae.Term, grade, regimen);
            if (severe && !reduced && regimen.Reduced is { } lower && on.AddDays(7) < end && rng.NextDouble() < 0.6)
            {
                reduced = true;
                Add(on.AddDays(7), "dose-adjusted", new JsonObject
                {
                    ["drug"] = lower.Drug, ["direction"] = "reduced", ["dose"] = lower.Dose, ["unit"] = lower.Unit,
                    ["dailyDoseMg"] = lower.DailyDoseMg, ["reason"] = $"grade {grade.ToString(CultureInfo.InvariantCulture)} {ae.Term}",
                });
            }
        }

        if (how == LineEnd.Toxicity)
        {
            var term = Pick(regimen.AdverseEvents.Select(ae => (ae.Term, ae.Severe)).ToList());
            var on = end.AddDays(-rng.Next(1, 15));
            if (on <= start) on = start.AddDays(1);
            AdverseEvent(on, term, rng.NextDouble() < 0.8 ? 3 : 4, regimen);
        }

        if (progressed is { } first)
        {
            if (beyond)
            {
                var site = Pick([("brain", 3.0), ("adrenal gland", 1.0), ("bone", 1.0), ("liver", 1.0)]);
                Add(first, "progression-observed", new JsonObject { ["scope"] = "oligometastatic", ["sites"] = Strings([site]), ["newLesions"] = true });
                _status.Add((first, "progressing"));
                var brain = site == "brain";
                Add(first.AddDays(rng.Next(7, 22)), "radiotherapy-delivered", new JsonObject
                {
                    ["site"] = site,
                    ["technique"] = brain ? "SRS" : "SBRT",
                    ["totalDoseGy"] = brain ? 24 : 35,
                    ["fractions"] = brain ? 3 : 5,
                    ["intent"] = "local-control",
                    ["target"] = $"{site} oligoprogression",
                });
                _status.Add((first.AddDays(30), "stable"));
                Add(end, "progression-observed", new JsonObject { ["scope"] = "metastatic", ["sites"] = Strings(Sites(rng.Next(1, 3), brainWeight: 2)), ["newLesions"] = true });
            }
            else
            {
                Add(first, "progression-observed", new JsonObject
                {
                    ["scope"] = "metastatic",
                    ["sites"] = Strings(Sites(rng.Next(1, 3), brainWeight: regimen.Name == DemoMedians.Crizotinib ? 5 : 2)),
                    ["newLesions"] = rng.NextDouble() < 0.7,
                });
            }
            _status.Add((end, "progressing"));
        }
        else if (how != LineEnd.Death) _status.Add((end, "stable"));

        if (how != LineEnd.Death)
        {
            var stop = new JsonObject
            {
                ["reason"] = how switch { LineEnd.Progression => "progression", LineEnd.Toxicity => "toxicity", _ => "patient-choice" },
            };
            if (chemotherapy) stop["cyclesGiven"] = (end.DayNumber - start.DayNumber) / 21 + 1;
            Add(end, "systemic-therapy-stopped", stop);
        }
        return (end, how);
    }

    private static JsonObject StartPayload(DemoRegimen regimen, string platinum, decimal bsa)
    {
        var agents = new JsonArray();
        foreach (var agent in regimen.Agents)
            agents.Add(agent.Drug == "cisplatin" && platinum == "carboplatin"
                ? Agent(new DemoAgent("carboplatin", 5, "AUC", "every 21 days", null))
                : Agent(agent));
        var payload = new JsonObject
        {
            ["regimen"] = regimen.Name,
            ["therapyClass"] = regimen.TherapyClass,
            ["agents"] = agents,
            ["access"] = "standard",
            ["lineIntent"] = "new-line",
        };
        if (regimen.Chemotherapy) payload["bsaM2"] = bsa;
        return payload;
    }

    private static JsonObject Agent(DemoAgent agent)
    {
        var json = new JsonObject { ["drug"] = agent.Drug, ["dose"] = agent.Dose, ["unit"] = agent.Unit, ["frequency"] = agent.Frequency };
        if (agent.DailyDoseMg is { } daily) json["dailyDoseMg"] = daily;
        return json;
    }

    private void AdverseEvent(DateOnly on, string term, int grade, DemoRegimen regimen) =>
        Add(on, "adverse-event-observed", new JsonObject
        {
            ["term"] = term,
            ["grade"] = grade,
            ["attributedTo"] = regimen.Chemotherapy ? DemoMedians.PlatinumPemetrexed : regimen.Agents[0].Drug,
        });

    /// <summary>Visits about every three months from diagnosis, up to the last day seen and before a death.</summary>
    private void Visits(DateOnly diagnosis, DateOnly seenUntil, DateOnly? death)
    {
        var statuses = _status.OrderBy(s => s.Day).ToList();
        for (var on = diagnosis.AddDays(rng.Next(80, 101)); on <= seenUntil && (death is null || on < death); on = on.AddDays(rng.Next(77, 106)))
        {
            var status = statuses.LastOrDefault(s => s.Day <= on).Status ?? "unknown";
            Add(on, "follow-up-recorded", new JsonObject { ["vitalStatus"] = "alive", ["diseaseStatus"] = status }, VisitRank);
        }
    }

    private void Add(DateOnly day, string type, JsonObject payload, int rank = ClinicalRank)
    {
        var entry = new JsonObject { ["type"] = type, ["occurredOn"] = Text(day) };
        foreach (var (name, value) in payload.ToList())
        {
            payload.Remove(name);
            entry[name] = value;
        }
        _items.Add(new Item(day, rank, _items.Count, entry));
    }

    private List<string> Sites(int count, int brainWeight)
    {
        List<(string Site, double Weight)> pool =
            [("brain", brainWeight), ("lung", 3), ("bone", 2), ("liver", 2), ("pleura", 1), ("adrenal gland", 1), ("mediastinal lymph nodes", 2)];
        var sites = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var site = Pick(pool);
            sites.Add(site);
            pool.RemoveAll(p => p.Site == site);
        }
        return sites;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    /// <summary>An exponential draw with this median, in whole days.</summary>
    private int Months(double medianMonths) =>
        (int)Math.Round(-Math.Log(1 - rng.NextDouble()) / Math.Log(2) * medianMonths * DemoCohort.DaysPerMonth);

    private DateOnly Day(DateOnly from, DateOnly to) => from.AddDays(rng.Next(0, to.DayNumber - from.DayNumber + 1));

    private double Normal(double mean, double sd) =>
        mean + sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private T Pick<T>(IReadOnlyList<(T Value, double Weight)> weighted)
    {
        var total = weighted.Sum(w => w.Weight);
        var x = rng.NextDouble() * total;
        foreach (var (value, weight) in weighted)
        {
            if (x < weight) return value;
            x -= weight;
        }
        return weighted.Last(w => w.Weight > 0).Value;
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
