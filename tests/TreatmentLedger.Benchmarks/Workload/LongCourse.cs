using System.Globalization;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>
/// A long course recorded cycle by cycle and visit by visit over years, for the append-vs-length scenario: case-opened,
/// the diagnostic work-up, then a handful of lines of systemic therapy, a new one about every
/// <see cref="EntriesPerLine"/> entries (a progression-observed, the line's systemic-therapy-stopped, a treatment
/// decision, the next start), and between them mostly cycles, response assessments, imaging, adverse events and
/// follow-up visits, with a few corrections and retractions. Deterministic from a seed. Unlike
/// <see cref="SyntheticCase"/>, whose lines stop and whose patients die at random, the course has no death and a line
/// active at its end, and every entry is dated before today, so that the entries of <see cref="NextAppend"/>, dated
/// today, keep the rules of DOMAIN.md.
/// </summary>
public sealed class LongCourse
{
    /// <summary>About how many entries a line of therapy lasts (give or take 10 %).</summary>
    public const int EntriesPerLine = 2_000;

    /// <summary>The entries that end one line and start the next.</summary>
    private const int SwitchEntries = 4;

    private readonly Random _rng;
    private readonly List<Entry> _entries = [];
    private readonly List<AdverseEventObserved> _correctable = [];
    private readonly List<Guid> _retractable = [];
    private readonly int _firstRegimen;
    private readonly int _count;
    private readonly int _spanDays;
    private readonly DateOnly _start;
    private SyntheticCase.Regimen? _line;
    private int _cycle;
    private int _appended;

    private LongCourse(int count, int seed, DateOnly today)
    {
        _rng = new Random(seed);
        _count = count;
        // Years for the long cases (10 at most: 20,000 entries are then five or six a day), days for the short ones.
        _spanDays = Math.Clamp(count / 2, 30, 3_650);
        _start = today.AddDays(-(_spanDays + 1));
        _firstRegimen = _rng.Next(SyntheticCase.Regimens.Length);
    }

    /// <summary>The course, its case-opened first.</summary>
    public IReadOnlyList<Entry> Entries => _entries;

    /// <summary>How many lines of therapy the course started.</summary>
    public int Lines { get; private set; }

    /// <summary>A course of exactly <paramref name="count"/> entries (at least 2: the case-opened and a start).</summary>
    public static LongCourse Generate(int count, int seed, DateOnly today)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var course = new LongCourse(count, seed, today);
        course.Build();
        return course;
    }

    /// <summary>
    /// The next entry to append to the recorded course on <paramref name="day"/> (today or later than the course):
    /// cycle-administered (the active line's next cycle) and follow-up-recorded in turn, each with a new entryId.
    /// </summary>
    public Entry NextAppend(DateOnly day)
    {
        ClinicalEntry entry = _appended++ % 2 == 0
            ? new CycleAdministered { Cycle = ++_cycle, Doses = _line!.CycleDoses }
            : new FollowUpRecorded { VitalStatus = "alive", DiseaseStatus = "stable" };
        return entry with { EntryId = NewId(), OccurredOn = ClinicalDate.OnDay(day) };
    }

    private void Build()
    {
        Add(new CaseOpened
        {
            PatientRef = $"BENCH-{_rng.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture)}",
            Sex = Pick(["female", "male"]),
            BirthYear = _start.Year - _rng.Next(12, 75),
            Presentation = "painful mass, " + Pick(SyntheticCase.Sites),
        });
        if (_count >= 50)
        {
            Add(Imaging());
            Add(new BiopsyPerformed { Technique = "core", Site = Pick(SyntheticCase.Sites), Diagnosis = "spindle cell proliferation" });
            Add(new PathologyReported { Specimen = "core biopsy", Findings = "myofibroblastic proliferation", Ki67Percent = _rng.Next(1, 60), TumourPresent = true });
        }
        Add(Start());
        var nextSwitch = _entries.Count + LineLength();
        while (_entries.Count < _count)
        {
            // A new line only where the old one can end and the new one have a few entries of its own before the end.
            if (_entries.Count >= nextSwitch && _count - _entries.Count >= SwitchEntries + 10)
            {
                Add(new ProgressionObserved { Scope = Pick(["regional", "oligometastatic", "metastatic"]), Sites = [Pick(SyntheticCase.Sites)], NewLesions = true });
                Add(new SystemicTherapyStopped { Reason = "progression" });
                var next = SyntheticCase.Regimens[(_firstRegimen + Lines) % SyntheticCase.Regimens.Length];
                Add(new TreatmentDecisionRecorded { Treatment = next.Name, Decision = "planned", Reason = "tumour board after progression" });
                Add(Start());
                nextSwitch = _entries.Count + LineLength();
                continue;
            }
            Add(OnLine());
        }
    }

    private int LineLength() => EntriesPerLine + _rng.Next(-EntriesPerLine / 10, EntriesPerLine / 10 + 1);

    /// <summary>The day of the <paramref name="index"/>th entry: the course's days spread evenly over the entries.</summary>
    private DateOnly DayOf(int index) => _start.AddDays((int)((long)index * _spanDays / _count));

    private void Add(Entry entry)
    {
        if (entry is ClinicalEntry clinical)
            entry = clinical with
            {
                EntryId = NewId(),
                OccurredOn = ClinicalDate.OnDay(DayOf(_entries.Count)),
                Note = _rng.Next(4) == 0 ? $"Synthetic long course, entry {_entries.Count + 1}; seen in clinic." : null,
                Source = _rng.Next(3) == 0 ? $"doc-{_rng.Next(100_000).ToString(CultureInfo.InvariantCulture)}" : null,
            };
        _entries.Add(entry);
        if (entry is AdverseEventObserved ae) _correctable.Add(ae);
        if (entry is ImagingPerformed) _retractable.Add(entry.EntryId);
    }

    /// <summary>What a visit of an active line records: mostly cycles and follow-ups; a correction or retraction 1 time in 100.</summary>
    private Entry OnLine() => _rng.Next(1_000) switch
    {
        < 400 => new CycleAdministered { Cycle = ++_cycle, Doses = _line!.CycleDoses },
        < 600 => new FollowUpRecorded { VitalStatus = "alive", DiseaseStatus = Pick(["stable", "responding", "stable", "no-evidence-of-disease"]) },
        < 700 => new ResponseAssessed { Response = Pick(["CR", "PR", "SD", "SD"]), Method = Pick(["CT", "MRI", "PET"]), Description = "RECIST 1.1 assessment" },
        < 840 => Imaging(),
        < 990 => new AdverseEventObserved { Term = Pick(SyntheticCase.Terms), Grade = _rng.Next(1, 4), AttributedTo = _line!.Agents[0].Drug },
        _ => CorrectionOrRetraction(),
    };

    private SystemicTherapyStarted Start()
    {
        _line = SyntheticCase.Regimens[(_firstRegimen + Lines) % SyntheticCase.Regimens.Length];
        Lines++;
        _cycle = 0;
        return new SystemicTherapyStarted
        {
            Regimen = _line.Name,
            TherapyClass = _line.TherapyClass,
            Agents = _line.Agents,
            Access = "standard",
            LineIntent = "new-line",
        };
    }

    private ImagingPerformed Imaging() => new()
    {
        Modality = Pick(["MRI", "CT", "PET-CT"]),
        Sites = [Pick(SyntheticCase.Sites), Pick(SyntheticCase.Sites)],
        Findings = "lesion measured, compared with the previous study",
        LargestLesionMm = _rng.Next(5, 120),
    };

    /// <summary>An adverse event's grade revised, or an imaging entry recorded on the wrong case retracted; neither touches a line.</summary>
    private Entry CorrectionOrRetraction()
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
        return new FollowUpRecorded { VitalStatus = "alive", DiseaseStatus = "stable" };
    }

    private T Pick<T>(T[] values) => values[_rng.Next(values.Length)];

    /// <summary>A version-4 uuid from the seeded generator, so a seed always gives the same course.</summary>
    private Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _rng.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
