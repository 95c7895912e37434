using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;
using static TreatmentLedger.Api.Fhir.FhirTerms;

namespace TreatmentLedger.Api.Fhir;

/// <summary>
/// A case as a FHIR R4 Bundle of type collection shaped by mCODE STU4 (INTEROP.md): one or more resources per entry,
/// each with the entry's identifier (type.text = the entry type, which the import reads back), and the primary cancer
/// Condition derived from the biopsies. What a resource has no place for is listed, per entry, as a warning of an
/// OperationOutcome entry: nothing is dropped silently. Pure: the entries as the case's read routes see them in, the Bundle out.
/// </summary>
public static class FhirExport
{
    /// <param name="opening">The case-opened (corrections applied), which makes the Patient whatever asOf is.</param>
    /// <param name="entries">The effective entries visible at asOf/knownAt, in clinical order.</param>
    public static Bundle Of(CaseOpened opening, IReadOnlyList<EffectiveEntry> entries) => new Exporter(opening, entries).Build();

    /// <summary>The payload fields of each entry type that a resource carries; the others (and source) are listed as not mapped.</summary>
    private static readonly Dictionary<Type, string[]> Mapped = new()
    {
        [typeof(CaseOpened)] = ["patientRef", "sex", "birthYear"],
        [typeof(PatientDied)] = ["cause", "diseaseRelated", "treatmentRelated"],
        [typeof(ImagingPerformed)] = ["note", "endedOn", "modality", "sites", "findings", "largestLesionMm"],
        [typeof(BiopsyPerformed)] = ["note", "endedOn", "technique", "site", "diagnosis"],
        [typeof(BiopsyReread)] = ["note", "endedOn", "reviewer", "diagnosis", "markers"],
        [typeof(MolecularTestReported)] = ["note", "endedOn", "method", "genes", "findings", "conclusive"],
        [typeof(SurgeryPerformed)] = ["note", "endedOn", "procedure", "site", "intent", "margin"],
        [typeof(PathologyReported)] = ["note", "endedOn", "specimen", "findings", "ki67Percent", "tumourPresent"],
        [typeof(EmbolizationPerformed)] = ["note", "endedOn", "site", "vessels", "reason"],
        [typeof(RadiotherapyDelivered)] = ["note", "endedOn", "site", "technique", "totalDoseGy", "fractions", "intent", "target"],
        [typeof(SystemicTherapyStarted)] = ["note", "endedOn", "regimen", "therapyClass", "agents", "access", "lineIntent", "bsaM2"],
        [typeof(CycleAdministered)] = ["note", "cycle", "doses", "bsaM2"],
        [typeof(DoseAdjusted)] = ["note", "endedOn", "drug", "direction", "dose", "unit", "dailyDoseMg", "reason"],
        [typeof(SystemicTherapyStopped)] = ["note", "reason", "cyclesGiven"],
        [typeof(AdverseEventObserved)] = ["term", "grade", "attributedTo"],
        [typeof(ComplicationOccurred)] = ["note", "endedOn", "description", "grade"],
        [typeof(ResponseAssessed)] = ["note", "endedOn", "response", "method", "description"],
        [typeof(ProgressionObserved)] = ["note", "endedOn", "scope", "sites", "newLesions"],
        [typeof(TreatmentDecisionRecorded)] = ["note", "endedOn", "treatment", "decision", "reason"],
        [typeof(FollowUpRecorded)] = ["endedOn", "vitalStatus", "diseaseStatus"],
    };

    /// <summary>Fields every resource made from an entry carries: its identifier, date and estimated fields.</summary>
    private static readonly string[] Always = ["type", "entryId", "occurredOn", "estimated"];

    /// <summary>The names of an entry's fields that its resources do not carry.</summary>
    public static IReadOnlyList<string> NotMapped(ClinicalEntry entry) =>
        EntryJson.Write(entry).Select(f => f.Key).Where(f => !Always.Contains(f) && !Mapped[entry.GetType()].Contains(f)).ToList();

    /// <summary>
    /// What the primary cancer Condition is made from: the entry that gives the diagnosis as last re-read (null without
    /// one: no Condition), and the first biopsy, whose date is the onset and whose site the body site.
    /// </summary>
    public static (ClinicalEntry? Diagnosed, BiopsyPerformed? FirstBiopsy) ConditionSources(IReadOnlyList<EffectiveEntry> entries) =>
        (Diagnosis.TextEntryOf(entries)?.Entry, entries.Select(e => e.Entry).OfType<BiopsyPerformed>().FirstOrDefault());

    /// <summary>What the primary cancer Condition says: the diagnosis, its onset and body site (null when there is no Condition).</summary>
    public static (string Code, string? Onset, string? Site)? ConditionFacts(IReadOnlyList<EffectiveEntry> entries)
    {
        var (diagnosed, firstBiopsy) = ConditionSources(entries);
        if (diagnosed is null) return null;
        return (Diagnosis.Of(entries)!.Text!, firstBiopsy?.Date.ToString(), firstBiopsy?.Site);
    }

    private sealed class Exporter
    {
        private readonly CaseOpened _opening;
        private readonly IReadOnlyList<EffectiveEntry> _entries;
        private readonly ResourceReference _patient;
        private readonly Guid? _conditionId;
        private readonly ResourceReference? _condition;
        private readonly Dictionary<Guid, LineState> _lineOf = [];
        private readonly Bundle _bundle = new() { Type = Hl7.Fhir.Model.Bundle.BundleType.Collection };
        private readonly OperationOutcome _notMapped = new();

        public Exporter(CaseOpened opening, IReadOnlyList<EffectiveEntry> entries)
        {
            _opening = opening;
            _entries = entries;
            _patient = new ResourceReference(UrnOf(opening.EntryId));
            foreach (var line in LineFold.Fold(entries))
            {
                foreach (var start in line.Starts) _lineOf[start.EntryId] = line;
                foreach (var change in line.DoseChanges) _lineOf[change.EntryId] = line;
                if (line.StoppedBy is SystemicTherapyStopped stop) _lineOf[stop.EntryId] = line;
            }
            if (Diagnosis.TextEntryOf(entries) is { } diagnosed)
            {
                _conditionId = ResourceId(diagnosed.Entry.EntryId, "condition");
                _condition = new ResourceReference(UrnOf(_conditionId.Value));
            }
        }

        public Bundle Build()
        {
            Add(Patient(), _opening, "");
            if (_condition is not null) Add(Condition(), null, "");
            foreach (var effective in _entries)
            {
                var entry = effective.Entry;
                if (entry is CaseOpened) continue;
                var resources = ResourcesOf(entry).ToList();
                for (var i = 0; i < resources.Count; i++) Add(resources[i], entry, i == 0 ? "" : i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            ListNotMapped(_opening);
            foreach (var effective in _entries.Where(e => e.Entry is not CaseOpened)) ListNotMapped(effective.Entry);
            if (_notMapped.Issue.Count > 0) _bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = UrnOf(ResourceId(_opening.EntryId, "not-mapped")), Resource = _notMapped });
            return _bundle;
        }

        private void Add(Resource resource, ClinicalEntry? entry, string part)
        {
            // Resources made from an entry were given their ids when they were built (they reference each other).
            if (resource.Id is null) resource.Id = ResourceId(entry!.EntryId, part).ToString();
            _bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = $"urn:uuid:{resource.Id}", Resource = resource });
        }

        private void ListNotMapped(ClinicalEntry entry)
        {
            var fields = NotMapped(entry);
            if (fields.Count == 0) return;
            _notMapped.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Warning,
                Code = OperationOutcome.IssueType.NotSupported,
                Diagnostics = $"{entry.Type} {entry.EntryId}: {string.Join(", ", fields)} not mapped to FHIR",
            });
        }

        private IEnumerable<Resource> ResourcesOf(ClinicalEntry entry) => entry switch
        {
            PatientDied => [],
            BiopsyPerformed biopsy => [Biopsy(biopsy)],
            SurgeryPerformed surgery => [Surgery(surgery)],
            EmbolizationPerformed embolization => [Embolization(embolization)],
            RadiotherapyDelivered radiotherapy => Radiotherapy(radiotherapy),
            SystemicTherapyStarted started => Started(started),
            DoseAdjusted adjusted => [DoseAdjustment(adjusted)],
            SystemicTherapyStopped stopped => Stopped(stopped),
            CycleAdministered cycle => cycle.Doses.Select(d => Administration(cycle, d)),
            AdverseEventObserved adverse => [AdverseEvent(adverse)],
            ResponseAssessed response => [DiseaseStatusOf(response, TrendOf(response.Response), response.Response)],
            ProgressionObserved progression => [DiseaseStatusOf(progression, Worsened, "progression", "scope", "sites", "newLesions")],
            BiopsyReread reread => Reread(reread),
            MolecularTestReported test => Molecular(test),
            FollowUpRecorded followUp => [Encounter(followUp)],
            ImagingPerformed imaging => [PayloadObservation(imaging, Text("imaging"), "modality", "sites", "findings", "largestLesionMm")],
            PathologyReported pathology => [PayloadObservation(pathology, Text("pathology report"), "specimen", "findings", "ki67Percent", "tumourPresent")],
            ComplicationOccurred complication => [PayloadObservation(complication, Text("complication"), "description", "grade")],
            TreatmentDecisionRecorded decision => [PayloadObservation(decision, Text("treatment decision"), "treatment", "decision", "reason")],
            _ => throw new InvalidOperationException($"no FHIR mapping for {entry.Type}"),
        };

        private Patient Patient()
        {
            var patient = new Patient
            {
                Id = _opening.EntryId.ToString(),
                Meta = Profiled(CancerPatient),
                Identifier = [new Identifier(PatientRefSystem, _opening.PatientRef), EntryIdentifier(_opening)],
                // A pseudonym has no name: the name US Core requires is masked.
                Name = [new HumanName { Extension = [new Extension(DataAbsentReason, new Code("masked"))] }],
                Gender = _opening.Sex switch
                {
                    "female" => AdministrativeGender.Female,
                    "male" => AdministrativeGender.Male,
                    "other" => AdministrativeGender.Other,
                    _ => AdministrativeGender.Unknown,
                },
                BirthDate = _opening.BirthYear?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            patient.Extension.Add(Ledger("occurredOn", DateTime(_opening.Date)));
            AddEstimated(patient, _opening);
            if (_entries.Select(e => e.Entry).OfType<PatientDied>().FirstOrDefault() is { } death)
            {
                patient.Deceased = DateTime(death.Date);
                patient.Identifier.Add(EntryIdentifier(death));
                if (death.Cause is not null) patient.Extension.Add(Ledger("cause", new FhirString(death.Cause)));
                if (death.DiseaseRelated is { } disease) patient.Extension.Add(Ledger("diseaseRelated", new FhirBoolean(disease)));
                if (death.TreatmentRelated is { } treatment) patient.Extension.Add(Ledger("treatmentRelated", new FhirBoolean(treatment)));
                AddEstimated(patient, death, $"{death.Type}.");
            }
            return patient;
        }

        /// <summary>
        /// The diagnosis as last re-read, from the first biopsy's date, at its site; identified by the entries it is made from
        /// (the entry that gives the diagnosis, and the first biopsy), and marked where those rest on estimates.
        /// </summary>
        private Condition Condition()
        {
            var (diagnosed, firstBiopsy) = ConditionSources(_entries);
            var condition = new Condition
            {
                Id = _conditionId.ToString(),
                Meta = Profiled(PrimaryCancerCondition),
                Identifier = [EntryIdentifier(diagnosed!)],
                Category = [new CodeableConcept(ConditionCategory, "problem-list-item")],
                Code = new CodeableConcept { Text = Diagnosis.Of(_entries)!.Text },
                Subject = _patient,
            };
            if (diagnosed!.Estimated?.Contains("diagnosis") == true) condition.Extension.Add(new Extension(Estimated, new FhirString($"{diagnosed.Type}.diagnosis")));
            if (firstBiopsy is not null)
            {
                if (firstBiopsy.EntryId != diagnosed.EntryId) condition.Identifier.Add(EntryIdentifier(firstBiopsy));
                condition.Onset = DateTime(firstBiopsy.Date);
                condition.BodySite = [Text(firstBiopsy.Site)];
                foreach (var field in new[] { "occurredOn", "site" }.Where(f => firstBiopsy.Estimated?.Contains(f) == true))
                    condition.Extension.Add(new Extension(Estimated, new FhirString($"{firstBiopsy.Type}.{field}")));
            }
            return condition;
        }

        private Procedure Biopsy(BiopsyPerformed biopsy)
        {
            var procedure = Procedure(biopsy, SurgicalProcedure, $"{biopsy.Technique} biopsy", biopsy.Site);
            // outcome.text is the margin of a resection (INTEROP.md), which a biopsy has not: its diagnosis, what the
            // Condition is derived from, rides in an extension of the ledger's.
            if (biopsy.Diagnosis is not null) procedure.Extension.Add(new Extension(LedgerExtension + "diagnosis", new FhirString(biopsy.Diagnosis)));
            return procedure;
        }

        private Procedure Surgery(SurgeryPerformed surgery)
        {
            var procedure = Procedure(surgery, SurgicalProcedure, surgery.Procedure, surgery.Site);
            procedure.Outcome = Text(surgery.Margin);
            procedure.Extension.Add(new Extension(ProcedureIntent, Coded(Snomed, IntentCode(surgery.Intent), surgery.Intent)));
            return procedure;
        }

        private Procedure Embolization(EmbolizationPerformed embolization)
        {
            var procedure = Procedure(embolization, null, "embolization", embolization.Site);
            if (embolization.Reason is not null) procedure.ReasonCode = [Text(embolization.Reason)];
            if (embolization.Vessels is { } vessels) procedure.Extension.Add(Ledger("vessels", new Integer(vessels)));
            return procedure;
        }

        /// <summary>The course summary and the volume it treated (named by the target, else by the site).</summary>
        private IEnumerable<Resource> Radiotherapy(RadiotherapyDelivered radiotherapy)
        {
            var volumeId = ResourceId(radiotherapy.EntryId, "volume");
            var volume = new BodyStructure
            {
                Id = volumeId.ToString(),
                Meta = Profiled(RadiotherapyVolume),
                // mCODE allows one identifier here, its display name: the volume is found through the course summary's reference.
                Identifier = [new Identifier { Use = Identifier.IdentifierUse.Usual, Value = radiotherapy.Target ?? radiotherapy.Site }],
                Description = radiotherapy.Target,
                Location = Text(radiotherapy.Site),
                Patient = _patient,
            };
            var procedure = Procedure(radiotherapy, RadiotherapyCourseSummary, null, radiotherapy.Site);
            procedure.Code = new CodeableConcept(Snomed, RadiotherapyCourseCode) { Text = "radiotherapy course" };
            // The course summary profile takes a period only: a course without an end date is a period with its start alone.
            procedure.Performed = PeriodOf(radiotherapy.Date, radiotherapy.EndedOn);
            var modalityAndTechnique = new Extension { Url = ModalityAndTechnique };
            modalityAndTechnique.Extension.Add(new Extension(Modality, new CodeableConcept(Snomed, PhotonModality)));
            modalityAndTechnique.Extension.Add(new Extension(Technique, TechniqueCode(radiotherapy.Technique) is { } code
                ? new CodeableConcept(Snomed, code) { Text = radiotherapy.Technique }
                : new CodeableConcept(NullFlavor, "UNC") { Text = radiotherapy.Technique }));
            procedure.Extension.Add(modalityAndTechnique);
            var dose = new Extension { Url = DoseDeliveredToVolume };
            dose.Extension.Add(new Extension("volume", new ResourceReference(UrnOf(volumeId))));
            dose.Extension.Add(new Extension("totalDoseDelivered", new Quantity(radiotherapy.TotalDoseGy * 100, "cGy", Ucum) { Unit = "cGy" }));
            dose.Extension.Add(new Extension("fractionsDelivered", new UnsignedInt(radiotherapy.Fractions)));
            procedure.Extension.Add(dose);
            if (radiotherapy.Intent is not null)
                procedure.Extension.Add(new Extension(ProcedureIntent, Coded(Snomed, IntentCode(radiotherapy.Intent), radiotherapy.Intent)));
            return [procedure, volume];
        }

        private Procedure Procedure(ClinicalEntry entry, string? profile, string? code, string site)
        {
            var procedure = new Procedure
            {
                Meta = profile is null ? null : Profiled(profile),
                Identifier = [EntryIdentifier(entry)],
                Status = EventStatus.Completed,
                Code = code is null ? null : Text(code),
                Subject = _patient,
                Performed = Period(entry),
                BodySite = [Text(site)],
                Note = Notes(entry),
            };
            if (profile is not null && _condition is not null) procedure.ReasonReference = [_condition];
            AddEstimated(procedure, entry);
            return procedure;
        }

        /// <summary>One request per agent (one naming the regimen when no agent is given), with the line's status.</summary>
        private IEnumerable<Resource> Started(SystemicTherapyStarted started)
        {
            var agents = started.Agents is { Count: > 0 } given ? given : [new Agent(started.Regimen, null, null, null, null)];
            var line = _lineOf.GetValueOrDefault(started.EntryId);
            foreach (var agent in agents)
            {
                var request = Request(started, started.TherapyClass == LineFold.Supportive ? null : MedicationRequestProfile, agent.Drug,
                    Dosage(agent.Dose, agent.Unit, agent.Frequency, agent.DailyDoseMg));
                request.Status = line is null
                    ? started.EndedOn is null ? MedicationRequest.MedicationrequestStatus.Active : MedicationRequest.MedicationrequestStatus.Completed
                    : StatusOf(line);
                request.DispenseRequest = new MedicationRequest.DispenseRequestComponent { ValidityPeriod = PeriodOf(started.Date, started.EndedOn) };
                request.Extension.Add(Ledger("regimen", new FhirString(started.Regimen)));
                request.Extension.Add(Ledger("therapyClass", new Code(started.TherapyClass)));
                if (started.Access is not null) request.Extension.Add(Ledger("access", new Code(started.Access)));
                if (started.LineIntent is not null) request.Extension.Add(Ledger("lineIntent", new Code(started.LineIntent)));
                if (started.BsaM2 is { } bsa) request.Extension.Add(Ledger("bsaM2", new FhirDecimal(bsa)));
                if (started.Agents is not { Count: > 0 }) request.Extension.Add(Ledger("agentsGiven", new FhirBoolean(false)));
                yield return request;
            }
        }

        private MedicationRequest DoseAdjustment(DoseAdjusted adjusted)
        {
            var request = Request(adjusted, MedicationRequestProfile, adjusted.Drug, Dosage(adjusted.Dose, adjusted.Unit, null, adjusted.DailyDoseMg));
            // INTEROP.md's statuses (active/completed/stopped): the line's, an interruption included (R4's on-hold is not
            // among them); the direction extension says it was interrupted.
            request.Status = _lineOf.TryGetValue(adjusted.EntryId, out var line) ? StatusOf(line) : MedicationRequest.MedicationrequestStatus.Active;
            request.DispenseRequest = new MedicationRequest.DispenseRequestComponent { ValidityPeriod = PeriodOf(adjusted.Date, adjusted.EndedOn) };
            request.Extension.Add(Ledger("direction", new Code(adjusted.Direction)));
            if (adjusted.Reason is not null) request.ReasonCode = [Text(adjusted.Reason)];
            return request;
        }

        /// <summary>One request per agent of the line it stops, from the line's start to the stop, with the stop reason.</summary>
        private IEnumerable<Resource> Stopped(SystemicTherapyStopped stopped)
        {
            var line = _lineOf[stopped.EntryId];
            foreach (var drug in line.Agents.Count > 0 ? line.Agents.Select(a => a.Drug) : [line.Regimen])
            {
                var request = Request(stopped, MedicationRequestProfile, drug, null);
                request.Status = stopped.Reason == "completed" ? MedicationRequest.MedicationrequestStatus.Completed : MedicationRequest.MedicationrequestStatus.Stopped;
                request.StatusReason = Text(stopped.Reason);
                request.DispenseRequest = new MedicationRequest.DispenseRequestComponent
                {
                    ValidityPeriod = new Period { StartElement = DateTime(line.StartedOn), EndElement = DateTime(stopped.Date) },
                };
                if (stopped.CyclesGiven is { } cycles) request.Extension.Add(Ledger("cyclesGiven", new Integer(cycles)));
                yield return request;
            }
        }

        private static MedicationRequest.MedicationrequestStatus StatusOf(LineState line) => line switch
        {
            { Active: true } => MedicationRequest.MedicationrequestStatus.Active,
            { StopReason: "completed" } => MedicationRequest.MedicationrequestStatus.Completed,
            _ => MedicationRequest.MedicationrequestStatus.Stopped,
        };

        /// <summary>
        /// A request of the course as it was given: intent <c>plan</c> (an order would need a requester, which the ledger
        /// does not know).
        /// </summary>
        private MedicationRequest Request(ClinicalEntry entry, string? profile, string drug, Dosage? dosage)
        {
            var request = new MedicationRequest
            {
                Meta = profile is null ? null : Profiled(profile),
                Identifier = [EntryIdentifier(entry)],
                Intent = MedicationRequest.MedicationRequestIntent.Plan,
                Medication = Text(drug),
                Subject = _patient,
                DosageInstruction = dosage is null ? [] : [dosage],
                Note = Notes(entry),
            };
            if (profile is not null && _condition is not null) request.ReasonReference = [_condition];
            AddEstimated(request, entry);
            return request;
        }

        /// <summary>The dose as given (its text the frequency) and the daily dose in mg, each a dose of its own type.</summary>
        private static Dosage? Dosage(decimal? dose, string? unit, string? frequency, decimal? dailyDoseMg)
        {
            if (dose is null && unit is null && frequency is null && dailyDoseMg is null) return null;
            var dosage = new Dosage { Text = frequency };
            if (dose is not null || unit is not null)
                dosage.DoseAndRate.Add(new Dosage.DoseAndRateComponent { Type = Text("dose"), Dose = new Quantity { Value = dose, Unit = unit } });
            if (dailyDoseMg is { } daily)
                dosage.DoseAndRate.Add(new Dosage.DoseAndRateComponent { Type = Text("dailyDoseMg"), Dose = new Quantity(daily, "mg", Ucum) { Unit = "mg" } });
            return dosage;
        }

        private MedicationAdministration Administration(CycleAdministered cycle, AdministeredDose dose)
        {
            var administration = new MedicationAdministration
            {
                Meta = Profiled(MedicationAdministrationProfile),
                Identifier = [EntryIdentifier(cycle)],
                Status = MedicationAdministration.MedicationAdministrationStatusCodes.Completed,
                Medication = Text(dose.Drug),
                Subject = _patient,
                Effective = DateTime(cycle.Date),
                Dosage = new MedicationAdministration.DosageComponent { Dose = new Quantity { Value = dose.Amount, Unit = dose.Unit } },
                Note = Notes(cycle),
            };
            if (_condition is not null) administration.ReasonReference = [_condition];
            administration.Extension.Add(Ledger("cycle", new Integer(cycle.Cycle)));
            if (cycle.BsaM2 is { } bsa) administration.Extension.Add(Ledger("bsaM2", new FhirDecimal(bsa)));
            AddEstimated(administration, cycle);
            return administration;
        }

        /// <summary>The CTCAE grade has no element in R4's AdverseEvent (its severity is mild/moderate/severe): an extension.</summary>
        private AdverseEvent AdverseEvent(AdverseEventObserved adverse)
        {
            var adverseEvent = new AdverseEvent
            {
                Identifier = EntryIdentifier(adverse),
                Actuality = Hl7.Fhir.Model.AdverseEvent.AdverseEventActuality.Actual,
                Subject = _patient,
                Event = Text(adverse.Term),
                DateElement = DateTime(adverse.Date),
            };
            adverseEvent.Extension.Add(Ledger("grade", new Integer(adverse.Grade)));
            if (adverse.AttributedTo is not null)
                adverseEvent.SuspectEntity = [new AdverseEvent.SuspectEntityComponent { Instance = new ResourceReference { Display = adverse.AttributedTo } }];
            AddEstimated(adverseEvent, adverse);
            return adverseEvent;
        }

        /// <summary>A disease status: the trend as SNOMED CT (text: the ledger's value), the other fields as components.</summary>
        private Observation DiseaseStatusOf(ClinicalEntry entry, string trend, string text, params string[] fields)
        {
            var observation = PayloadObservation(entry, new CodeableConcept(Loinc, DiseaseStatusCode) { Text = "cancer disease status" }, fields);
            observation.Meta = Profiled(DiseaseStatus);
            observation.Value = new CodeableConcept(Snomed, trend) { Text = text };
            if (entry is ResponseAssessed response)
            {
                observation.Method = Text(response.Method);
                if (response.Description is not null) observation.Component.Add(Component("description", new FhirString(response.Description)));
            }
            if (_condition is not null) observation.Focus = [_condition];
            return observation;
        }

        /// <summary>
        /// The re-read (reviewer and diagnosis), then one Observation per marker: mCODE's genomic variant for a FISH, PCR or
        /// sequencing finding (the marker's name the gene, its result the alteration), its tumor marker test for IHC.
        /// </summary>
        private IEnumerable<Resource> Reread(BiopsyReread reread)
        {
            yield return PayloadObservation(reread, Text("biopsy re-read"), "reviewer", "diagnosis");
            foreach (var marker in reread.Markers ?? [])
                yield return IsGenomic(marker.Method)
                    ? Variant(reread, marker.Name, marker.Method!, marker.Result, null)
                    : Marker(reread, marker.Name, marker.Method, marker.Result);
        }

        /// <summary>Whether a marker's method finds genomic variants (INTEROP.md: FISH, PCR, NGS; whole-genome sequencing too).</summary>
        public static bool IsGenomic(string? method) =>
            method is not null && (method is "FISH" or "PCR" or "WGS" || method.StartsWith("NGS", StringComparison.Ordinal));

        /// <summary>The test (method, genes, conclusive), then one Observation per finding: a genomic variant, or a tumor marker test for IHC.</summary>
        private IEnumerable<Resource> Molecular(MolecularTestReported test)
        {
            var report = PayloadObservation(test, Text("molecular test"), "method", "genes", "conclusive");
            yield return report;
            foreach (var finding in test.Findings ?? [])
            {
                if (test.Method == "IHC")
                {
                    yield return Marker(test, finding.Gene, test.Method, finding.Alteration, finding.Kind);
                    continue;
                }
                yield return Variant(test, finding.Gene, test.Method, finding.Alteration, finding.Kind);
            }
        }

        /// <summary>mCODE's genomic variant: the gene studied, the alteration and its kind as coded components.</summary>
        private Observation Variant(ClinicalEntry entry, string gene, string method, string? alteration, string? kind)
        {
            var variant = LabObservation(entry, GenomicVariant, new CodeableConcept(Loinc, VariantCode) { Text = "genetic variant" });
            variant.Method = Text(method);
            variant.Component.Add(new Observation.ComponentComponent { Code = new CodeableConcept(Loinc, GeneStudiedCode) { Text = "gene" }, Value = Text(gene) });
            if (alteration is not null)
                variant.Component.Add(new Observation.ComponentComponent { Code = new CodeableConcept(Loinc, VariationCode) { Text = "alteration" }, Value = Text(alteration) });
            if (kind is not null)
                variant.Component.Add(new Observation.ComponentComponent { Code = new CodeableConcept(GenomicsCodes, MolecularConsequence) { Text = "kind" }, Value = Text(kind) });
            return variant;
        }

        /// <summary>A marker: its name as code, its result as value; mCODE's tumor marker test when done by IHC and a result is given.</summary>
        private Observation Marker(ClinicalEntry entry, string name, string? method, string? result, string? kind = null)
        {
            var profiled = method == "IHC" && result is not null;
            var marker = LabObservation(entry, profiled ? TumorMarkerTest : null, Text(name));
            if (method is not null) marker.Method = Text(method);
            if (result is not null) marker.Value = new FhirString(result);
            else marker.DataAbsentReason = new CodeableConcept("http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown");
            if (kind is not null) marker.Component.Add(Component("kind", new FhirString(kind)));
            if (profiled && entry.Date.Precision != DatePrecision.Day)
                // US Core's lab observations want a day in effectiveDateTime: a date known to the month or year is the period it names.
                marker.Effective = new Period { StartElement = DateTime(entry.Date), EndElement = DateTime(entry.Date) };
            return marker;
        }

        private Observation LabObservation(ClinicalEntry entry, string? profile, CodeableConcept code)
        {
            var observation = new Observation
            {
                Meta = profile is null ? null : Profiled(profile),
                Identifier = [EntryIdentifier(entry)],
                Status = ObservationStatus.Final,
                Category = [new CodeableConcept(ObservationCategory, "laboratory")],
                Code = code,
                Subject = _patient,
                Effective = DateTime(entry.Date),
                Note = Notes(entry),
            };
            AddEstimated(observation, entry);
            return observation;
        }

        /// <summary>An Observation named by <paramref name="code"/> with a component per payload field, its code.text the field's name.</summary>
        private Observation PayloadObservation(ClinicalEntry entry, CodeableConcept code, params string[] fields)
        {
            var payload = EntryJson.Write(entry);
            var observation = new Observation
            {
                Identifier = [EntryIdentifier(entry)],
                Status = ObservationStatus.Final,
                Code = code,
                Subject = _patient,
                Effective = Period(entry),
                Note = Notes(entry),
            };
            foreach (var field in fields)
            {
                switch (payload[field])
                {
                    case JsonArray items:
                        foreach (var item in items) observation.Component.Add(Component(field, ValueOf(item!)));
                        break;
                    case { } value:
                        observation.Component.Add(Component(field, ValueOf(value)));
                        break;
                }
            }
            AddEstimated(observation, entry);
            return observation;
        }

        private static Observation.ComponentComponent Component(string field, DataType value) => new() { Code = Text(field), Value = value };

        private static DataType ValueOf(JsonNode value) => value.GetValueKind() switch
        {
            JsonValueKind.True or JsonValueKind.False => new FhirBoolean(value.GetValue<bool>()),
            // Observation.component.value[x] has no decimal: a number is a Quantity without a unit.
            JsonValueKind.Number => new Quantity { Value = value.GetValue<decimal>() },
            _ => new FhirString(value.GetValue<string>()),
        };

        private Encounter Encounter(FollowUpRecorded followUp)
        {
            var encounter = new Encounter
            {
                Identifier = [EntryIdentifier(followUp)],
                Status = Hl7.Fhir.Model.Encounter.EncounterStatus.Finished,
                Class = new Coding(ActCode, "AMB"),
                Subject = _patient,
                Period = PeriodOf(followUp.Date, followUp.EndedOn ?? followUp.Date),
            };
            encounter.Extension.Add(Ledger("vitalStatus", new Code(followUp.VitalStatus)));
            if (followUp.DiseaseStatus is not null) encounter.Extension.Add(Ledger("diseaseStatus", new Code(followUp.DiseaseStatus)));
            AddEstimated(encounter, followUp);
            return encounter;
        }

        private static Identifier EntryIdentifier(ClinicalEntry entry) =>
            new(EntrySystem, entry.EntryId.ToString()) { Type = Text(entry.Type) };

        private static Meta Profiled(string profile) => new() { Profile = [profile] };

        private static CodeableConcept Text(string text) => new() { Text = text };

        private static CodeableConcept Coded(string system, string? code, string text) =>
            code is null ? Text(text) : new CodeableConcept(system, code) { Text = text };

        private static Extension Ledger(string field, DataType value) => new(LedgerExtension + field, value);

        private static List<Annotation> Notes(ClinicalEntry entry) => entry.Note is null ? [] : [new Annotation { Text = new Markdown(entry.Note) }];

        /// <summary>The entry's date, or the period from it to its endedOn.</summary>
        private static DataType Period(ClinicalEntry entry) =>
            entry.EndedOn is { } ended ? PeriodOf(entry.Date, ended) : DateTime(entry.Date);

        private static Period PeriodOf(ClinicalDate start, ClinicalDate? end) =>
            new() { StartElement = DateTime(start), EndElement = end is { } e ? DateTime(e) : null };

        /// <param name="prefix">Names the entry when the resource is made from two (the Patient: <c>patient-died.occurredOn</c>).</param>
        private static void AddEstimated(DomainResource resource, ClinicalEntry entry, string prefix = "")
        {
            // An estimate of a field the resource does not carry is listed with that field as not mapped.
            var notMapped = NotMapped(entry);
            foreach (var field in (entry.Estimated ?? []).Where(f => !notMapped.Contains(f.Split('.', '[')[0])))
                resource.Extension.Add(new Extension(Estimated, new FhirString(prefix + field)));
        }
    }
}
