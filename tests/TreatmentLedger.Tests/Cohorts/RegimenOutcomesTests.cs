using System.Text.Json;
using System.Text.Json.Nodes;
using TreatmentLedger.Cohorts;
using static TreatmentLedger.Tests.Cohorts.Facts;

namespace TreatmentLedger.Tests.Cohorts;

public sealed class RegimenOutcomesTests
{
    private static readonly Guid CaseA = Guid.NewGuid(), CaseB = Guid.NewGuid(), CaseC = Guid.NewGuid();

    /// <summary>Crizotinib: three lines of two cases; alectinib: one line; lorlatinib: three lines of three cases.</summary>
    private static IReadOnlyList<(Guid, LineFact)> Cohort() =>
    [
        (CaseA, Line("Crizotinib", new(100, true), new(300, true), "progression", "PR", ["neutropenia", "Neutropenia "])),
        (CaseA, Line("crizotinib ", new(50, false), new(50, false), lineNumber: 3)),
        (CaseB, Line(" CRIZOTINIB", new(200, true), new(200, true), "toxicity", "CR", ["hepatitis", "neutropenia"])),
        (CaseB, Line("alectinib", new(400, false), new(400, false), lineNumber: 2)),
        (CaseA, Line("lorlatinib", new(30, true), new(40, true), "ineffective", "PD", lineNumber: 2)),
        (CaseB, Line("lorlatinib", new(60, true), new(60, true), "progression", "SD", lineNumber: 3)),
        (CaseC, Line("lorlatinib", new(90, false), new(90, false))),
    ];

    [Fact]
    public void Rows_are_regimen_keys_with_most_lines_first_and_ties_by_key()
    {
        var rows = RegimenOutcomes.Of(Cohort());

        Assert.Equal(["crizotinib", "lorlatinib", "alectinib"], rows.Select(r => r.Regimen));
        Assert.Equal([3, 3, 1], rows.Select(r => r.Lines));
        Assert.Equal([2, 3, 1], rows.Select(r => r.Cases));
        Assert.Equal([1, 1, 1], rows.Select(r => r.ActiveLines));
    }

    [Fact]
    public void Each_endpoint_gives_its_events_and_its_Kaplan_Meier_median_in_days()
    {
        var rows = RegimenOutcomes.Of(Cohort()).ToDictionary(r => r.Regimen);

        // Crizotinib pfs: 50+, 100, 200: S(100) = 1/2. Ttd: 50+, 200, 300: S(200) = 1/2.
        Assert.Equal(new EndpointSummary(2, 100), rows["crizotinib"].Pfs);
        Assert.Equal(new EndpointSummary(2, 200), rows["crizotinib"].Ttd);
        // Lorlatinib pfs: 30, 60, 90+: S(60) = 1/3. Ttd: 40, 60, 90+.
        Assert.Equal(new EndpointSummary(2, 60), rows["lorlatinib"].Pfs);
        Assert.Equal(new EndpointSummary(2, 60), rows["lorlatinib"].Ttd);
        Assert.Equal(new EndpointSummary(0, null), rows["alectinib"].Pfs);
        Assert.Equal(new EndpointSummary(0, null), rows["alectinib"].Ttd);
    }

    [Fact]
    public void Stop_reasons_best_responses_and_severe_terms_are_counted_most_frequent_first()
    {
        var rows = RegimenOutcomes.Of(Cohort()).ToDictionary(r => r.Regimen);

        var crizotinib = rows["crizotinib"];
        Assert.Equal([new("progression", 1), new("toxicity", 1)], crizotinib.StopReasons);
        Assert.Equal([new("CR", 1), new("PR", 1)], crizotinib.BestResponses);
        Assert.Equal([new("neutropenia", 3), new("hepatitis", 1)], crizotinib.Grade3PlusAdverseEvents);
        Assert.Equal([new("ineffective", 1), new("progression", 1)], rows["lorlatinib"].StopReasons);
        Assert.Empty(rows["alectinib"].StopReasons);
        Assert.Empty(rows["alectinib"].BestResponses);
        Assert.Empty(rows["alectinib"].Grade3PlusAdverseEvents);
    }

    [Fact]
    public void More_frequent_values_come_before_earlier_keys()
    {
        var row = Assert.Single(RegimenOutcomes.Of(
        [
            (CaseA, Line("A", new(1, true), new(1, true), "toxicity")),
            (CaseA, Line("A", new(2, true), new(2, true), "progression")),
            (CaseB, Line("A", new(3, true), new(3, true), "progression")),
        ]));

        Assert.Equal(["progression", "toxicity"], row.StopReasons.Keys);
    }

    [Fact]
    public void No_line_is_no_row()
    {
        Assert.Empty(RegimenOutcomes.Of([]));
    }

    [Fact]
    public void A_row_serializes_with_the_names_of_DASHBOARDS_md()
    {
        var row = RegimenOutcomes.Of(Cohort())[0];

        var json = JsonNode.Parse(JsonSerializer.Serialize(row, new JsonSerializerOptions(JsonSerializerDefaults.Web)))!.AsObject();

        Assert.Equal(
            ["regimen", "cases", "lines", "activeLines", "pfs", "ttd", "stopReasons", "bestResponses", "grade3PlusAdverseEvents"],
            json.Select(p => p.Key));
        Assert.Equal(["events", "median"], json["pfs"]!.AsObject().Select(p => p.Key));
        Assert.Equal(2, json["bestResponses"]!.AsObject().Count);
        Assert.Equal(1, (int)json["bestResponses"]!["CR"]!);
        Assert.Equal(3, (int)json["grade3PlusAdverseEvents"]!["neutropenia"]!);
    }
}
