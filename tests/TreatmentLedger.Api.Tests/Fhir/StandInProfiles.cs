using System.Diagnostics.CodeAnalysis;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;

namespace TreatmentLedger.Api.Tests.Fhir;

/// <summary>
/// Stands in for the StructureDefinitions of the packages mCODE builds on that cannot be had here (README, "FHIR"): US Core
/// 5.0.1 and genomics-reporting 2.0.0. Asked for one of their canonicals, it answers a copy of the R4 core definition of the
/// profile's type, renamed to that canonical and made a constraint on the core type, so that the mCODE profiles built on
/// them or referring to them compile and are checked. The validator checks an mCODE profile from its own published snapshot
/// (which already carries what it inherits from US Core); a stand-in is only walked as a base, or checked where mCODE names
/// it as an element's profile (US Core's extensions, genomics-reporting's coded annotation): there it checks R4 core only.
/// </summary>
public sealed class StandInProfiles(IAsyncResourceResolver core, IReadOnlyDictionary<string, string> typeOf) : IAsyncResourceResolver
{
    private const string UsCore = "http://hl7.org/fhir/us/core/StructureDefinition/";
    private const string GenomicsReporting = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/";

    /// <summary>
    /// The missing canonicals mCODE names only as a reference's target profile, where its own profiles do not tell their
    /// type, and their types, from the US Core 5.0.1 and genomics-reporting 2.0.0 specifications.
    /// </summary>
    private static readonly Dictionary<string, string> Targets = new()
    {
        [UsCore + "us-core-careplan"] = "CarePlan",
        [UsCore + "us-core-careteam"] = "CareTeam",
        [UsCore + "us-core-documentreference"] = "DocumentReference",
        [UsCore + "us-core-encounter"] = "Encounter",
        [UsCore + "us-core-medication"] = "Medication",
        [UsCore + "us-core-organization"] = "Organization",
        [UsCore + "us-core-practitioner"] = "Practitioner",
        [UsCore + "us-core-practitionerrole"] = "PractitionerRole",
        [UsCore + "us-core-questionnaireresponse"] = "QuestionnaireResponse",
        [UsCore + "us-core-relatedperson"] = "RelatedPerson",
        [UsCore + "us-core-servicerequest"] = "ServiceRequest",
        [GenomicsReporting + "diagnostic-implication"] = "Observation",
        [GenomicsReporting + "genotype"] = "Observation",
        [GenomicsReporting + "haplotype"] = "Observation",
        [GenomicsReporting + "overall-interpretation"] = "Observation",
        [GenomicsReporting + "sequence-phase-relationship"] = "Observation",
        [GenomicsReporting + "therapeutic-implication"] = "Observation",
    };

    /// <summary>
    /// The stand-in for the canonicals of <see cref="Targets"/> and for those the profiles of <paramref name="mcode"/> tell
    /// the type of: a missing base is of its profile's type (us-core-vital-signs: Observation), a missing profile of an
    /// element of that element's type (us-core-race: Extension, coded-annotation: Annotation).
    /// </summary>
    public static StandInProfiles For(IAsyncResourceResolver core, CommonDirectorySource mcode)
    {
        var typeOf = new Dictionary<string, string>(Targets);
        foreach (var summary in mcode.ListSummaries().Where(s => s.ResourceTypeName == "StructureDefinition"))
        {
            var profile = mcode.LoadBySummary<StructureDefinition>(summary);
            if (IsMissing(profile.BaseDefinition)) typeOf[profile.BaseDefinition] = profile.Type!;
            foreach (var type in profile.Snapshot!.Element.SelectMany(e => e.Type))
                foreach (var elementProfile in type.Profile.Where(IsMissing))
                    typeOf[elementProfile!] = type.Code!;
        }
        return new StandInProfiles(core, typeOf);
    }

    private static bool IsMissing([NotNullWhen(true)] string? canonical) =>
        canonical is not null && (canonical.StartsWith(UsCore) || canonical.StartsWith(GenomicsReporting));

    public async Task<Resource?> ResolveByCanonicalUriAsync(string uri)
    {
        if (!typeOf.TryGetValue(uri, out var type)) return null;
        var standIn = (StructureDefinition)(await core.FindStructureDefinitionForCoreTypeAsync(type)).DeepCopy();
        standIn.Id = uri[(uri.LastIndexOf('/') + 1)..];
        standIn.Url = uri;
        standIn.Name = standIn.Id;
        standIn.Derivation = StructureDefinition.TypeDerivationRule.Constraint;
        standIn.BaseDefinition = ModelInfo.CanonicalUriForFhirCoreType(type).Value;
        // An extension is told by its url: the value mCODE's slices on extension are discriminated by.
        if (type == "Extension") standIn.Snapshot!.Element.Single(e => e.Path == "Extension.url").Fixed = new FhirUri(uri);
        return standIn;
    }

    public Task<Resource?> ResolveByUriAsync(string uri) => ResolveByCanonicalUriAsync(uri);
}
