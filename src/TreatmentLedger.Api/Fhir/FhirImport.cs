using System.Globalization;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using static TreatmentLedger.Api.Fhir.FhirTerms;

namespace TreatmentLedger.Api.Fhir;

/// <summary>A resource of the Bundle that no entry was made of, and why.</summary>
public sealed record NotImported(string Resource, string Reason);

/// <summary>An entry read from the Bundle, and the resources it was made of (how problems name it).</summary>
public sealed record ImportedEntry(Entry Entry, string Resources);

/// <summary>What a Bundle amounts to: the case-opened first, the other entries in Bundle order, and what could not be mapped.</summary>
public sealed record FhirCase(IReadOnlyList<ImportedEntry> Entries, IReadOnlyList<NotImported> NotImported);

/// <summary>
/// A Bundle as <see cref="FhirExport"/> writes it back into entries (INTEROP.md). Resources are grouped by their
/// <c>urn:treatment-ledger:entry</c> identifier; its type.text says which entry type the group records. Each group becomes
/// an entry in case-file shape that <see cref="EntryJson"/> reads with the same checks as every other write. The derived
/// primary cancer Condition and the OperationOutcome of what the export did not map are not entries; a radiotherapy
/// volume is read through the course summary that references it. Pure.
/// </summary>
public static class FhirImport
{
    public static FhirCase Read(Bundle bundle, DateOnly today)
    {
        var resources = bundle.Entry.Select((e, i) => (Label: $"Bundle.entry[{i}] ({e.Resource?.TypeName}/{e.Resource?.Id})", e.FullUrl, e.Resource)).ToList();
        var byUrl = resources.Where(r => r.FullUrl is not null && r.Resource is not null).GroupBy(r => r.FullUrl!).ToDictionary(g => g.Key, g => g.First().Resource!);
        var volumes = resources.Select(r => r.Resource).OfType<Procedure>()
            .SelectMany(p => p.GetExtensions(DoseDeliveredToVolume))
            .Select(e => (e.GetExtensionValue<ResourceReference>("volume"))?.Reference)
            .OfType<string>().ToHashSet();

        var notImported = new List<NotImported>();
        // How the Bundle refers to its Patient: by its fullUrl, or as Patient/id.
        var patientRefs = resources.Where(r => r.Resource is Patient)
            .SelectMany(r => new[] { r.FullUrl, r.Resource!.Id is { } id ? $"Patient/{id}" : null }).OfType<string>().ToHashSet();
        var groups = new List<Group>();
        var conditions = new List<(string Label, Condition Condition)>();
        foreach (var (label, fullUrl, resource) in resources)
        {
            switch (resource)
            {
                case null:
                    notImported.Add(new NotImported(label, "holds no resource"));
                    continue;
                case OperationOutcome:
                    // What the export did not map: no entry.
                    continue;
                case Condition condition when resource.Meta?.Profile.Contains(PrimaryCancerCondition) == true:
                    // The diagnosis the export derives from the biopsies: no entry of its own, checked against them below.
                    conditions.Add((label, condition));
                    continue;
                case BodyStructure when fullUrl is not null && volumes.Contains(fullUrl):
                    continue;
            }
            if (SubjectOf(resource) is { } subject && patientRefs.Count > 0 && !patientRefs.Contains(subject))
            {
                // A case is one patient's: a resource about another is not recorded on it.
                notImported.Add(new NotImported(label, $"its subject {subject} is not the Bundle's Patient ({string.Join(" or ", patientRefs.Order())})"));
                continue;
            }
            var identifiers = IdentifiersOf(resource).Where(i => i.System == EntrySystem).ToList();
            if (identifiers.Count == 0)
            {
                notImported.Add(new NotImported(label, $"no identifier of system {EntrySystem} names the entry it records"));
                continue;
            }
            foreach (var identifier in identifiers)
            {
                if (!Guid.TryParse(identifier.Value, out var entryId) || identifier.Type?.Text is not { } type || !EntryTypes.ByName.ContainsKey(type))
                {
                    notImported.Add(new NotImported(label, $"the identifier {identifier.Value} must be a uuid with type.text an entry type"));
                    continue;
                }
                var group = groups.FirstOrDefault(g => g.EntryId == entryId && g.Type == type);
                if (group is null) groups.Add(group = new Group(entryId, type));
                group.Resources.Add((label, resource));
            }
        }

        var entries = new List<ImportedEntry>();
        foreach (var group in groups)
        {
            var labels = string.Join(", ", group.Resources.Select(r => r.Label).Distinct());
            List<JsonObject> read;
            try
            {
                read = new Reader(group, byUrl).Entries();
            }
            catch (NotMappable e)
            {
                notImported.Add(new NotImported(labels, e.Message));
                continue;
            }
            foreach (var json in read)
            {
                var errors = new ValidationErrors();
                // Read from text, as a request's entries are (the payload reader takes JSON numbers as parsed, not CLR values).
                var entry = EntryJson.Read(JsonNode.Parse(json.ToJsonString()), "", errors, today);
                if (entry is null || errors.Any)
                    notImported.Add(new NotImported(labels, string.Join("; ", errors.ToDictionary().SelectMany(p => p.Value.Select(m => $"{p.Key}: {m}")))));
                else entries.Add(new ImportedEntry(entry, labels));
            }
        }
        // The case-opened first (the Patient may come anywhere in the Bundle), then the Bundle's clinical order, in which the
        // death the Patient also carries takes its place after what happened on its date (a line it ends started before it).
        var others = entries.Where(e => e.Entry is not CaseOpened)
            .OrderBy(e => ((ClinicalEntry)e.Entry).Date.Anchor).ThenBy(e => e.Entry is PatientDied).ToList();
        var ordered = new List<ImportedEntry>([.. entries.Where(e => e.Entry is CaseOpened), .. others]);
        notImported.AddRange(ConditionsNotDerived(conditions, ordered));
        return new FhirCase(ordered, notImported);
    }

    /// <summary>
    /// The primary cancer Conditions that say other than what the ledger derives from the Bundle's biopsies and re-reads
    /// (code.text the diagnosis as last re-read, onset the first biopsy's date, body site its site): the ledger records no
    /// Condition of its own, so such a Condition would be lost. One that says the same is recorded by its biopsies.
    /// </summary>
    private static IEnumerable<NotImported> ConditionsNotDerived(List<(string Label, Condition Condition)> conditions, List<ImportedEntry> entries)
    {
        if (conditions.Count == 0) yield break;
        var effective = entries.Where(e => e.Entry is ClinicalEntry).Select((e, i) => new EffectiveEntry((ClinicalEntry)e.Entry, i + 1)).ToList();
        var derived = FhirExport.ConditionFacts(effective);
        foreach (var (label, condition) in conditions)
        {
            var given = (Code: condition.Code?.Text, Onset: (condition.Onset as FhirDateTime)?.Value, Site: condition.BodySite.FirstOrDefault()?.Text);
            if (derived is not { } facts)
                yield return new NotImported(label, "a primary cancer Condition is derived from the biopsies (biopsy-performed, biopsy-reread), " +
                    "and the Bundle records no biopsy that gives a diagnosis: record the biopsy");
            else if (given != facts)
                yield return new NotImported(label, "a primary cancer Condition is derived from the biopsies (biopsy-performed, biopsy-reread), " +
                    $"and theirs reads code.text '{facts.Code}', onset '{facts.Onset}', bodySite '{facts.Site}', not '{given.Code}', '{given.Onset}', " +
                    $"'{given.Site}': correct the biopsy or re-read it comes from");
        }
    }

    /// <summary>The patient a resource is about (its subject; a BodyStructure's patient), null when it names none.</summary>
    private static string? SubjectOf(Resource resource) => resource switch
    {
        Procedure procedure => procedure.Subject?.Reference,
        Observation observation => observation.Subject?.Reference,
        MedicationRequest request => request.Subject?.Reference,
        MedicationAdministration administration => administration.Subject?.Reference,
        AdverseEvent adverse => adverse.Subject?.Reference,
        Encounter encounter => encounter.Subject?.Reference,
        Condition condition => condition.Subject?.Reference,
        BodyStructure structure => structure.Patient?.Reference,
        _ => null,
    };

    /// <summary>The identifiers of the resource types the export writes.</summary>
    private static IEnumerable<Identifier> IdentifiersOf(Resource resource) => resource switch
    {
        Patient patient => patient.Identifier,
        Procedure procedure => procedure.Identifier,
        Observation observation => observation.Identifier,
        MedicationRequest request => request.Identifier,
        MedicationAdministration administration => administration.Identifier,
        AdverseEvent { Identifier: { } identifier } => [identifier],
        Encounter encounter => encounter.Identifier,
        _ => [],
    };

    private sealed record Group(Guid EntryId, string Type)
    {
        public List<(string Label, Resource Resource)> Resources { get; } = [];
    }

    private sealed class NotMappable(string message) : Exception(message);

    /// <summary>Reads one group of resources back into the case-file shape of its entry type.</summary>
    private sealed class Reader(Group group, Dictionary<string, Resource> byUrl)
    {
        private Resource First => group.Resources[0].Resource;

        /// <summary>
        /// The one resource of type <typeparamref name="T"/> an entry is read from. Two that name the same entry would be two
        /// versions of it, and reading one would drop the other unseen: refused, as a case file repeating an entryId is.
        /// </summary>
        private T Only<T>() where T : Resource
        {
            var found = group.Resources.Where(r => r.Resource is T).DistinctBy(r => r.Label).ToList();
            return found switch
            {
                [] => throw new NotMappable($"a {group.Type} entry is read from a {typeof(T).Name}"),
                [var one] => (T)one.Resource,
                _ => throw new NotMappable($"a {group.Type} entry is read from one {typeof(T).Name}, and {found.Count} name entry " +
                    $"{group.EntryId}: {string.Join(", ", found.Select(r => r.Label))}; give each entry its own identifier"),
            };
        }

        private List<T> All<T>() where T : Resource => group.Resources.Select(r => r.Resource).OfType<T>().ToList();

        public List<JsonObject> Entries() => group.Type switch
        {
            "case-opened" => [CaseOpened()],
            "patient-died" => [PatientDied()],
            "biopsy-performed" => [Biopsy()],
            "surgery-performed" => [Surgery()],
            "embolization-performed" => [Embolization()],
            "radiotherapy-delivered" => Radiotherapy(),
            "systemic-therapy-started" => [Started()],
            "dose-adjusted" => [DoseAdjusted()],
            "systemic-therapy-stopped" => [Stopped()],
            "cycle-administered" => [Cycle()],
            "adverse-event-observed" => [AdverseEvent()],
            "response-assessed" => [Response()],
            "progression-observed" => [FromComponents(Only<Observation>(), ["scope", "sites", "newLesions"])],
            "biopsy-reread" => [Reread()],
            "molecular-test-reported" => [Molecular()],
            "follow-up-recorded" => [FollowUp()],
            "imaging-performed" => [FromComponents(Only<Observation>(), ["modality", "sites", "findings", "largestLesionMm"])],
            "pathology-reported" => [FromComponents(Only<Observation>(), ["specimen", "findings", "ki67Percent", "tumourPresent"])],
            "complication-occurred" => [FromComponents(Only<Observation>(), ["description", "grade"])],
            "treatment-decision-recorded" => [FromComponents(Only<Observation>(), ["treatment", "decision", "reason"])],
            _ => throw new NotMappable($"{group.Type} entries are not made from FHIR resources"),
        };

        /// <summary>type, entryId, the dates, the note and the estimated fields (those the resource lists without an entry prefix).</summary>
        private JsonObject Entry(DataType? date, string? note, string prefix = "")
        {
            var json = new JsonObject { ["type"] = group.Type, ["entryId"] = group.EntryId.ToString() };
            switch (date)
            {
                case FhirDateTime on:
                    json["occurredOn"] = on.Value;
                    break;
                case Period period:
                    json["occurredOn"] = period.Start;
                    if (period.End is not null) json["endedOn"] = period.End;
                    break;
            }
            if (note is not null) json["note"] = note;
            var estimated = ((DomainResource)First).GetExtensions(Estimated).Select(e => (e.Value as FhirString)?.Value).OfType<string>()
                .Where(f => prefix.Length == 0 ? !f.Contains('.') || !EntryTypes.ByName.ContainsKey(f[..f.IndexOf('.')]) : f.StartsWith(prefix, StringComparison.Ordinal))
                .Select(f => f[prefix.Length..]).ToList();
            if (estimated.Count > 0) json["estimated"] = new JsonArray([.. estimated.Select(f => (JsonNode)f)]);
            return json;
        }

        private static string? NoteOf(List<Annotation> notes) => notes.FirstOrDefault()?.Text;

        private JsonObject CaseOpened()
        {
            var patient = Only<Patient>();
            var json = Entry(patient.GetExtensionValue<FhirDateTime>(LedgerExtension + "occurredOn"), null);
            json["patientRef"] = patient.Identifier.FirstOrDefault(i => i.System == PatientRefSystem)?.Value;
            json["sex"] = patient.Gender?.ToString().ToLowerInvariant();
            if (patient.BirthDate is { } birth) json["birthYear"] = int.Parse(birth[..4], CultureInfo.InvariantCulture);
            return json;
        }

        private JsonObject PatientDied()
        {
            var patient = Only<Patient>();
            var json = Entry(patient.Deceased as FhirDateTime, null, $"{group.Type}.");
            if (patient.GetExtensionValue<FhirString>(LedgerExtension + "cause")?.Value is { } cause) json["cause"] = cause;
            foreach (var field in new[] { "diseaseRelated", "treatmentRelated" })
                if (patient.GetExtensionValue<FhirBoolean>(LedgerExtension + field)?.Value is { } value) json[field] = value;
            return json;
        }

        private JsonObject Biopsy()
        {
            var procedure = Only<Procedure>();
            var json = Entry(procedure.Performed, NoteOf(procedure.Note));
            var code = procedure.Code?.Text ?? "";
            json["technique"] = code.EndsWith(" biopsy", StringComparison.Ordinal) ? code[..^" biopsy".Length] : code;
            json["site"] = procedure.BodySite.FirstOrDefault()?.Text;
            if (procedure.GetExtensionValue<FhirString>(LedgerExtension + "diagnosis")?.Value is { } diagnosis) json["diagnosis"] = diagnosis;
            return json;
        }

        private JsonObject Surgery()
        {
            var procedure = Only<Procedure>();
            var json = Entry(procedure.Performed, NoteOf(procedure.Note));
            json["procedure"] = procedure.Code?.Text;
            json["site"] = procedure.BodySite.FirstOrDefault()?.Text;
            json["intent"] = procedure.GetExtensionValue<CodeableConcept>(ProcedureIntent)?.Text;
            json["margin"] = procedure.Outcome?.Text;
            return json;
        }

        private JsonObject Embolization()
        {
            var procedure = Only<Procedure>();
            var json = Entry(procedure.Performed, NoteOf(procedure.Note));
            json["site"] = procedure.BodySite.FirstOrDefault()?.Text;
            if (procedure.GetExtensionValue<Integer>(LedgerExtension + "vessels")?.Value is { } vessels) json["vessels"] = vessels;
            if (procedure.ReasonCode.FirstOrDefault()?.Text is { } reason) json["reason"] = reason;
            return json;
        }

        /// <summary>One entry per volume the course summary names, each with its dose (cGy back to Gy) and target.</summary>
        private List<JsonObject> Radiotherapy()
        {
            var procedure = Only<Procedure>();
            var doses = procedure.GetExtensions(DoseDeliveredToVolume).ToList();
            if (doses.Count == 0) throw new NotMappable($"a radiotherapy course summary needs a {DoseDeliveredToVolume} extension");
            var technique = procedure.GetExtension(ModalityAndTechnique)?.GetExtensionValue<CodeableConcept>(Technique);
            return doses.Select((dose, i) =>
            {
                var json = Entry(procedure.Performed, NoteOf(procedure.Note));
                // A course summary of several volumes makes several entries: the first keeps the entryId.
                if (i > 0) json.Remove("entryId");
                json["site"] = procedure.BodySite.FirstOrDefault()?.Text;
                json["technique"] = technique?.Text ?? "other";
                var total = dose.GetExtensionValue<Quantity>("totalDoseDelivered");
                json["totalDoseGy"] = total?.Value is { } value ? Normalized(total.Code == "Gy" ? value : value / 100) : null;
                json["fractions"] = dose.GetExtensionValue<UnsignedInt>("fractionsDelivered")?.Value;
                if (procedure.GetExtensionValue<CodeableConcept>(ProcedureIntent)?.Text is { } intent) json["intent"] = intent;
                if (dose.GetExtensionValue<ResourceReference>("volume")?.Reference is { } volume)
                {
                    var target = byUrl.TryGetValue(volume, out var held) ? (held as BodyStructure)?.Description : volume;
                    if (target is not null) json["target"] = target;
                }
                return json;
            }).ToList();
        }

        private JsonObject Started()
        {
            var requests = All<MedicationRequest>();
            if (requests.Count == 0) throw new NotMappable("a systemic-therapy-started entry is read from MedicationRequests");
            var first = requests[0];
            var json = Entry(first.DispenseRequest?.ValidityPeriod, NoteOf(first.Note));
            var regimen = first.GetExtensionValue<FhirString>(LedgerExtension + "regimen")?.Value ?? (first.Medication as CodeableConcept)?.Text;
            json["regimen"] = regimen;
            json["therapyClass"] = first.GetExtensionValue<Code>(LedgerExtension + "therapyClass")?.Value;
            foreach (var field in new[] { "access", "lineIntent" })
                if (first.GetExtensionValue<Code>(LedgerExtension + field)?.Value is { } value) json[field] = value;
            if (first.GetExtensionValue<FhirDecimal>(LedgerExtension + "bsaM2")?.Value is { } bsa) json["bsaM2"] = bsa;
            // The export names the regimen in a request of its own when no agent is given, and says so.
            if (first.GetExtensionValue<FhirBoolean>(LedgerExtension + "agentsGiven")?.Value != false)
                json["agents"] = new JsonArray([.. requests.Select(Agent)]);
            return json;
        }

        private static JsonNode Agent(MedicationRequest request)
        {
            var agent = new JsonObject { ["drug"] = (request.Medication as CodeableConcept)?.Text };
            if (request.DosageInstruction.FirstOrDefault() is { } dosage) AddDosage(agent, dosage);
            return agent;
        }

        private static void AddDosage(JsonObject json, Dosage dosage)
        {
            if (dosage.Text is { } frequency) json["frequency"] = frequency;
            foreach (var rate in dosage.DoseAndRate)
            {
                if (rate.Dose is not Quantity dose) continue;
                if (rate.Type?.Text == "dailyDoseMg") json["dailyDoseMg"] = dose.Value;
                else
                {
                    if (dose.Value is { } value) json["dose"] = value;
                    if (dose.Unit is { } unit) json["unit"] = unit;
                }
            }
        }

        private JsonObject DoseAdjusted()
        {
            var request = Only<MedicationRequest>();
            var json = Entry(request.DispenseRequest?.ValidityPeriod, NoteOf(request.Note));
            json["drug"] = (request.Medication as CodeableConcept)?.Text;
            json["direction"] = request.GetExtensionValue<Code>(LedgerExtension + "direction")?.Value;
            if (request.DosageInstruction.FirstOrDefault() is { } dosage) AddDosage(json, dosage);
            if (request.ReasonCode.FirstOrDefault()?.Text is { } reason) json["reason"] = reason;
            return json;
        }

        /// <summary>A stop is on each of its line's MedicationRequests (one per agent): read from each, they must agree.</summary>
        private JsonObject Stopped() => Agreeing(All<MedicationRequest>(), request =>
        {
            var json = Entry(request.DispenseRequest?.ValidityPeriod?.EndElement, NoteOf(request.Note));
            json["reason"] = request.StatusReason?.Text;
            if (request.GetExtensionValue<Integer>(LedgerExtension + "cyclesGiven")?.Value is { } cycles) json["cyclesGiven"] = cycles;
            return json;
        });

        /// <summary>
        /// An entry that several resources record alike, read from each: two that say different things would be two versions
        /// of it, one dropped unseen, so they are refused.
        /// </summary>
        private JsonObject Agreeing<T>(List<T> resources, Func<T, JsonObject> read) where T : Resource
        {
            if (resources.Count == 0) throw new NotMappable($"a {group.Type} entry is read from a {typeof(T).Name}");
            var entries = resources.Select(read).ToList();
            if (entries.Select(e => e.ToJsonString()).Distinct().Count() > 1)
                throw new NotMappable($"the {resources.Count} {typeof(T).Name}s that name {group.Type} entry {group.EntryId} say different things; " +
                    "give each entry its own identifier");
            return entries[0];
        }

        private JsonObject Cycle()
        {
            var administrations = All<MedicationAdministration>();
            if (administrations.Count == 0) throw new NotMappable("a cycle-administered entry is read from MedicationAdministrations");
            var first = administrations[0];
            var json = Entry(first.Effective, NoteOf(first.Note));
            json["cycle"] = first.GetExtensionValue<Integer>(LedgerExtension + "cycle")?.Value;
            if (first.GetExtensionValue<FhirDecimal>(LedgerExtension + "bsaM2")?.Value is { } bsa) json["bsaM2"] = bsa;
            json["doses"] = new JsonArray([.. administrations.Select(a => (JsonNode)new JsonObject
            {
                ["drug"] = (a.Medication as CodeableConcept)?.Text,
                ["amount"] = a.Dosage?.Dose?.Value,
                ["unit"] = a.Dosage?.Dose?.Unit,
            })]);
            return json;
        }

        private JsonObject AdverseEvent()
        {
            var adverse = Only<AdverseEvent>();
            var json = Entry(adverse.DateElement, null);
            json["term"] = adverse.Event?.Text;
            json["grade"] = adverse.GetExtensionValue<Integer>(LedgerExtension + "grade")?.Value;
            if (adverse.SuspectEntity.FirstOrDefault()?.Instance?.Display is { } drug) json["attributedTo"] = drug;
            return json;
        }

        private JsonObject Response()
        {
            var observation = Only<Observation>();
            var json = FromComponents(observation, ["description"]);
            json["response"] = (observation.Value as CodeableConcept)?.Text;
            json["method"] = observation.Method?.Text;
            return json;
        }

        /// <summary>The re-read from the Observation with its reviewer, its markers from the others.</summary>
        private JsonObject Reread()
        {
            var observations = All<Observation>();
            var summary = observations.FirstOrDefault(o => Component(o, "reviewer") is not null)
                ?? throw new NotMappable("a biopsy-reread entry is read from an Observation with a reviewer component");
            var json = FromComponents(summary, ["reviewer", "diagnosis"]);
            var markers = observations.Where(o => o != summary).Select(o =>
            {
                // A genomic variant (FISH, PCR, sequencing) names the marker by the gene studied, its result the alteration.
                var variant = o.Meta?.Profile.Contains(GenomicVariant) == true;
                var marker = new JsonObject { ["name"] = variant ? (CodedComponent(o, GeneStudiedCode)?.Value as CodeableConcept)?.Text : o.Code?.Text };
                if (o.Method?.Text is { } method) marker["method"] = method;
                var result = variant ? (CodedComponent(o, VariationCode)?.Value as CodeableConcept)?.Text : (o.Value as FhirString)?.Value;
                if (result is not null) marker["result"] = result;
                return (JsonNode)marker;
            }).ToList();
            if (markers.Count > 0) json["markers"] = new JsonArray([.. markers]);
            return json;
        }

        /// <summary>The test from the Observation with its method component, its findings from the variants (or IHC markers).</summary>
        private JsonObject Molecular()
        {
            var observations = All<Observation>();
            var summary = observations.FirstOrDefault(o => Component(o, "method") is not null)
                ?? throw new NotMappable("a molecular-test-reported entry is read from an Observation with a method component");
            var json = FromComponents(summary, ["method", "genes", "conclusive"]);
            var findings = observations.Where(o => o != summary).Select(o =>
            {
                var variant = o.Meta?.Profile.Contains(GenomicVariant) == true;
                var finding = new JsonObject
                {
                    ["gene"] = variant ? (CodedComponent(o, GeneStudiedCode)?.Value as CodeableConcept)?.Text : o.Code?.Text,
                };
                var alteration = variant ? (CodedComponent(o, VariationCode)?.Value as CodeableConcept)?.Text : (o.Value as FhirString)?.Value;
                if (alteration is not null) finding["alteration"] = alteration;
                var kind = variant ? (CodedComponent(o, MolecularConsequence)?.Value as CodeableConcept)?.Text : (Component(o, "kind")?.Value as FhirString)?.Value;
                if (kind is not null) finding["kind"] = kind;
                return (JsonNode)finding;
            }).ToList();
            if (findings.Count > 0) json["findings"] = new JsonArray([.. findings]);
            return json;
        }

        private JsonObject FollowUp()
        {
            var encounter = Only<Encounter>();
            var json = Entry(encounter.Period, null);
            // The export gives a visit of one date as a period from it to itself.
            if (json["endedOn"]?.GetValue<string>() == json["occurredOn"]?.GetValue<string>()) json.Remove("endedOn");
            json["vitalStatus"] = encounter.GetExtensionValue<Code>(LedgerExtension + "vitalStatus")?.Value;
            if (encounter.GetExtensionValue<Code>(LedgerExtension + "diseaseStatus")?.Value is { } status) json["diseaseStatus"] = status;
            return json;
        }

        /// <summary>An entry whose payload fields are components named by code.text (<c>sites</c> and <c>genes</c> repeat).</summary>
        private JsonObject FromComponents(Observation observation, string[] fields)
        {
            var json = Entry(observation.Effective, NoteOf(observation.Note));
            foreach (var field in fields)
            {
                var values = observation.Component.Where(c => c.Code?.Text == field && c.Code.Coding.Count == 0).Select(c => ValueOf(c.Value)).ToList();
                if (field is "sites" or "genes") { if (values.Count > 0) json[field] = new JsonArray([.. values]); }
                else if (values.Count > 0) json[field] = values[0];
            }
            return json;
        }

        private static Observation.ComponentComponent? Component(Observation observation, string field) =>
            observation.Component.FirstOrDefault(c => c.Code?.Text == field && c.Code.Coding.Count == 0);

        private static Observation.ComponentComponent? CodedComponent(Observation observation, string code) =>
            observation.Component.FirstOrDefault(c => c.Code?.Coding.Any(x => x.Code == code) == true);

        private static JsonNode? ValueOf(DataType? value) => value switch
        {
            FhirString text => text.Value,
            FhirBoolean flag => flag.Value,
            Quantity quantity => quantity.Value,
            Integer number => number.Value,
            _ => null,
        };
    }

    /// <summary>A decimal without trailing zeros (5400 cGy is 54 Gy, not 54.00), as the entry was given.</summary>
    private static decimal Normalized(decimal value) => value / 1.0000000000000000000000000000m;
}
