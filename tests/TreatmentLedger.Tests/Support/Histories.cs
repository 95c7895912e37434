using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;

namespace TreatmentLedger.Tests.Support;

/// <summary>Builds a <see cref="CaseHistory"/> the way the store records it: sequence and version count up from 1.</summary>
public sealed class HistoryBuilder
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly List<RecordedEntry> _recorded = [];

    public HistoryBuilder Add(params Entry[] entries)
    {
        foreach (var entry in entries)
        {
            var n = _recorded.Count + 1;
            _recorded.Add(new RecordedEntry(entry, n, n, Start.AddMinutes(n), "tester", $"corr-{n}"));
        }
        return this;
    }

    public CaseHistory Build() => new(_recorded);

    public DateTimeOffset LastRecordedAt => _recorded[^1].RecordedAt;

    /// <summary>A history that starts with a case-opened (2010-01), then holds <paramref name="entries"/> in that order.</summary>
    public static CaseHistory Of(params Entry[] entries) => new HistoryBuilder().Add(E.Opened()).Add(entries).Build();
}

/// <summary>Short constructors of entries with a fresh entryId unless one is given.</summary>
public static class E
{
    public static ClinicalDate D(string text) => ClinicalDate.Parse(text);

    public static CaseOpened Opened(string on = "2010-01", Guid? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid(), OccurredOn = D(on), PatientRef = "TEST-0001", Sex = "female", BirthYear = 1980,
    };

    public static SystemicTherapyStarted Start(string on, string regimen = "crizotinib", Guid? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid(), OccurredOn = D(on), Regimen = regimen, TherapyClass = "targeted",
    };

    public static SystemicTherapyStopped Stop(string on, string reason = "progression", Guid? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid(), OccurredOn = D(on), Reason = reason,
    };

    public static CycleAdministered Cycle(string on, int cycle = 1, Guid? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid(), OccurredOn = D(on), Cycle = cycle,
        Doses = [new AdministeredDose("doxorubicin", 75m, "mg/m2")],
    };

    public static DoseAdjusted Adjusted(string on, Guid? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid(), OccurredOn = D(on), Drug = "crizotinib", Direction = "reduced", Reason = "neutropenia",
    };

    public static ImagingPerformed Imaging(string on, string findings = "no change", Guid? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid(), OccurredOn = D(on), Modality = "MRI", Findings = findings,
    };

    public static ProgressionObserved Progression(string on, Guid? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid(), OccurredOn = D(on), Scope = "local",
    };

    public static PatientDied Died(string on, Guid? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid(), OccurredOn = D(on), Cause = "septic shock",
    };

    public static EntryRetracted Retract(Guid target, string reason = "recorded on the wrong case") => new()
    {
        EntryId = target, Reason = reason,
    };

    public static EntryCorrected Correct(Guid target, ClinicalEntry replacement, string reason = "date corrected") => new()
    {
        EntryId = target, Replacement = replacement with { EntryId = target }, Reason = reason,
    };
}
