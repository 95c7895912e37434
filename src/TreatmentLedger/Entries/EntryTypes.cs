namespace TreatmentLedger.Entries;

/// <summary>The kebab-case entry type names of DOMAIN.md and the record that carries each.</summary>
public static class EntryTypes
{
    public const string CaseOpened = "case-opened";
    public const string ImagingPerformed = "imaging-performed";
    public const string BiopsyPerformed = "biopsy-performed";
    public const string BiopsyReread = "biopsy-reread";
    public const string MolecularTestReported = "molecular-test-reported";
    public const string SurgeryPerformed = "surgery-performed";
    public const string PathologyReported = "pathology-reported";
    public const string EmbolizationPerformed = "embolization-performed";
    public const string RadiotherapyDelivered = "radiotherapy-delivered";
    public const string SystemicTherapyStarted = "systemic-therapy-started";
    public const string CycleAdministered = "cycle-administered";
    public const string DoseAdjusted = "dose-adjusted";
    public const string SystemicTherapyStopped = "systemic-therapy-stopped";
    public const string AdverseEventObserved = "adverse-event-observed";
    public const string ComplicationOccurred = "complication-occurred";
    public const string ResponseAssessed = "response-assessed";
    public const string ProgressionObserved = "progression-observed";
    public const string TreatmentDecisionRecorded = "treatment-decision-recorded";
    public const string PatientDied = "patient-died";
    public const string FollowUpRecorded = "follow-up-recorded";
    public const string EntryRetracted = "entry-retracted";
    public const string EntryCorrected = "entry-corrected";

    public static readonly IReadOnlyDictionary<string, Type> ByName = new Dictionary<string, Type>
    {
        [CaseOpened] = typeof(Entries.CaseOpened),
        [ImagingPerformed] = typeof(Entries.ImagingPerformed),
        [BiopsyPerformed] = typeof(Entries.BiopsyPerformed),
        [BiopsyReread] = typeof(Entries.BiopsyReread),
        [MolecularTestReported] = typeof(Entries.MolecularTestReported),
        [SurgeryPerformed] = typeof(Entries.SurgeryPerformed),
        [PathologyReported] = typeof(Entries.PathologyReported),
        [EmbolizationPerformed] = typeof(Entries.EmbolizationPerformed),
        [RadiotherapyDelivered] = typeof(Entries.RadiotherapyDelivered),
        [SystemicTherapyStarted] = typeof(Entries.SystemicTherapyStarted),
        [CycleAdministered] = typeof(Entries.CycleAdministered),
        [DoseAdjusted] = typeof(Entries.DoseAdjusted),
        [SystemicTherapyStopped] = typeof(Entries.SystemicTherapyStopped),
        [AdverseEventObserved] = typeof(Entries.AdverseEventObserved),
        [ComplicationOccurred] = typeof(Entries.ComplicationOccurred),
        [ResponseAssessed] = typeof(Entries.ResponseAssessed),
        [ProgressionObserved] = typeof(Entries.ProgressionObserved),
        [TreatmentDecisionRecorded] = typeof(Entries.TreatmentDecisionRecorded),
        [PatientDied] = typeof(Entries.PatientDied),
        [FollowUpRecorded] = typeof(Entries.FollowUpRecorded),
        [EntryRetracted] = typeof(Entries.EntryRetracted),
        [EntryCorrected] = typeof(Entries.EntryCorrected),
    };

    private static readonly Dictionary<Type, string> NameByType = ByName.ToDictionary(p => p.Value, p => p.Key);

    public static string NameOf(Type type) => NameByType[type];
}
