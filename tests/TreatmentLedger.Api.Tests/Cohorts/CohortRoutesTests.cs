using System.Text.Json.Nodes;
using System.Xml.Linq;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;
using static TreatmentLedger.Api.Tests.Support.Bodies;

namespace TreatmentLedger.Api.Tests.Cohorts;

/// <summary>
/// <c>GET /cohorts/regimens</c>, <c>/cohorts/survival</c> and <c>/cohorts/survival.svg</c> over cases recorded through the
/// API, with figures worked out by hand (days between full dates).
/// </summary>
public sealed class CohortRoutesTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private LedgerApi Analyst => Api.As(Fixture.Token("test-analyst", LedgerFixture.Hospital, Roles.Analyst));

    private static JsonObject Response(string on, string response) =>
        new() { ["type"] = "response-assessed", ["occurredOn"] = on, ["response"] = response, ["method"] = "CT" };

    private static JsonObject AdverseEvent(string on, string term, int grade) =>
        new() { ["type"] = "adverse-event-observed", ["occurredOn"] = on, ["term"] = term, ["grade"] = grade };

    private static JsonObject FollowUp(string on) => new() { ["type"] = "follow-up-recorded", ["occurredOn"] = on, ["vitalStatus"] = "alive" };

    private async Task<Guid> Case(string patientRef, params JsonObject[] entries)
    {
        var caseId = await Api.OpenCase(patientRef, "2015-01-01");
        var answer = await Api.Post($"/cases/{caseId}/entries/batch", Batch(entries));
        Assert.True(answer.Status == 201, answer.Text);
        return caseId;
    }

    /// <summary>
    /// Crizotinib, three first lines from 2016-01-01: A progresses at day 182 and stops at 213 for progression (then
    /// alectinib from 2016-08-01, active, last seen 2017-08-01: 365 days); B stops at day 91 for toxicity after a grade 3
    /// pneumonitis and a partial response; C dies at day 330.
    /// </summary>
    private async Task<Guid> RecordThreeCasesAsync()
    {
        var a = await Case("TEST-A", Start("2016-01-01"), Progression("2016-07-01"), Stop("2016-08-01"),
            Start("2016-08-01", regimen: "Alectinib"), FollowUp("2017-08-01"));
        await Case("TEST-B", Start("2016-01-01"), AdverseEvent("2016-02-01", "pneumonitis", 3), AdverseEvent("2016-02-15", "nausea", 1),
            Response("2016-03-01", "PR"), Stop("2016-04-01", reason: "toxicity"));
        await Case("TEST-C", Start("2016-01-01", regimen: " crizotinib "), Died("2016-11-26"));
        return a;
    }

    [Fact]
    public async Task The_regimen_table_counts_lines_events_medians_stop_reasons_responses_and_severe_adverse_events()
    {
        await RecordThreeCasesAsync();

        var answer = await Analyst.GetCurrent("/cohorts/regimens");

        Assert.Equal(200, answer.Status);
        var regimens = answer.Json["regimens"]!.AsArray();
        Assert.Equal(["crizotinib", "alectinib"], regimens.Select(r => r!["regimen"]!.GetValue<string>()));
        var crizotinib = regimens[0]!;
        Assert.Equal(3, crizotinib["cases"]!.GetValue<int>());
        Assert.Equal(3, crizotinib["lines"]!.GetValue<int>());
        Assert.Equal(0, crizotinib["activeLines"]!.GetValue<int>());
        Assert.Equal(2, crizotinib["pfs"]!["events"]!.GetValue<int>());
        Assert.Equal(182, crizotinib["pfs"]!["median"]!.GetValue<int>());
        Assert.Equal(3, crizotinib["ttd"]!["events"]!.GetValue<int>());
        Assert.Equal(213, crizotinib["ttd"]!["median"]!.GetValue<int>());
        Assert.Equal(1, crizotinib["stopReasons"]!["progression"]!.GetValue<int>());
        Assert.Equal(1, crizotinib["stopReasons"]!["toxicity"]!.GetValue<int>());
        Assert.Equal(1, crizotinib["stopReasons"]!["death"]!.GetValue<int>());
        Assert.Equal(1, crizotinib["bestResponses"]!["PR"]!.GetValue<int>());
        Assert.Equal(1, crizotinib["grade3PlusAdverseEvents"]!["pneumonitis"]!.GetValue<int>());
        Assert.Null(crizotinib["grade3PlusAdverseEvents"]!["nausea"]);
        var alectinib = regimens[1]!;
        Assert.Equal(1, alectinib["activeLines"]!.GetValue<int>());
        Assert.Null(alectinib["pfs"]!["median"]);
        Assert.True(answer.Json["position"]!.GetValue<long>() > 0);
        // Cohort statistics only: an analyst sees no patient.
        Assert.DoesNotContain("TEST-", answer.Text, StringComparison.Ordinal);

        var secondLines = (await Analyst.GetCurrent("/cohorts/regimens?lineNumber=2")).Json["regimens"]!.AsArray();
        Assert.Equal("alectinib", Assert.Single(secondLines)!["regimen"]!.GetValue<string>());
    }

    [Fact]
    public async Task Survival_curves_have_their_medians_at_risk_numbers_and_log_rank_test()
    {
        await RecordThreeCasesAsync();

        var pfs = (await Analyst.GetCurrent("/cohorts/survival?endpoint=pfs&regimen=Crizotinib&regimen=alectinib")).Json;

        Assert.Equal("pfs", pfs["endpoint"]!.GetValue<string>());
        var crizotinib = pfs["groups"]![0]!;
        Assert.Equal("crizotinib", crizotinib["regimen"]!.GetValue<string>());
        Assert.Equal(3, crizotinib["n"]!.GetValue<int>());
        Assert.Equal(2, crizotinib["events"]!.GetValue<int>());
        Assert.Equal(1, crizotinib["censored"]!.GetValue<int>());
        Assert.Equal(182, crizotinib["median"]!["days"]!.GetValue<int>());
        // Censored at 91 (toxicity stop), then S = 1/2 at 182 and 0 at 330.
        var curve = crizotinib["curve"]!.AsArray();
        Assert.Equal([91, 182, 330], curve.Select(p => p!["days"]!.GetValue<int>()));
        Assert.Equal(0.5, curve[1]!["survival"]!.GetValue<double>(), 10);
        Assert.Equal(0.0, curve[2]!["survival"]!.GetValue<double>(), 10);
        Assert.Equal(3, crizotinib["atRisk"]![0]!["n"]!.GetValue<int>());
        // Month 6 is day 182.6: only the line of day 330 is still at risk.
        Assert.Equal(1, crizotinib["atRisk"]!.AsArray().Single(a => a!["month"]!.GetValue<int>() == 6)!["n"]!.GetValue<int>());
        var alectinib = pfs["groups"]![1]!;
        Assert.Equal(1, alectinib["n"]!.GetValue<int>());
        Assert.Null(alectinib["median"]!["days"]);
        Assert.Equal(1, pfs["logRank"]!["df"]!.GetValue<int>());
        Assert.InRange(pfs["logRank"]!["p"]!.GetValue<double>(), 0, 1);

        var ttd = (await Analyst.GetCurrent("/cohorts/survival?endpoint=ttd&regimen=crizotinib")).Json;
        Assert.Equal(213, ttd["groups"]![0]!["median"]!["days"]!.GetValue<int>());
        Assert.Null(ttd["logRank"]);

        var unknown = (await Analyst.GetCurrent("/cohorts/survival?endpoint=pfs&regimen=crizotinib&regimen=lorlatinib")).Json;
        Assert.Equal(0, unknown["groups"]![1]!["n"]!.GetValue<int>());
        Assert.Null(unknown["logRank"]);
    }

    [Fact]
    public async Task The_survival_picture_draws_each_group_with_its_legend()
    {
        await RecordThreeCasesAsync();
        await Api.GetCurrent("/cases");

        var svg = await Analyst.Get("/cohorts/survival.svg?endpoint=pfs&regimen=crizotinib&regimen=alectinib");

        Assert.Equal(200, svg.Status);
        Assert.StartsWith("image/svg+xml", svg.Raw.Context.Response.ContentType, StringComparison.Ordinal);
        Assert.NotNull(svg.Header("X-Position"));
        var text = string.Concat(XDocument.Parse(svg.Text).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value + "|"));
        Assert.Contains("crizotinib", text, StringComparison.Ordinal);
        Assert.Contains("alectinib", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_parameters_are_refused_by_name()
    {
        (await Analyst.Get("/cohorts/survival?regimen=crizotinib")).AssertInvalid("endpoint");
        (await Analyst.Get("/cohorts/survival?endpoint=os&regimen=crizotinib")).AssertInvalid("endpoint");
        (await Analyst.Get("/cohorts/survival?endpoint=pfs")).AssertInvalid("regimen");
        (await Analyst.Get("/cohorts/survival.svg?endpoint=pfs&regimen=a&lineNumber=0")).AssertInvalid("lineNumber");
        (await Analyst.Get("/cohorts/regimens?lineNumber=x")).AssertInvalid("lineNumber");
        (await Analyst.Get("/cohorts/regimens?minPosition=soon")).AssertInvalid("minPosition");
        (await Analyst.Get("/cohorts/regimens?lineNumber=1&lineNumber=2")).AssertInvalid("lineNumber");
    }

    [Fact]
    public async Task A_retracted_start_takes_its_line_out_of_the_cohort_and_a_corrected_regimen_moves_it()
    {
        var caseId = await Api.OpenCase("TEST-R", "2015-01-01");
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries/batch",
            Batch(Start("2016-01-01", first), Stop("2016-03-01"), Start("2016-04-01", second, "alectinib")))).Status);
        Assert.Equal(2, (await Analyst.GetCurrent("/cohorts/regimens")).Json["regimens"]!.AsArray().Count);

        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries", Retract(second))).Status);
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries", Correct(first, Start("2016-01-01", regimen: "brigatinib")))).Status);

        var regimens = (await Analyst.GetCurrent("/cohorts/regimens")).Json["regimens"]!.AsArray();
        var only = Assert.Single(regimens)!;
        Assert.Equal("brigatinib", only["regimen"]!.GetValue<string>());
        Assert.Equal(1, only["lines"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_hospital_sees_its_own_cohort_only_and_every_role_may_read_it()
    {
        await RecordThreeCasesAsync();
        var other = Api.As(Fixture.Token("other-clinician", "other-hospital", Roles.Clinician));
        var theirs = await other.Post("/cases", """{ "patientRef": "TEST-THEIRS", "sex": "male", "birthYear": 1970, "occurredOn": "2015-03" }""");
        var theirCase = theirs.Json["caseId"]!.GetValue<Guid>();
        Assert.Equal(201, (await other.Post($"/cases/{theirCase}/entries", Start("2016-01-01", regimen: "lorlatinib"))).Status);

        var ours = (await Analyst.GetCurrent("/cohorts/regimens")).Json["regimens"]!.AsArray();
        Assert.DoesNotContain(ours, r => r!["regimen"]!.GetValue<string>() == "lorlatinib");
        var theirRegimens = (await other.As(Fixture.Token("other-analyst", "other-hospital", Roles.Analyst)).GetCurrent("/cohorts/regimens")).Json;
        Assert.Equal("lorlatinib", Assert.Single(theirRegimens["regimens"]!.AsArray())!["regimen"]!.GetValue<string>());

        foreach (var role in Roles.All)
            Assert.Equal(200, (await Api.As(Fixture.Token("test-" + role, LedgerFixture.Hospital, role)).Get("/cohorts/regimens")).Status);
        Assert.Equal(403, (await Analyst.Get("/cases")).Status);
    }
}
