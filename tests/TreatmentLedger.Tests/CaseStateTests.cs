using System.Text.Json;
using System.Text.Json.Nodes;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Recording;
using TreatmentLedger.Tests.Support;

namespace TreatmentLedger.Tests;

/// <summary>
/// The compact write model: the state folded append by append equals the state of the whole history, and a request
/// judged against the state and the entries it names is decided exactly as against the whole case, after any
/// corrections and retractions: on generated histories and on the founding case.
/// </summary>
public sealed class CaseStateTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A case recorded the way the ledger records it: every request decided by <see cref="RecordingPlan"/> on the whole
    /// case, what it accepts appended, and the compact state folded append by append as the inline projection does.
    /// </summary>
    private sealed class Ledger
    {
        private readonly List<RecordedEntry> _recorded = [];

        /// <summary>Every entry appended, with the version a correction corrects, as the store keeps them.</summary>
        public List<AppendedEntry> Appended { get; } = [];

        public CaseState? State { get; private set; }

        public CaseHistory History => new(_recorded);

        /// <summary>Records the request if the whole case accepts it; answers whether it did.</summary>
        public bool Record(IReadOnlyList<Entry> request)
        {
            var ids = new Queue<Guid>(Enumerable.Range(1, request.Count).Select(_ => Guid.NewGuid()));
            var (plan, refusal) = RecordingPlan.Decide(Full(), request, Now, ids.Dequeue);
            if (refusal is not null) return false;
            var appended = new List<AppendedEntry>();
            foreach (var planned in plan.Where(p => p.IsNew))
            {
                var version = _recorded.Count + 1;
                var recorded = new RecordedEntry(planned.Entry, version, version, Now.AddMinutes(version), "tester", null);
                _recorded.Add(recorded);
                appended.Add(new AppendedEntry(recorded with { Sequence = null }, planned.TargetVersion));
            }
            if (appended.Count > 0) State = CaseState.Fold(Guid.Empty, State, appended);
            Appended.AddRange(appended);
            return true;
        }

        public CaseContext Full() => CaseContext.Of(Guid.Empty, History);

        /// <summary>
        /// What a writer loads: the state, the recorded clinical entries with the entryIds the request names, and their
        /// latest correction and retraction.
        /// </summary>
        public CaseContext Compact(IReadOnlyList<Entry> request)
        {
            var ids = CaseContext.NamedBy(request);
            var named = _recorded.Where(r => r.Entry is ClinicalEntry && ids.Contains(r.Entry.EntryId)).ToList();
            var found = named.Select(r => r.Entry.EntryId).ToHashSet();
            return new CaseContext(State, named, CaseContext.AmendmentsOf(_recorded).Where(a => found.Contains(a.Entry.EntryId)).ToList());
        }

        /// <summary>
        /// What a writer judges a request against: the compact context, or the whole case when the request needs it (it
        /// amends a start, a stop or a death, or adds a stop or a death anchored before an entry of the case).
        /// </summary>
        public CaseContext Writer(IReadOnlyList<Entry> request)
        {
            var compact = Compact(request);
            var ending = CaseContext.EarliestEnding(request);
            var anchoredAfter = ending is { } day && _recorded.Any(r => AnchorOf(r.Entry) > day);
            return compact.NeedsWholeCase(request) || anchoredAfter ? Full() : compact;
        }

        /// <summary>An entry's anchor as the store reads it: a correction's, its replacement's; a retraction has none.</summary>
        private static DateOnly? AnchorOf(Entry entry) => entry switch
        {
            EntryCorrected corrected => corrected.ClinicalReplacement.Date.Anchor,
            ClinicalEntry clinical => clinical.Date.Anchor,
            _ => null,
        };
    }

    [Fact]
    public void On_generated_histories_the_folded_state_equals_the_state_of_the_whole_history_and_every_request_is_decided_alike_and_the_case_file_is_accepted_again()
    {
        var requestsCompared = 0;
        var refusalsCompared = 0;
        for (var seed = 1; seed <= 40; seed++)
        {
            var rng = new Random(seed);
            var ledger = new Ledger();
            Assert.True(ledger.Record([E.Opened("2010-01")]));
            for (var step = 0; step < 120; step++)
            {
                var request = Requests.Next(rng, ledger.History);
                (requestsCompared, refusalsCompared) = Compare(ledger, request, requestsCompared, refusalsCompared);
                ledger.Record(request);
                AssertSameState(ledger);
            }
            // What the ledger accepted request by request, it accepts again as one case file: its export, imported.
            var replay = RecordingPlan.Decide(CaseContext.NewCase, ledger.History.Recorded.Select(r => r.Entry).ToList(), Now, Guid.NewGuid);
            Assert.True(replay.Refusal is null, $"seed {seed}: the case file is refused at entry {replay.Refusal?.Index}: {replay.Refusal?.Detail}");
        }
        // The generator makes both kinds of answer often enough for the comparison to mean something.
        Assert.True(requestsCompared > 3000, $"{requestsCompared} requests compared");
        Assert.True(refusalsCompared > 500, $"{refusalsCompared} refusals compared");
    }

    [Fact]
    public void On_the_founding_case_with_corrections_and_retractions_the_state_and_every_decision_match_the_whole_case()
    {
        var file = JsonNode.Parse(File.ReadAllText(Repository.File("ops/demo/imt-alk-case.json")))!;
        var errors = new ValidationErrors();
        var opening = (JsonObject)file["case"]!.DeepClone();
        opening["type"] = "case-opened";
        var entries = new List<Entry> { EntryJson.Read(opening, "case", errors, DateOnly.FromDateTime(Now.UtcDateTime))! };
        entries.AddRange(file["entries"]!.AsArray().Select((e, i) => EntryJson.Read(e, $"entries[{i}]", errors, DateOnly.FromDateTime(Now.UtcDateTime))!));
        Assert.False(errors.Any);

        var ledger = new Ledger();
        Assert.True(ledger.Record(entries));
        var history = ledger.History;
        var crizotinib = history.Effective.First(e => e.Entry is SystemicTherapyStarted { Regimen: "crizotinib" });
        var response = history.Effective.First(e => e.Entry is ResponseAssessed);
        var imaging = history.Effective.First(e => e.Entry is ImagingPerformed);
        // A start moved, a response retracted, an imaging re-read as a progression (an entry that comes to shape the course).
        Assert.True(ledger.Record([E.Correct(crizotinib.Entry.EntryId, (SystemicTherapyStarted)crizotinib.Entry with { OccurredOn = E.D("2012-03") })]));
        Assert.True(ledger.Record([E.Retract(response.Entry.EntryId, "duplicate")]));
        Assert.True(ledger.Record([E.Correct(imaging.Entry.EntryId, E.Progression(imaging.Entry.Date.ToString()))]));
        AssertSameState(ledger);
        Assert.Contains(ledger.State!.Outline, e => e.Entry.EntryId == imaging.Entry.EntryId && e.Version == imaging.Version);
        Assert.True(ledger.State.Outline.Count < entries.Count / 2, "the outline holds the entries that shape the course, not all of them");

        var rng = new Random(7);
        var compared = 0;
        for (var i = 0; i < 600; i++) (compared, _) = Compare(ledger, Requests.Next(rng, ledger.History), compared, 0);
        foreach (var recorded in ledger.History.Recorded.Where(r => r.Entry is ClinicalEntry))
            (compared, _) = Compare(ledger, [recorded.Entry], compared, 0);
        Assert.True(compared > 600);
    }

    [Fact]
    public void A_correction_that_makes_an_entry_shape_the_course_needs_the_version_it_corrects()
    {
        var imaging = E.Imaging("2020-01");
        var opened = new RecordedEntry(E.Opened(), null, 1, Now, null, null);
        var state = CaseState.Fold(Guid.Empty, null, [new AppendedEntry(opened, null), new AppendedEntry(new RecordedEntry(imaging, null, 2, Now, null, null), null)]);
        var correction = new RecordedEntry(E.Correct(imaging.EntryId, E.Progression("2020-01")), null, 3, Now, null, null);

        var missing = Assert.Throws<InvalidOperationException>(() => CaseState.Fold(Guid.Empty, state, [new AppendedEntry(correction, null)]));
        Assert.Contains("does not say which version it corrects", missing.Message, StringComparison.Ordinal);
        var corrected = CaseState.Fold(Guid.Empty, state, [new AppendedEntry(correction, 2)]);
        Assert.Equal([1L, 2L], corrected.Outline.Select(e => e.Version));
        Assert.Equal(3, corrected.Version);
        Assert.Equal("2020-01", corrected.Summary.LastProgressionOn?.ToString());
        Assert.Single(state.Outline);
    }

    [Fact]
    public void A_correction_of_an_outline_entry_keeps_the_entry_s_version_even_when_its_event_does_not_say_it()
    {
        var opened = E.Opened("2010-01");
        var state = CaseState.Fold(Guid.Empty, null, [new AppendedEntry(new RecordedEntry(opened, null, 1, Now, null, null), null)]);
        var correction = E.Correct(opened.EntryId, E.Opened("2009-06") with { EntryId = opened.EntryId }, "date");

        var corrected = CaseState.Fold(Guid.Empty, state, [new AppendedEntry(new RecordedEntry(correction, null, 2, Now.AddMinutes(1), null, null), null)]);

        var entry = Assert.Single(corrected.Outline);
        Assert.Equal((1L, "2009-06"), (entry.Version, entry.Date.ToString()));
        Assert.Equal(2, corrected.Version);
        Assert.Equal(Now.AddMinutes(1), corrected.UpdatedAt);
    }

    [Fact]
    public void Folding_nothing_keeps_the_version_and_the_update_time()
    {
        var state = CaseState.Fold(Guid.Empty, null, [new AppendedEntry(new RecordedEntry(E.Opened(), null, 7, Now, null, null), null)]);

        var same = CaseState.Fold(Guid.Empty, state, []);

        Assert.Equal((7L, Now), (same.Version, same.UpdatedAt));
    }

    [Fact]
    public void A_state_rebuilt_from_the_outline_entries_takes_the_case_s_version_and_last_recording_time_from_all_its_entries()
    {
        var start = E.Start("2020-01");
        var correction = E.Correct(start.EntryId, start with { OccurredOn = E.D("2020-02") }, "date");
        var outline = new List<AppendedEntry>
        {
            new(new RecordedEntry(E.Opened(), null, 1, Now, null, null), null),
            new(new RecordedEntry(start, null, 2, Now.AddMinutes(1), null, null), null),
            new(new RecordedEntry(correction, null, 4, Now.AddMinutes(3), null, null), 2),
        };

        // Version 3 (a cycle, say) and a later entry at version 5 are not read.
        var rebuilt = CaseState.Rebuilt(Guid.Empty, outline, 5, Now.AddMinutes(9));

        Assert.Equal((5L, Now.AddMinutes(9)), (rebuilt.Version, rebuilt.UpdatedAt));
        Assert.Equal(5, rebuilt.Summary.Version);
        Assert.Equal([1L, 2L], rebuilt.Outline.Select(e => e.Version));
        Assert.Equal("2020-02", rebuilt.Summary.CurrentLine!.StartedOn.ToString());
        Assert.Equal([typeof(BiopsyPerformed), typeof(BiopsyReread), typeof(CaseOpened), typeof(EntryCorrected), typeof(EntryRetracted),
            typeof(PatientDied), typeof(ProgressionObserved), typeof(SystemicTherapyStarted), typeof(SystemicTherapyStopped)],
            CaseState.OutlineTypes.OrderBy(t => t.Name));
    }

    [Fact]
    public void Entries_on_one_day_keep_their_recording_order_in_the_outline_and_the_summary()
    {
        var history = HistoryBuilder.Of(E.Start("2020-03-01"), E.Stop("2020-03-01", "completed"));

        var state = CaseState.Of(Guid.Empty, history);

        Assert.Equal([1L, 2L, 3L], state.Outline.Select(e => e.Version));
        Assert.Equal(TreatmentLedger.Projections.CaseStatus.OffTreatment, state.Summary.Status);
    }

    [Fact]
    public void The_state_holds_the_course_outline_as_corrected_with_its_summary_and_time_and_the_amendments_are_the_latest_of_each_kind()
    {
        var start = E.Start("2020-01");
        var cycle = E.Cycle("2020-02");
        var history = new HistoryBuilder().Add(E.Opened(), start, cycle,
            E.Correct(start.EntryId, start with { OccurredOn = E.D("2020-01-10") }, "first"),
            E.Correct(start.EntryId, start with { OccurredOn = E.D("2020-01-12") }, "second"),
            E.Retract(cycle.EntryId)).Build();

        var state = CaseState.Of(Guid.Empty, history);
        var amendments = CaseContext.AmendmentsOf(history.Recorded);

        Assert.Equal(6, state.Version);
        Assert.Equal(2, state.Outline.Count);
        Assert.Equal("2020-01-12", state.Outline[1].Date.ToString());
        Assert.Equal(2, state.Outline[1].Version);
        Assert.Equal(history.Recorded[^1].RecordedAt, state.UpdatedAt);
        Assert.Equal("2020-01-12", state.Summary.CurrentLine!.StartedOn.ToString());
        Assert.Equal(2, amendments.Count);
        var correction = Assert.Single(amendments, a => a.Entry is EntryCorrected);
        Assert.Equal(("second", 5L), (correction.Entry.Reason, correction.Version));
        var retraction = Assert.Single(amendments, a => a.Entry is EntryRetracted);
        Assert.Equal((cycle.EntryId, 6L), (retraction.Entry.EntryId, retraction.Version));
    }

    private static (int Requests, int Refusals) Compare(Ledger ledger, IReadOnlyList<Entry> request, int requests, int refusals)
    {
        var full = Decide(ledger.Full(), request);
        var compact = Decide(ledger.Writer(request), request);
        Assert.Equal(full, compact);
        return (requests + 1, refusals + (full.StartsWith("refused", StringComparison.Ordinal) ? 1 : 0));
    }

    /// <summary>A decision as text: the refusal, or each planned entry with what it repeats and the version it corrects.</summary>
    private static string Decide(CaseContext context, IReadOnlyList<Entry> request)
    {
        var next = 0;
        var (plan, refusal) = RecordingPlan.Decide(context, request, Now, () => new Guid(++next, 0, 0, new byte[8]));
        if (refusal is not null) return $"refused {refusal.Index} {refusal.Kind}: {refusal.Detail}";
        return string.Join("\n", plan.Select(p =>
            $"{EntryJson.Fingerprint(p.Entry)} repeats {p.AlreadyRecorded?.Version} {(p.AlreadyRecorded is null ? "" : EntryJson.Fingerprint(p.AlreadyRecorded.Entry))} corrects {p.TargetVersion}"));
    }

    /// <summary>
    /// The state folded append by append, and the state rebuilt from the entries of the outline's types alone (with the
    /// case's version and last recording time), both equal the state of the whole history.
    /// </summary>
    private static void AssertSameState(Ledger ledger)
    {
        var whole = JsonSerializer.Serialize(CaseState.Of(Guid.Empty, ledger.History), EntryJson.Options);
        Assert.Equal(whole, JsonSerializer.Serialize(ledger.State, EntryJson.Options));
        var outline = ledger.Appended.Where(a => CaseState.OutlineTypes.Contains(a.Recorded.Entry.GetType())).ToList();
        var rebuilt = CaseState.Rebuilt(Guid.Empty, outline, ledger.History.Version, ledger.History.Recorded.Max(r => r.RecordedAt));
        Assert.Equal(whole, JsonSerializer.Serialize(rebuilt, EntryJson.Options));
    }

    /// <summary>Generated requests: new entries of every kind at any date, repeats, conflicts, corrections and retractions.</summary>
    private static class Requests
    {
        private static readonly string[] Intents = [TreatmentLedger.Projections.LineIntent.NewLine, TreatmentLedger.Projections.LineIntent.AddToLine, TreatmentLedger.Projections.LineIntent.Maintenance];

        public static IReadOnlyList<Entry> Next(Random rng, CaseHistory history)
        {
            var size = rng.Next(10) switch { < 7 => 1, < 9 => 2, _ => 3 };
            var request = new List<Entry>();
            for (var i = 0; i < size; i++) request.Add(One(rng, history, request));
            return request;
        }

        private static Entry One(Random rng, CaseHistory history, List<Entry> sofar)
        {
            var clinical = history.Recorded.Where(r => r.Entry is ClinicalEntry).Select(r => (ClinicalEntry)r.Entry)
                .Concat(sofar.OfType<ClinicalEntry>()).ToList();
            var target = clinical[rng.Next(clinical.Count)];
            var latest = history.Recorded.Where(r => r.Entry is CorrectionEntry).Select(r => r.Entry).LastOrDefault();
            return rng.Next(20) switch
            {
                0 => target,
                1 => target is CaseOpened ? E.Imaging(Day(rng)) with { EntryId = target.EntryId } : target with { Note = "changed" },
                2 or 3 => E.Correct(target.EntryId, Clinical(rng), "re-read"),
                4 => E.Correct(target.EntryId, target with { OccurredOn = E.D(Day(rng)) }, "date"),
                5 => E.Retract(target.EntryId, "wrong case"),
                6 => latest ?? E.Retract(target.EntryId, "again"),
                7 => E.Correct(target.EntryId, E.Opened(Day(rng)), "opening"),
                _ => Clinical(rng),
            };
        }

        private static ClinicalEntry Clinical(Random rng)
        {
            var on = Day(rng);
            return rng.Next(12) switch
            {
                0 or 1 => E.Start(on, rng.Next(3) == 0 ? "crizotinib" : "doxorubicin") with
                {
                    LineIntent = rng.Next(3) == 0 ? null : Intents[rng.Next(Intents.Length)],
                },
                2 => E.Start(on, "ondansetron") with { TherapyClass = "supportive" },
                3 => E.Stop(on, rng.Next(2) == 0 ? "progression" : "completed"),
                4 or 5 => E.Cycle(on, rng.Next(1, 9)),
                6 => E.Progression(on),
                7 => E.Died(on),
                8 => new BiopsyPerformed { EntryId = Guid.NewGuid(), OccurredOn = E.D(on), Technique = "core-needle", Site = "lung", Diagnosis = rng.Next(2) == 0 ? "IMT" : null },
                9 => new BiopsyReread { EntryId = Guid.NewGuid(), OccurredOn = E.D(on), Reviewer = "expert", Diagnosis = "ALK+ IMT" },
                10 => E.Adjusted(on),
                _ => E.Imaging(on),
            };
        }

        /// <summary>A day, a month or a year between 2009 and 2024: partial dates and ties on one anchor happen.</summary>
        private static string Day(Random rng)
        {
            var year = 2009 + rng.Next(16);
            return rng.Next(6) switch
            {
                0 => $"{year}",
                1 or 2 => $"{year}-{rng.Next(1, 13):00}",
                _ => $"{year}-{rng.Next(1, 13):00}-{rng.Next(1, 29):00}",
            };
        }
    }
}
