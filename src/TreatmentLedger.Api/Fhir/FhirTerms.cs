using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using TreatmentLedger.ClinicalDates;

namespace TreatmentLedger.Api.Fhir;

/// <summary>The systems, profiles and codes of the FHIR mapping (INTEROP.md), shared by the export and the import.</summary>
public static class FhirTerms
{
    public const string MediaType = "application/fhir+json";

    /// <summary>Identifier system of a resource made from an entry; its value is the entryId, its type.text the entry's type.</summary>
    public const string EntrySystem = "urn:treatment-ledger:entry";

    public const string PatientRefSystem = "urn:treatment-ledger:patient-ref";

    /// <summary>The ledger's own extensions: <c>urn:treatment-ledger:</c> and the ledger field they carry.</summary>
    public const string LedgerExtension = "urn:treatment-ledger:";

    /// <summary>One per estimated field: its value is the ledger field's name (<c>occurredOn</c>, <c>agents[0].dose</c>).</summary>
    public const string Estimated = LedgerExtension + "estimated";

    public const string Snomed = "http://snomed.info/sct";
    public const string Loinc = "http://loinc.org";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string DataAbsentReason = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

    private const string Mcode = "http://hl7.org/fhir/us/mcode/StructureDefinition/";
    public const string CancerPatient = Mcode + "mcode-cancer-patient";
    public const string PrimaryCancerCondition = Mcode + "mcode-primary-cancer-condition";
    public const string SurgicalProcedure = Mcode + "mcode-cancer-related-surgical-procedure";
    public const string RadiotherapyCourseSummary = Mcode + "mcode-radiotherapy-course-summary";
    public const string RadiotherapyVolume = Mcode + "mcode-radiotherapy-volume";
    public const string MedicationRequestProfile = Mcode + "mcode-cancer-related-medication-request";
    public const string MedicationAdministrationProfile = Mcode + "mcode-cancer-related-medication-administration";
    public const string DiseaseStatus = Mcode + "mcode-cancer-disease-status";
    public const string TumorMarkerTest = Mcode + "mcode-tumor-marker-test";
    public const string GenomicVariant = Mcode + "mcode-genomic-variant";

    public const string ProcedureIntent = Mcode + "mcode-procedure-intent";
    public const string ModalityAndTechnique = Mcode + "mcode-radiotherapy-modality-and-technique";
    public const string Modality = Mcode + "mcode-radiotherapy-modality";
    public const string Technique = Mcode + "mcode-radiotherapy-technique";
    public const string DoseDeliveredToVolume = Mcode + "mcode-radiotherapy-dose-delivered-to-volume";

    /// <summary>SNOMED CT "Radiotherapy course of treatment", the code the course summary profile fixes.</summary>
    public const string RadiotherapyCourseCode = "1217123003";

    /// <summary>SNOMED CT "External beam radiation therapy using photons": every technique of the ledger is a photon one.</summary>
    public const string PhotonModality = "1156506007";

    /// <summary>LOINC "Cancer disease status", the code the disease status profile fixes.</summary>
    public const string DiseaseStatusCode = "97509-4";

    /// <summary>LOINC "Genetic variant assessment", the code the genomic variant profile fixes.</summary>
    public const string VariantCode = "69548-6";

    public const string GeneStudiedCode = "48018-6";
    public const string VariationCode = "81252-9";
    public const string MolecularConsequence = "molecular-consequence";
    public const string GenomicsCodes = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs";

    /// <summary>SNOMED CT condition trends of the disease status profile.</summary>
    public const string Worsened = "271299001";
    public const string Improved = "268910001";
    public const string Stable = "359746009";
    public const string Undetermined = "709137006";

    /// <summary>RECIST categories as disease status trends (INTEROP.md).</summary>
    public static string TrendOf(string response) => response switch
    {
        "CR" or "PR" => Improved,
        "SD" => Stable,
        "PD" => Worsened,
        _ => Undetermined,
    };

    /// <summary>The mCODE procedure intents the ledger's surgery intents match (local-control has none: text only).</summary>
    public static string? IntentCode(string? intent) => intent switch
    {
        "curative" => "373808002",
        "palliative" => "363676003",
        "diagnostic" => "261004008",
        _ => null,
    };

    /// <summary>The SNOMED CT photon techniques of mCODE the ledger's techniques match; the others are un-encoded (UNC) with text.</summary>
    public static string? TechniqueCode(string technique) => technique switch
    {
        "IMRT" => "441799006",
        "VMAT" => "1156530009",
        "3D-CRT" => "1162782007",
        _ => null,
    };

    public const string NullFlavor = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";
    public const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string ConditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    /// <summary>A partial clinical date as a FHIR dateTime: <c>YYYY</c>, <c>YYYY-MM</c> or <c>YYYY-MM-DD</c>, never a made-up day.</summary>
    public static FhirDateTime DateTime(ClinicalDate date) => new(date.ToString());

    /// <summary>A stable id for the <paramref name="part"/>-th resource made from one entry (the entryId itself for the first).</summary>
    public static Guid ResourceId(Guid entryId, string part) =>
        part.Length == 0 ? entryId : new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"{entryId}/{part}")));

    public static string UrnOf(Guid id) => $"urn:uuid:{id}";

    /// <summary>System.Text.Json with the FHIR R4 model: how resources are written and read (strict: a malformed resource is refused).</summary>
    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
}
