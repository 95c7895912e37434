namespace TreatmentLedger.Entries;

/// <summary>The enumerated values of DOMAIN.md, spelled exactly as clients send them.</summary>
public static class Vocabulary
{
    public static readonly string[] Sex = ["female", "male", "other", "unknown"];
    public static readonly string[] ImagingModality = ["MRI", "CT", "PET-CT", "PET", "X-ray", "ultrasound", "other"];
    public static readonly string[] BiopsyTechnique = ["core", "micro", "excisional", "incisional", "fine-needle", "other"];
    public static readonly string[] MolecularMethod = ["IHC", "FISH", "PCR", "NGS-panel", "WGS", "other"];
    public static readonly string[] SurgeryIntent = ["curative", "palliative", "diagnostic", "local-control"];
    public static readonly string[] Margin = ["R0", "R1", "R2", "unknown", "not-applicable"];
    public static readonly string[] RadiotherapyTechnique = ["conventional", "3D-CRT", "IMRT", "VMAT", "SBRT", "SRS", "WBRT", "other"];
    public static readonly string[] TherapyClass = ["chemotherapy", "targeted", "immunotherapy", "anti-inflammatory", "corticosteroid", "hormonal", "supportive", "other"];
    public static readonly string[] LineIntent = ["new-line", "add-to-line", "maintenance"];
    public static readonly string[] Access = ["standard", "trial", "expanded-access", "compassionate"];
    public static readonly string[] DoseDirection = ["reduced", "increased", "interrupted", "resumed"];
    public static readonly string[] StopReason = ["progression", "toxicity", "completed", "ineffective", "death", "patient-choice", "other"];
    public static readonly string[] Response = ["CR", "PR", "SD", "PD", "NE"];
    public static readonly string[] ResponseMethod = ["CT", "MRI", "PET", "clinical"];
    public static readonly string[] ProgressionScope = ["local", "regional", "oligometastatic", "metastatic"];
    public static readonly string[] VitalStatus = ["alive", "unknown"];
    public static readonly string[] DiseaseStatus = ["no-evidence-of-disease", "stable", "responding", "progressing", "unknown"];
    public static readonly string[] Decision = ["planned", "contraindicated", "declined", "access-requested", "access-granted", "access-refused"];
}
