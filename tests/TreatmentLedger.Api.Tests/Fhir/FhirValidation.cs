using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests.Fhir;

/// <summary>
/// The Firely validator over R4 core (the specification shipped with Hl7.Fhir.Specification.Data.R4) and the mCODE STU4
/// package that <c>ops/test</c> unpacks into <c>.fhir-packages</c>, with <see cref="StandInProfiles"/> for the packages it builds on.
/// </summary>
public static class FhirValidation
{
    public static string McodePackage { get; } = Path.Combine(Repository.Root, ".fhir-packages", "hl7.fhir.us.mcode-4.0.0", "package");

    private static readonly Lazy<Validator> Core = new(() => Create(ZipSource.CreateValidationSource().AsAsync()));

    private static readonly Lazy<Validator> Mcode = new(() =>
    {
        if (!File.Exists(Path.Combine(McodePackage, "package.json")))
            throw new InvalidOperationException($"the mCODE package is not unpacked in {McodePackage}: run ops/test, which fetches it");
        var core = ZipSource.CreateValidationSource();
        var mcode = new DirectorySource(McodePackage);
        return Create(new MultiResolver(core.AsAsync(), mcode.AsAsync(), StandInProfiles.For(core.AsAsync(), mcode)));
    });

    /// <summary>
    /// One validation at a time: the validators load and cache their schemas lazily, and that loading is not safe between
    /// threads. The cohort and export tests run in parallel, and once a schema failed to load under them ("Encountered an
    /// error while loading schema 'http://hl7.org/fhir/StructureDefinition/string': Index was out of range").
    /// </summary>
    private static readonly Lock Gate = new();

    private static Validator Create(IAsyncResourceResolver source)
    {
        var resolver = new CachedResolver(source);
        return new Validator(resolver, new LocalTerminologyService(resolver));
    }

    /// <summary>
    /// The errors of the Bundle against R4 core: the Bundle and every resource in it against their base definitions (a copy
    /// without the resources' mCODE profile claims, which <see cref="ProfileErrors"/> checks).
    /// </summary>
    public static IReadOnlyList<string> CoreErrors(Bundle bundle)
    {
        var core = (Bundle)bundle.DeepCopy();
        foreach (var entry in core.Entry) entry.Resource!.Meta = null;
        lock (Gate) return Errors(Core.Value.Validate(core, "http://hl7.org/fhir/StructureDefinition/Bundle"));
    }

    /// <summary>
    /// The errors of a resource against the mCODE profile it claims, US Core and genomics-reporting stood in for by
    /// <see cref="StandInProfiles"/>.
    /// </summary>
    public static IReadOnlyList<string> ProfileErrors(Resource resource, string profile)
    {
        lock (Gate) return Errors(Mcode.Value.Validate(resource, profile));
    }

    private static List<string> Errors(OperationOutcome outcome) => outcome.Issue
        .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
        .Select(i => $"{string.Join(",", i.Expression)}: {i.Details?.Text ?? i.Diagnostics}")
        .ToList();
}
