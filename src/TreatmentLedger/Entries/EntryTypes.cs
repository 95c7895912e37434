using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TreatmentLedger.Entries;

/// <summary>An entry type of DOMAIN.md: its kebab-case name, the record that carries it, and how a clinical one reads its payload.</summary>
public sealed record EntryType(string Name, Type Type, Func<PayloadReader, ClinicalEntry>? ReadPayload);

/// <summary>
/// The one list of the entry types. JSON (the <c>type</c> discriminator), the store's event types and the request
/// reader all take them from here.
/// </summary>
public static class EntryTypes
{
    public static readonly IReadOnlyList<EntryType> All =
    [
        new("case-opened", typeof(CaseOpened), CaseOpened.Read),
        new("imaging-performed", typeof(ImagingPerformed), ImagingPerformed.Read),
        new("biopsy-performed", typeof(BiopsyPerformed), BiopsyPerformed.Read),
        new("biopsy-reread", typeof(BiopsyReread), BiopsyReread.Read),
        new("molecular-test-reported", typeof(MolecularTestReported), MolecularTestReported.Read),
        new("surgery-performed", typeof(SurgeryPerformed), SurgeryPerformed.Read),
        new("pathology-reported", typeof(PathologyReported), PathologyReported.Read),
        new("embolization-performed", typeof(EmbolizationPerformed), EmbolizationPerformed.Read),
        new("radiotherapy-delivered", typeof(RadiotherapyDelivered), RadiotherapyDelivered.Read),
        new("systemic-therapy-started", typeof(SystemicTherapyStarted), SystemicTherapyStarted.Read),
        new("cycle-administered", typeof(CycleAdministered), CycleAdministered.Read),
        new("dose-adjusted", typeof(DoseAdjusted), DoseAdjusted.Read),
        new("systemic-therapy-stopped", typeof(SystemicTherapyStopped), SystemicTherapyStopped.Read),
        new("adverse-event-observed", typeof(AdverseEventObserved), AdverseEventObserved.Read),
        new("complication-occurred", typeof(ComplicationOccurred), ComplicationOccurred.Read),
        new("response-assessed", typeof(ResponseAssessed), ResponseAssessed.Read),
        new("progression-observed", typeof(ProgressionObserved), ProgressionObserved.Read),
        new("treatment-decision-recorded", typeof(TreatmentDecisionRecorded), TreatmentDecisionRecorded.Read),
        new("patient-died", typeof(PatientDied), PatientDied.Read),
        new("follow-up-recorded", typeof(FollowUpRecorded), FollowUpRecorded.Read),
        new("entry-retracted", typeof(EntryRetracted), null),
        new("entry-corrected", typeof(EntryCorrected), null),
    ];

    public static readonly IReadOnlyDictionary<string, EntryType> ByName = All.ToDictionary(t => t.Name);

    private static readonly Dictionary<Type, string> NameByType = All.ToDictionary(t => t.Type, t => t.Name);

    public static string NameOf(Type type) => NameByType[type];

    public static string NameOf<T>() where T : Entry => NameByType[typeof(T)];

    /// <summary>
    /// A System.Text.Json contract modifier: an <see cref="Entry"/> (or a <see cref="ClinicalEntry"/> or
    /// <see cref="CorrectionEntry"/>) is written and read with its <c>type</c> name as the discriminator (the case-file
    /// shape), whatever the serializer (the API's or the store's).
    /// </summary>
    public static void DescribePolymorphism(JsonTypeInfo info)
    {
        if (info.Type != typeof(Entry) && info.Type != typeof(ClinicalEntry) && info.Type != typeof(CorrectionEntry)) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "type",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (var type in All.Where(t => t.Type.IsAssignableTo(info.Type)))
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type.Type, type.Name));
    }
}
