namespace TreatmentLedger.Entries;

// The clinical entry types of DOMAIN.md. Each record reads its own payload, so its fields and their rules sit together.

public sealed record CaseOpened : ClinicalEntry
{
    public string PatientRef { get; init; } = "";
    public string Sex { get; init; } = "";
    public int? BirthYear { get; init; }
    public string? Presentation { get; init; }

    internal static CaseOpened Read(PayloadReader r) => new()
    {
        PatientRef = r.RequiredString("patientRef"),
        Sex = r.RequiredEnum("sex", Vocabulary.Sex),
        BirthYear = r.OptionalInt("birthYear", 1800, r.Today.Year),
        Presentation = r.OptionalString("presentation"),
    };
}

public sealed record ImagingPerformed : ClinicalEntry
{
    public string Modality { get; init; } = "";
    public IReadOnlyList<string>? Sites { get; init; }
    public string? Findings { get; init; }
    public decimal? LargestLesionMm { get; init; }

    internal static ImagingPerformed Read(PayloadReader r) => new()
    {
        Modality = r.RequiredEnum("modality", Vocabulary.ImagingModality),
        Sites = r.OptionalStrings("sites"),
        Findings = r.OptionalText("findings"),
        LargestLesionMm = r.OptionalNumber("largestLesionMm", minExclusive: 0, max: 5000),
    };
}

public sealed record BiopsyPerformed : ClinicalEntry
{
    public string Technique { get; init; } = "";
    public string Site { get; init; } = "";
    public string? Diagnosis { get; init; }

    internal static BiopsyPerformed Read(PayloadReader r) => new()
    {
        Technique = r.RequiredEnum("technique", Vocabulary.BiopsyTechnique),
        Site = r.RequiredString("site"),
        Diagnosis = r.OptionalString("diagnosis"),
    };
}

public sealed record Marker(string Name, string? Method, string? Result);

public sealed record BiopsyReread : ClinicalEntry
{
    public string Reviewer { get; init; } = "";
    public string Diagnosis { get; init; } = "";
    public IReadOnlyList<Marker>? Markers { get; init; }

    internal static BiopsyReread Read(PayloadReader r) => new()
    {
        Reviewer = r.RequiredString("reviewer"),
        Diagnosis = r.RequiredString("diagnosis"),
        Markers = r.OptionalObjects("markers", m => new Marker(m.RequiredString("name"), m.OptionalString("method"), m.OptionalString("result"))),
    };
}

public sealed record MolecularFinding(string Gene, string? Alteration, string? Kind);

public sealed record MolecularTestReported : ClinicalEntry
{
    public string Method { get; init; } = "";
    public IReadOnlyList<string>? Genes { get; init; }
    public IReadOnlyList<MolecularFinding>? Findings { get; init; }
    public bool Conclusive { get; init; }

    internal static MolecularTestReported Read(PayloadReader r) => new()
    {
        Method = r.RequiredEnum("method", Vocabulary.MolecularMethod),
        Genes = r.OptionalStrings("genes"),
        Findings = r.OptionalObjects("findings", f => new MolecularFinding(f.RequiredString("gene"), f.OptionalString("alteration"), f.OptionalString("kind"))),
        Conclusive = r.RequiredBool("conclusive"),
    };
}

public sealed record SurgeryPerformed : ClinicalEntry
{
    public string Procedure { get; init; } = "";
    public string Site { get; init; } = "";
    public string Intent { get; init; } = "";
    public string Margin { get; init; } = "";

    internal static SurgeryPerformed Read(PayloadReader r) => new()
    {
        Procedure = r.RequiredString("procedure"),
        Site = r.RequiredString("site"),
        Intent = r.RequiredEnum("intent", Vocabulary.SurgeryIntent),
        Margin = r.RequiredEnum("margin", Vocabulary.Margin),
    };
}

public sealed record PathologyReported : ClinicalEntry
{
    public string Specimen { get; init; } = "";
    public string? Findings { get; init; }
    public decimal? Ki67Percent { get; init; }
    public bool? TumourPresent { get; init; }

    internal static PathologyReported Read(PayloadReader r) => new()
    {
        Specimen = r.RequiredString("specimen"),
        Findings = r.OptionalText("findings"),
        Ki67Percent = r.OptionalNumber("ki67Percent", minInclusive: 0, max: 100),
        TumourPresent = r.OptionalBool("tumourPresent"),
    };
}

public sealed record EmbolizationPerformed : ClinicalEntry
{
    public string Site { get; init; } = "";
    public int? Vessels { get; init; }
    public string? Reason { get; init; }

    internal static EmbolizationPerformed Read(PayloadReader r) => new()
    {
        Site = r.RequiredString("site"),
        Vessels = r.OptionalInt("vessels", 1, 1000),
        Reason = r.OptionalString("reason"),
    };
}

public sealed record RadiotherapyDelivered : ClinicalEntry
{
    public string Site { get; init; } = "";
    public string Technique { get; init; } = "";
    public decimal TotalDoseGy { get; init; }
    public int Fractions { get; init; }
    public string? Intent { get; init; }

    /// <summary>The lesion or volume treated (e.g. "brain metastasis 2"): doses are summed per site and target.</summary>
    public string? Target { get; init; }

    internal static RadiotherapyDelivered Read(PayloadReader r) => new()
    {
        Site = r.RequiredString("site"),
        Technique = r.RequiredEnum("technique", Vocabulary.RadiotherapyTechnique),
        TotalDoseGy = r.RequiredNumber("totalDoseGy", minExclusive: 0, max: 200),
        Fractions = r.RequiredInt("fractions", 1, 1000),
        Intent = r.OptionalString("intent"),
        Target = r.OptionalString("target"),
    };
}

public sealed record Agent(string Drug, decimal? Dose, string? Unit, string? Frequency, decimal? DailyDoseMg);

public sealed record SystemicTherapyStarted : ClinicalEntry
{
    public string Regimen { get; init; } = "";
    public string TherapyClass { get; init; } = "";
    public IReadOnlyList<Agent>? Agents { get; init; }
    public string? Access { get; init; }

    /// <summary>new-line, add-to-line or maintenance; absent, the 28-day combination window decides (DOMAIN.md).</summary>
    public string? LineIntent { get; init; }

    /// <summary>Body surface area in m2, which converts anthracycline doses given in mg when a cycle gives none.</summary>
    public decimal? BsaM2 { get; init; }

    internal static SystemicTherapyStarted Read(PayloadReader r)
    {
        var started = ReadFields(r);
        if (started is { TherapyClass: "supportive", LineIntent: not null })
            r.Errors.Add(r.Nested("lineIntent"), "a supportive medication never opens, joins or continues a line: leave lineIntent out");
        return started;
    }

    private static SystemicTherapyStarted ReadFields(PayloadReader r) => new()
    {
        Regimen = r.RequiredString("regimen"),
        TherapyClass = r.RequiredEnum("therapyClass", Vocabulary.TherapyClass),
        Agents = r.OptionalObjects("agents", a => new Agent(
            a.RequiredString("drug"),
            a.OptionalNumber("dose", minExclusive: 0, max: 1_000_000),
            a.OptionalString("unit"),
            a.OptionalString("frequency"),
            a.OptionalNumber("dailyDoseMg", minInclusive: 0, max: 1_000_000))),
        Access = r.OptionalEnum("access", Vocabulary.Access),
        LineIntent = r.OptionalEnum("lineIntent", Vocabulary.LineIntent),
        BsaM2 = r.OptionalNumber("bsaM2", minInclusive: 0.3m, max: 3.5m),
    };
}

public sealed record AdministeredDose(string Drug, decimal Amount, string Unit);

public sealed record CycleAdministered : ClinicalEntry
{
    public int Cycle { get; init; }
    public IReadOnlyList<AdministeredDose> Doses { get; init; } = [];

    /// <summary>Body surface area in m2 at this cycle.</summary>
    public decimal? BsaM2 { get; init; }

    internal static CycleAdministered Read(PayloadReader r) => new()
    {
        Cycle = r.RequiredInt("cycle", 1, 10_000),
        Doses = r.RequiredObjects("doses", d => new AdministeredDose(
            d.RequiredString("drug"),
            d.RequiredNumber("amount", minExclusive: 0, max: 1_000_000),
            d.RequiredString("unit"))),
        BsaM2 = r.OptionalNumber("bsaM2", minInclusive: 0.3m, max: 3.5m),
    };
}

public sealed record DoseAdjusted : ClinicalEntry
{
    public string Drug { get; init; } = "";
    public string Direction { get; init; } = "";
    public decimal? Dose { get; init; }
    public string? Unit { get; init; }
    public decimal? DailyDoseMg { get; init; }
    public string? Reason { get; init; }

    internal static DoseAdjusted Read(PayloadReader r) => new()
    {
        Drug = r.RequiredString("drug"),
        Direction = r.RequiredEnum("direction", Vocabulary.DoseDirection),
        Dose = r.OptionalNumber("dose", minInclusive: 0, max: 1_000_000),
        Unit = r.OptionalString("unit"),
        DailyDoseMg = r.OptionalNumber("dailyDoseMg", minInclusive: 0, max: 1_000_000),
        Reason = r.OptionalString("reason"),
    };
}

public sealed record SystemicTherapyStopped : ClinicalEntry
{
    public string Reason { get; init; } = "";

    /// <summary>The cycles given, when they were not recorded one by one.</summary>
    public int? CyclesGiven { get; init; }

    internal static SystemicTherapyStopped Read(PayloadReader r) => new()
    {
        Reason = r.RequiredEnum("reason", Vocabulary.StopReason),
        CyclesGiven = r.OptionalInt("cyclesGiven", 0, 10_000),
    };
}

public sealed record AdverseEventObserved : ClinicalEntry
{
    public string Term { get; init; } = "";
    public int Grade { get; init; }
    public string? AttributedTo { get; init; }

    internal static AdverseEventObserved Read(PayloadReader r) => new()
    {
        Term = r.RequiredString("term"),
        Grade = r.RequiredInt("grade", 1, 5),
        AttributedTo = r.OptionalString("attributedTo"),
    };
}

public sealed record ComplicationOccurred : ClinicalEntry
{
    public string Description { get; init; } = "";
    public int? Grade { get; init; }

    internal static ComplicationOccurred Read(PayloadReader r) => new()
    {
        Description = r.RequiredString("description"),
        Grade = r.OptionalInt("grade", 1, 5),
    };
}

public sealed record ResponseAssessed : ClinicalEntry
{
    public string Response { get; init; } = "";
    public string Method { get; init; } = "";
    public string? Description { get; init; }

    internal static ResponseAssessed Read(PayloadReader r) => new()
    {
        Response = r.RequiredEnum("response", Vocabulary.Response),
        Method = r.RequiredEnum("method", Vocabulary.ResponseMethod),
        Description = r.OptionalText("description"),
    };
}

public sealed record ProgressionObserved : ClinicalEntry
{
    public string Scope { get; init; } = "";
    public IReadOnlyList<string>? Sites { get; init; }
    public bool? NewLesions { get; init; }

    internal static ProgressionObserved Read(PayloadReader r) => new()
    {
        Scope = r.RequiredEnum("scope", Vocabulary.ProgressionScope),
        Sites = r.OptionalStrings("sites"),
        NewLesions = r.OptionalBool("newLesions"),
    };
}

public sealed record TreatmentDecisionRecorded : ClinicalEntry
{
    public string Treatment { get; init; } = "";
    public string Decision { get; init; } = "";
    public string? Reason { get; init; }

    internal static TreatmentDecisionRecorded Read(PayloadReader r) => new()
    {
        Treatment = r.RequiredString("treatment"),
        Decision = r.RequiredEnum("decision", Vocabulary.Decision),
        Reason = r.OptionalString("reason"),
    };
}

public sealed record PatientDied : ClinicalEntry
{
    public string? Cause { get; init; }
    public bool? DiseaseRelated { get; init; }
    public bool? TreatmentRelated { get; init; }

    internal static PatientDied Read(PayloadReader r) => new()
    {
        Cause = r.OptionalString("cause"),
        DiseaseRelated = r.OptionalBool("diseaseRelated"),
        TreatmentRelated = r.OptionalBool("treatmentRelated"),
    };
}

/// <summary>A visit or contact with no treatment event: it moves the case's last contact (DOMAIN.md).</summary>
public sealed record FollowUpRecorded : ClinicalEntry
{
    public string VitalStatus { get; init; } = "";
    public string? DiseaseStatus { get; init; }

    internal static FollowUpRecorded Read(PayloadReader r) => new()
    {
        VitalStatus = r.RequiredEnum("vitalStatus", Vocabulary.VitalStatus),
        DiseaseStatus = r.OptionalEnum("diseaseStatus", Vocabulary.DiseaseStatus),
    };
}
