using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Tests.Support;

namespace TreatmentLedger.Tests.Projections;

/// <summary>Builds a case's history entry by entry, each entry answered so that tests can correct or retract it.</summary>
public sealed class CaseBuilder
{
    private readonly HistoryBuilder _history = new();

    public static ClinicalDate D(string text) => E.D(text);

    public CaseHistory History => _history.Build();

    public DateTimeOffset LastRecordedAt => _history.LastRecordedAt;

    public T Add<T>(T entry) where T : Entry
    {
        if (entry is ClinicalEntry && entry.EntryId == Guid.Empty) entry = entry with { EntryId = Guid.NewGuid() };
        _history.Add(entry);
        return entry;
    }

    public CaseOpened Open(string on = "2015-01") =>
        Add(new CaseOpened { OccurredOn = D(on), PatientRef = "TEST-0001", Sex = "female", BirthYear = 1970 });

    public BiopsyPerformed Biopsy(string on, string diagnosis = "sarcoma") =>
        Add(new BiopsyPerformed { OccurredOn = D(on), Technique = "core", Site = "thigh", Diagnosis = diagnosis });

    public SystemicTherapyStarted Start(string on, string regimen, decimal? dailyDoseMg = null, string therapyClass = "targeted",
        string? lineIntent = null, string? endedOn = null) =>
        Add(new SystemicTherapyStarted
        {
            OccurredOn = D(on),
            EndedOn = endedOn is null ? null : D(endedOn),
            Regimen = regimen,
            TherapyClass = therapyClass,
            LineIntent = lineIntent,
            Agents = [new Agent(regimen, null, null, null, dailyDoseMg)],
        });

    public SystemicTherapyStopped Stop(string on, string reason, int? cyclesGiven = null) =>
        Add(new SystemicTherapyStopped { OccurredOn = D(on), Reason = reason, CyclesGiven = cyclesGiven });

    public FollowUpRecorded FollowUp(string on, string vitalStatus = "alive") =>
        Add(new FollowUpRecorded { OccurredOn = D(on), VitalStatus = vitalStatus, DiseaseStatus = "stable" });

    public ProgressionObserved Progression(string on, string scope = "oligometastatic", IReadOnlyList<string>? estimated = null) =>
        Add(new ProgressionObserved { OccurredOn = D(on), Scope = scope, Sites = ["brain"], Estimated = estimated });

    public ResponseAssessed Response(string on, string response) =>
        Add(new ResponseAssessed { OccurredOn = D(on), Response = response, Method = "CT" });

    public RadiotherapyDelivered Radiotherapy(string on, string site, decimal totalDoseGy, int fractions, string technique = "SBRT") =>
        Add(new RadiotherapyDelivered { OccurredOn = D(on), Site = site, Technique = technique, TotalDoseGy = totalDoseGy, Fractions = fractions });

    public SurgeryPerformed Surgery(string on, string procedure = "metastasectomy") =>
        Add(new SurgeryPerformed { OccurredOn = D(on), Procedure = procedure, Site = "brain", Intent = "local-control", Margin = "R0" });

    public CycleAdministered Cycle(string on, int cycle, string drug, decimal amount, string unit = "mg/m2") =>
        Add(new CycleAdministered { OccurredOn = D(on), Cycle = cycle, Doses = [new AdministeredDose(drug, amount, unit)] });

    public DoseAdjusted Adjust(string on, string drug, string direction, decimal? dailyDoseMg = null) =>
        Add(new DoseAdjusted { OccurredOn = D(on), Drug = drug, Direction = direction, DailyDoseMg = dailyDoseMg });

    public PatientDied Died(string on) => Add(new PatientDied { OccurredOn = D(on), Cause = "sepsis" });

    public EntryCorrected Correct(Guid entryId, ClinicalEntry replacement) =>
        Add(new EntryCorrected { EntryId = entryId, Replacement = replacement with { EntryId = entryId }, Reason = "re-read" });

    public EntryRetracted Retract(Guid entryId) => Add(new EntryRetracted { EntryId = entryId, Reason = "wrong patient" });
}
