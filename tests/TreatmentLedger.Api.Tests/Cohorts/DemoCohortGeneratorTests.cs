using System.Globalization;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Cohorts;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Recording;
using Xunit.Abstractions;

namespace TreatmentLedger.Api.Tests.Cohorts;

/// <summary>
/// The demo cohort's generator (<see cref="DemoCohort"/>) on its own, without a store: deterministic, synthetic, valid
/// case files, the regimens of its median table, censored lines and events. The lines are those the ledger's own domain
/// folds make of the files (<see cref="LineFacts"/>), as the regimen read model does.
/// </summary>
public sealed class DemoCohortGeneratorTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<JsonObject>> Files = new(() => DemoCohort.Generate());

    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    /// <summary>The file's entries as the ledger reads them (every field valid), the case-opened first, with ids and versions.</summary>
    private static CaseHistory History(JsonObject generated)
    {
        // As the API reads it: from the text (numbers built in memory are not JSON elements yet).
        var file = JsonNode.Parse(generated.ToJsonString())!.AsObject();
        var errors = new ValidationErrors();
        var opening = (JsonObject)file["case"]!.DeepClone();
        opening["type"] = "case-opened";
        var entries = new List<Entry> { EntryJson.Read(opening, "case", errors, Today)! };
        var list = file["entries"]!.AsArray();
        for (var i = 0; i < list.Count; i++) entries.Add(EntryJson.Read(list[i], $"entries[{i}]", errors, Today)!);
        Assert.False(errors.Any, $"{file["case"]!["patientRef"]}: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}");
        return new CaseHistory(entries.Select((e, i) => new RecordedEntry(e with { EntryId = Guid.NewGuid() }, i + 1, i + 1, DateTimeOffset.UnixEpoch, "test", null)));
    }

    private static readonly Lazy<IReadOnlyList<(string PatientRef, CaseHistory History, IReadOnlyList<LineFact> Lines)>> Cases = new(() =>
        Files.Value.Select(f =>
        {
            var history = History(f);
            return (f["case"]!["patientRef"]!.GetValue<string>(), history, LineFacts.Of(history));
        }).ToList());

    [Fact]
    public void The_same_seed_gives_the_same_files_and_another_seed_other_files()
    {
        var first = DemoCohort.Generate().Select(f => f.ToJsonString()).ToList();
        var second = DemoCohort.Generate().Select(f => f.ToJsonString()).ToList();
        Assert.Equal(first, second);
        var other = DemoCohort.Generate(seed: DemoCohort.Seed + 1).Select(f => f.ToJsonString()).ToList();
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void It_makes_at_least_300_cases_SYN_0001_onwards_each_marked_synthetic()
    {
        var files = Files.Value;
        Assert.True(files.Count >= 300, $"{files.Count} cases");
        Assert.Equal(DemoCohort.CaseCount, files.Count);
        Assert.Equal(Enumerable.Range(1, files.Count).Select(n => $"SYN-{n:D4}"), files.Select(f => f["case"]!["patientRef"]!.GetValue<string>()));
        Assert.All(files, f => Assert.Contains("synthetic", f["case"]!["presentation"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase));
        // Full days, none after the data cut-off.
        var dates = files.SelectMany(f => f["entries"]!.AsArray().Select(e => e!["occurredOn"]!.GetValue<string>()).Append(f["case"]!["occurredOn"]!.GetValue<string>())).ToList();
        Assert.All(dates, d => Assert.True(DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day <= DemoCohort.DataCutOff, d));
        output.WriteLine($"{files.Count} cases, {files.Sum(f => f["entries"]!.AsArray().Count + 1)} entries, {files.Sum(f => f.ToJsonString().Length) / 1024} KiB of JSON");
    }

    [Fact]
    public void Every_file_is_valid_and_keeps_the_line_and_death_rules()
    {
        foreach (var (patientRef, history, _) in Cases.Value)
        {
            var violation = CaseRules.ResultViolation(history, history.Recorded.Select(r => r.Version).ToHashSet(), new HashSet<long>());
            Assert.True(violation is null, $"{patientRef}: entry {violation?.Version}: {violation?.Reason}");
            // The entries are listed in clinical order, so that the import's recording order is the clinical one.
            var dates = history.Recorded.Select(r => ((ClinicalEntry)r.Entry).Date.Anchor).ToList();
            Assert.Equal(dates.Order(), dates);
        }
    }

    [Fact]
    public void Every_regimen_of_the_median_table_appears_with_events_censored_lines_responses_adverse_events_and_deaths()
    {
        var lines = Cases.Value.SelectMany(c => c.Lines).ToList();
        var regimens = lines.Select(l => l.RegimenKey).ToHashSet();
        Assert.All(DemoMedians.All, s => Assert.Contains(s.Regimen, regimens));
        // Each first-line setting of the table is given as a first line, and each later-line setting's regimen as a later line.
        Assert.All(DemoMedians.All, s => Assert.Contains(lines, l => l.RegimenKey == s.Regimen && (l.LineNumber == 1) == s.FirstLine));

        Assert.Contains(lines, l => l.Pfs.Event && l.StopReason == "progression");
        Assert.Contains(lines, l => l.Pfs.Event && l.StopReason == "death");
        Assert.Contains(lines, l => l.Active && !l.Pfs.Event);
        Assert.Contains(lines, l => l.StopReason == "toxicity" && !l.Pfs.Event);
        Assert.Contains(lines, l => l.StopReason == "patient-choice" && !l.Pfs.Event);
        Assert.InRange(lines.Count(l => l.Pfs.Event), lines.Count / 4, lines.Count - lines.Count / 10);
        Assert.Contains(lines, l => l.BestResponse == "CR");
        Assert.Contains(lines, l => l.BestResponse == "PR");
        Assert.Contains(lines, l => l.BestResponse == "SD");
        Assert.Contains(lines, l => l.Grade3PlusAdverseEvents.Count > 0);
        var deaths = Cases.Value.Count(c => c.History.Effective.Any(e => e.Entry is PatientDied));
        Assert.InRange(deaths, Cases.Value.Count / 10, Cases.Value.Count * 9 / 10);
        // Follow-up visits: the last contact of a case alive at the cut-off and not lost is a visit within four months of it.
        Assert.All(Cases.Value, c => Assert.Contains(c.History.Effective, e => e.Entry is FollowUpRecorded || e.Entry is PatientDied));
        // Alive at the cut-off: last seen within four months of it (at a visit, mostly), or lost to follow-up before.
        var seenLately = Cases.Value.Count(c => c.History.Effective.Last() is { Entry: not PatientDied } last && last.Date.Anchor > DemoCohort.DataCutOff.AddMonths(-4));
        var atVisit = Cases.Value.Count(c => c.History.Effective.Last().Entry is FollowUpRecorded f && f.Date.Anchor > DemoCohort.DataCutOff.AddMonths(-4));
        var lost = Cases.Value.Count(c => c.History.Effective.Last() is { Entry: not PatientDied } last && last.Date.Anchor <= DemoCohort.DataCutOff.AddMonths(-4));
        output.WriteLine($"{deaths} deaths; {seenLately} cases last seen within four months of the cut-off ({atVisit} at a visit); {lost} not seen in the four months before it (lost to follow-up)");
        Assert.Equal(Cases.Value.Count, deaths + seenLately + lost);
        Assert.True(atVisit >= Cases.Value.Count / 5, $"{atVisit} cases last seen lately at a visit");
        Assert.True(lost > 0);

        // Overall survival is not drawn: it is the lines, the gaps between them and the survival after the last.
        foreach (var first in new string?[] { null, DemoMedians.Alectinib, DemoMedians.Crizotinib })
        {
            var survival = KaplanMeier.Fit(Cases.Value.Where(c => first is null || c.Lines.FirstOrDefault()?.RegimenKey == first).Select(c =>
            {
                var diagnosed = c.History.Effective.First(e => e.Entry is BiopsyPerformed).Date.Anchor;
                var last = c.History.Effective.Last();
                return new TimeToEvent(last.Date.Anchor.DayNumber - diagnosed.DayNumber, last.Entry is PatientDied);
            }).ToList());
            output.WriteLine($"overall survival from the biopsy ({first ?? "all"} first): median {survival.Median.Days / DemoCohort.DaysPerMonth / 12:0.0} years, " +
                             $"5 years {survival.Curve.LastOrDefault(p => p.Days <= 5 * 365.25)?.Survival:0.00}");
        }

        // What the generator drew, as Kaplan–Meier medians per regimen and line (printed for the README; checked loosely over the API).
        foreach (var group in lines.GroupBy(l => (l.RegimenKey, First: l.LineNumber == 1)).OrderBy(g => g.Key.First ? 0 : 1).ThenByDescending(g => g.Count()))
        {
            var fit = KaplanMeier.Fit(group.Select(l => l.Pfs).ToList());
            var median = fit.Median.Days is { } days ? (days / DemoCohort.DaysPerMonth).ToString("0.0", CultureInfo.InvariantCulture) + " months" : "not reached";
            var published = string.Join(" / ", DemoMedians.All.Where(s => s.Regimen == group.Key.RegimenKey && s.FirstLine == group.Key.First).Select(s => s.MedianPfsMonths.ToString("0.0", CultureInfo.InvariantCulture)));
            output.WriteLine($"{group.Key.RegimenKey}, {(group.Key.First ? "first line" : "later lines")}: {group.Count()} lines, {group.Count(l => l.Pfs.Event)} PFS events, KM median {median} (drawn around {published})");
        }
    }
}
