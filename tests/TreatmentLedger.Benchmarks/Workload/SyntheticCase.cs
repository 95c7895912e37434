using System.Globalization;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>
/// Makes valid clinical cases of any length, deterministically from a seed: case-opened, the diagnostic work-up, then
/// lines of systemic therapy with cycles, dose changes, responses, adverse events, progressions, local treatments
/// (radiotherapy, surgery, embolization), decisions, the odd correction or retraction, and optionally a death.
/// Dated in the past, in clinical order, keeping the rules of DOMAIN.md: cycles, dose changes and stops only while a
/// line is active; nothing after death.
/// </summary>
public sealed class SyntheticCase
{
    /// <summary>Regimens of the lines of therapy (also those of <see cref="LongCourse"/>).</summary>
    internal static readonly Regimen[] Regimens =
    [
        new("doxorubicin/ifosfamide", "chemotherapy", [new("doxorubicin", 75, "mg/m2", "every 3 weeks", null), new("ifosfamide", 9, "g/m2", "every 3 weeks", null)],
            [new("doxorubicin", 75, "mg/m2"), new("ifosfamide", 9000, "mg/m2")]),
        new("vincristine/actinomycin D", "chemotherapy", [new("vincristine", 1.5m, "mg/m2", "weekly", null), new("actinomycin D", 1.5m, "mg/m2", "every 3 weeks", null)],
            [new("vincristine", 1.5m, "mg/m2"), new("actinomycin D", 1.5m, "mg/m2")]),
        new("methotrexate/vinblastine", "chemotherapy", [new("methotrexate", 30, "mg/m2", "weekly", null), new("vinblastine", 6, "mg/m2", "weekly", null)],
            [new("methotrexate", 30, "mg/m2"), new("vinblastine", 6, "mg/m2")]),
        new("crizotinib", "targeted", [new("crizotinib", 250, "mg", "twice daily", 500)], [new("crizotinib", 14000, "mg")]),
        new("alectinib", "targeted", [new("alectinib", 600, "mg", "twice daily", 1200)], [new("alectinib", 33600, "mg")]),
        new("lorlatinib", "targeted", [new("lorlatinib", 100, "mg", "daily", 100)], [new("lorlatinib", 2800, "mg")]),
        new("pembrolizumab", "immunotherapy", [new("pembrolizumab", 200, "mg", "every 3 weeks", null)], [new("pembrolizumab", 200, "mg")]),
        new("celecoxib", "anti-inflammatory", [new("celecoxib", 200, "mg", "twice daily", 400)], [new("celecoxib", 11200, "mg")]),
    ];

    internal static readonly string[] Sites = ["left axilla", "liver", "right adrenal", "brain", "lung", "pelvis", "left humerus", "mediastinum"];
    internal static readonly string[] Terms = ["neutropenia", "nausea", "fatigue", "peripheral neuropathy", "hepatotoxicity", "rash", "diarrhoea", "anaemia"];

    private readonly Random _rng;
    private readonly List<Entry> _entries = [];
    private readonly List<AdverseEventObserved> _correctable = [];
    private readonly List<Guid> _retractable = [];
    private DateOnly _day;
    private Regimen? _line;
    private int _cycle;

    private SyntheticCase(int seed, DateOnly start)
    {
        _rng = new Random(seed);
        _day = start;
    }

    /// <summary>
    /// A case of exactly <paramref name="count"/> entries, the first its case-opened, the last dated before
    /// <paramref name="today"/>; with <paramref name="endWithDeath"/> the last entry is the patient's death.
    /// </summary>
    public static IReadOnlyList<Entry> Generate(int count, int seed, DateOnly today, bool endWithDeath = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        // At most 3 days between entries, so this start keeps every date in the past.
        var generator = new SyntheticCase(seed, today.AddDays(-(3 * count + 40)));
        generator.Build(count, endWithDeath);
        return generator._entries;
    }

    private void Build(int count, bool endWithDeath)
    {
        var clinicalCount = endWithDeath && count > 1 ? count - 1 : count;
        Add(new CaseOpened
        {
            OccurredOn = ClinicalDate.Parse(_day.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
            PatientRef = $"BENCH-{_rng.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture)}",
            Sex = Pick(["female", "male"]),
            BirthYear = _day.Year - _rng.Next(12, 75),
            Presentation = "painful mass, " + Pick(Sites),
        });
        Func<Entry>[] workUp = [Imaging, Biopsy, Pathology, Reread, Molecular];
        foreach (var next in workUp)
        {
            if (_entries.Count >= clinicalCount) break;
            Step(next);
        }
        while (_entries.Count < clinicalCount) Step(_line is null ? OffTreatment : OnTreatment);
        if (_entries.Count < count)
        {
            Step(() => new PatientDied { Cause = "disease progression", DiseaseRelated = true, TreatmentRelated = false });
            _line = null;
        }
    }

    private void Step(Func<Entry> next)
    {
        _day = _day.AddDays(_rng.Next(0, 4));
        Add(next());
    }

    private void Add(Entry entry)
    {
        entry = entry switch
        {
            ClinicalEntry clinical => clinical with
            {
                EntryId = NewId(),
                OccurredOn = clinical.OccurredOn ?? ClinicalDate.OnDay(_day),
                Note = _rng.Next(4) == 0 ? $"Synthetic benchmark entry {_entries.Count + 1}; reviewed at the multidisciplinary meeting." : null,
                Source = _rng.Next(3) == 0 ? $"doc-{_rng.Next(100_000).ToString(CultureInfo.InvariantCulture)}" : null,
            },
            _ => entry,
        };
        _entries.Add(entry);
        if (entry is AdverseEventObserved ae) _correctable.Add(ae);
        if (entry is ImagingPerformed) _retractable.Add(entry.EntryId);
    }

    private Entry OffTreatment() => _rng.Next(100) switch
    {
        < 40 => Start(),
        < 55 => Imaging(),
        < 63 => Radiotherapy(),
        < 70 => Surgery(),
        < 74 => Embolization(),
        < 80 => Progression(),
        < 85 => Response(),
        < 90 => Decision(),
        < 93 => Biopsy(),
        < 97 => Pathology(),
        _ => CorrectionOr(Imaging),
    };

    private Entry OnTreatment() => _rng.Next(100) switch
    {
        < 45 => Cycle(),
        < 55 => AdverseEvent(),
        < 62 => Response(),
        < 67 => DoseAdjusted(),
        < 72 => Imaging(),
        < 77 => Progression(),
        < 80 => Radiotherapy(),
        < 82 => Complication(),
        < 84 => Decision(),
        < 85 => Molecular(),
        < 90 => Stop(),
        < 92 => Start(),
        _ => CorrectionOr(Cycle),
    };

    private Entry Start()
    {
        _line = Regimens[_rng.Next(Regimens.Length)];
        _cycle = 0;
        return new SystemicTherapyStarted
        {
            Regimen = _line.Name,
            TherapyClass = _line.TherapyClass,
            Agents = _line.Agents,
            Access = _rng.Next(8) == 0 ? "expanded-access" : "standard",
        };
    }

    private CycleAdministered Cycle() => new() { Cycle = ++_cycle, Doses = _line!.CycleDoses };

    private DoseAdjusted DoseAdjusted()
    {
        var agent = _line!.Agents[0];
        return new DoseAdjusted
        {
            Drug = agent.Drug,
            Direction = Pick(["reduced", "increased", "interrupted", "resumed"]),
            Dose = agent.Dose is { } dose ? Math.Round(dose * 0.8m, 1) : null,
            Unit = agent.Unit,
            DailyDoseMg = agent.DailyDoseMg is { } daily ? Math.Round(daily * 0.8m, 1) : null,
            Reason = "grade 3 " + Pick(Terms),
        };
    }

    private SystemicTherapyStopped Stop()
    {
        _line = null;
        return new SystemicTherapyStopped { Reason = Pick(["progression", "toxicity", "completed", "ineffective", "patient-choice", "other"]) };
    }

    private AdverseEventObserved AdverseEvent() =>
        new() { Term = Pick(Terms), Grade = _rng.Next(1, 5), AttributedTo = _line?.Agents[0].Drug };

    private ImagingPerformed Imaging() => new()
    {
        Modality = Pick(["MRI", "CT", "PET-CT", "ultrasound"]),
        Sites = [Pick(Sites), Pick(Sites)],
        Findings = "lesion measured, compared with the previous study",
        LargestLesionMm = _rng.Next(5, 120),
    };

    private BiopsyPerformed Biopsy() => new() { Technique = Pick(["core", "micro", "excisional"]), Site = Pick(Sites), Diagnosis = "spindle cell proliferation" };

    private PathologyReported Pathology() =>
        new() { Specimen = "biopsy of " + Pick(Sites), Findings = "myofibroblastic proliferation", Ki67Percent = _rng.Next(1, 60), TumourPresent = _rng.Next(5) != 0 };

    private BiopsyReread Reread() => new()
    {
        Reviewer = "expert sarcoma network",
        Diagnosis = "inflammatory myofibroblastic tumour",
        Markers = [new Marker("ALK", "IHC", "positive"), new Marker("ROS1", "IHC", "negative")],
    };

    private MolecularTestReported Molecular() => new()
    {
        Method = Pick(["FISH", "NGS-panel", "WGS"]),
        Genes = ["ALK", "ROS1", "NTRK1"],
        Findings = [new MolecularFinding("ALK", "rearrangement", "fusion")],
        Conclusive = _rng.Next(4) != 0,
    };

    private RadiotherapyDelivered Radiotherapy()
    {
        var fractions = Pick([1, 5, 10, 25, 30]);
        return new RadiotherapyDelivered
        {
            Site = Pick(Sites),
            Technique = Pick(["IMRT", "VMAT", "SBRT", "3D-CRT"]),
            TotalDoseGy = fractions switch { 1 => 8, 5 => 35, 10 => 30, 25 => 50, _ => 60 },
            Fractions = fractions,
            Intent = "local control",
        };
    }

    private SurgeryPerformed Surgery() => new()
    {
        Procedure = "resection",
        Site = Pick(Sites),
        Intent = Pick(["curative", "palliative", "local-control"]),
        Margin = Pick(["R0", "R1", "R2"]),
    };

    private EmbolizationPerformed Embolization() => new() { Site = Pick(Sites), Vessels = _rng.Next(1, 7), Reason = "haemostasis" };

    private ProgressionObserved Progression() =>
        new() { Scope = Pick(["local", "regional", "oligometastatic", "metastatic"]), Sites = [Pick(Sites)], NewLesions = _rng.Next(2) == 0 };

    private ResponseAssessed Response() =>
        new() { Response = Pick(["CR", "PR", "SD", "PD"]), Method = Pick(["CT", "MRI", "PET"]), Description = "RECIST 1.1 assessment" };

    private ComplicationOccurred Complication() => new() { Description = "haemorrhage", Grade = _rng.Next(1, 4) };

    private TreatmentDecisionRecorded Decision() =>
        new() { Treatment = Pick(["cryotherapy", "second-line ALK inhibitor", "surgery"]), Decision = Pick(["planned", "declined", "access-requested"]), Reason = "tumour board" };

    /// <summary>
    /// Now and then a correction (an adverse event's grade revised) or a retraction (an imaging entry recorded on the
    /// wrong case); neither touches lines, so the rules stay kept. Otherwise <paramref name="otherwise"/>.
    /// </summary>
    private Entry CorrectionOr(Func<Entry> otherwise)
    {
        if (_rng.Next(2) == 0 && _correctable.Count > 0)
        {
            var target = _correctable[^1];
            _correctable.RemoveAt(_correctable.Count - 1);
            return new EntryCorrected { EntryId = target.EntryId, Replacement = target with { Grade = target.Grade % 5 + 1 }, Reason = "grade revised at review" };
        }
        if (_retractable.Count > 0)
        {
            var target = _retractable[^1];
            _retractable.RemoveAt(_retractable.Count - 1);
            return new EntryRetracted { EntryId = target, Reason = "recorded on the wrong case" };
        }
        return otherwise();
    }

    private T Pick<T>(T[] values) => values[_rng.Next(values.Length)];

    /// <summary>A version-4 uuid from the seeded generator, so a seed always gives the same case.</summary>
    private Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _rng.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    internal sealed record Regimen(string Name, string TherapyClass, Agent[] Agents, AdministeredDose[] CycleDoses);
}
