using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;
using Xunit.Abstractions;

namespace TreatmentLedger.Api.Tests.Cohorts;

/// <summary>
/// The demo cohort loaded as <c>ops/run</c> loads it (<see cref="DemoLoader"/>: <c>POST /cases/import</c> with a clinician
/// token of the demo hospital, several files in flight), then read back from the regimen read model.
/// </summary>
public sealed class DemoCohortLoadTests(LedgerFixture fixture, ITestOutputHelper output) : LedgerTest(fixture)
{
    [Fact]
    public async Task The_loader_imports_every_file_once_and_the_regimen_table_shows_medians_near_the_published_ones()
    {
        using var http = Host.Server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Fixture.Token("demo-loader", DemoHospital.Name, Roles.Clinician));
        var loader = new DemoLoader(http, Host.DocumentStore(), NullLogger.Instance);

        var load = await loader.LoadCohortAsync(CancellationToken.None);

        // Every file answered 201.
        Assert.Equal(DemoCohort.CaseCount, load.Imported);
        Assert.Equal(0, load.Refused);
        output.WriteLine($"loaded {load.Imported} cases ({load.Entries} entries) in {load.Elapsed.TotalSeconds:0.00} s, {DemoLoader.InFlight} in flight (in process, no rate limit: the tests lift it)");
        Assert.True(load.Elapsed < TimeSpan.FromSeconds(30), $"the load took {load.Elapsed}");

        // Once: a second start finds every case there.
        var again = await loader.LoadCohortAsync(CancellationToken.None);
        Assert.Equal((0, DemoCohort.CaseCount), (again.Imported, again.AlreadyLoaded));

        var analyst = Api.As(Fixture.Token("demo-analyst", DemoHospital.Name, Roles.Analyst));
        var waited = Stopwatch.StartNew();
        var all = await CurrentAsync(analyst, "/cohorts/regimens");
        output.WriteLine($"the regimen read model was current {waited.Elapsed.TotalSeconds:0.0} s after the load");
        var regimens = all.Json["regimens"]!.AsArray();
        var keys = regimens.Select(r => r!["regimen"]!.GetValue<string>()).ToList();
        Assert.All(DemoMedians.All, s => Assert.Contains(s.Regimen, keys));
        Assert.True(regimens.Sum(r => r!["activeLines"]!.GetValue<int>()) > 0, "no line is active at its case's last contact");
        var stopReasons = regimens.SelectMany(r => r!["stopReasons"]!.AsObject().Select(p => p.Key)).ToHashSet();
        Assert.Superset(new HashSet<string> { "progression", "toxicity", "patient-choice", "death" }, stopReasons);
        Assert.All(regimens, r => Assert.True(r!["pfs"]!["events"]!.GetValue<int>() <= r["lines"]!.GetValue<int>()));
        Assert.True(regimens.Sum(r => r!["pfs"]!["events"]!.GetValue<int>()) < regimens.Sum(r => r!["lines"]!.GetValue<int>()), "no line is censored");
        Assert.Contains(regimens, r => r!["grade3PlusAdverseEvents"]!.AsObject().Count > 0);
        Assert.Contains(regimens, r => r!["bestResponses"]!["PR"] is not null);

        // A loose check, said as such: for every regimen with at least 30 lines at a line number, the Kaplan–Meier median
        // PFS of the read model is within a factor of 2 of the published median(s) it was drawn around (first-line settings
        // for first lines, the later-line settings otherwise), or not reached where one of them is 24 months or more. A
        // median the table derives (lorlatinib first line: CROWN has none, its lines have at most five years of follow-up
        // here) is not checked: a few late events among few lines at risk move the estimate far.
        var checkedGroups = new List<string>();
        for (var lineNumber = 1; lineNumber <= DemoCohort.MaxLines; lineNumber++)
        {
            var table = (await CurrentAsync(analyst, $"/cohorts/regimens?lineNumber={lineNumber}")).Json["regimens"]!.AsArray();
            foreach (var row in table.Where(r => r!["lines"]!.GetValue<int>() >= 30))
            {
                var regimen = row!["regimen"]!.GetValue<string>();
                var settings = DemoMedians.All.Where(s => s.Regimen == regimen && s.FirstLine == (lineNumber == 1)).ToList();
                Assert.True(settings.Count > 0, $"{regimen} as line {lineNumber} has no median in the table");
                if (settings.All(s => s.DerivedMedian)) continue;
                var published = settings.Select(s => s.MedianPfsMonths * DemoCohort.DaysPerMonth).ToList();
                var median = row["pfs"]!["median"]?.GetValue<int>();
                var line = $"{regimen}, line {lineNumber}: {row["lines"]} lines, {row["pfs"]!["events"]} PFS events, median {Months(median)} (drawn around {string.Join(" / ", published.Select(d => Months((int)Math.Round(d))))})";
                output.WriteLine(line);
                if (median is { } days) Assert.InRange(days, published.Min() / 2, published.Max() * 2);
                else Assert.True(published.Max() >= 24 * DemoCohort.DaysPerMonth, line);
                checkedGroups.Add(line);
            }
        }
        Assert.True(checkedGroups.Count >= 4, string.Join("\n", checkedGroups));

        // Curves for the dashboard: first-line alectinib against crizotinib, the log-rank test telling them apart.
        var survival = (await CurrentAsync(analyst, "/cohorts/survival?endpoint=pfs&regimen=alectinib&regimen=crizotinib&lineNumber=1")).Json;
        Assert.True(survival["logRank"]!["p"]!.GetValue<double>() < 0.01, survival["logRank"]!.ToJsonString());
    }

    private static string Months(int? days) => days is { } d ? (d / DemoCohort.DaysPerMonth).ToString("0.0", CultureInfo.InvariantCulture) + " months" : "not reached";

    /// <summary>
    /// The route once its read model has every event stored so far: asked with <c>minPosition</c> (5 s of waiting each
    /// time), again while it answers stale, for up to a minute.
    /// </summary>
    private static async Task<LedgerApi.Response> CurrentAsync(LedgerApi api, string url)
    {
        var until = Stopwatch.StartNew();
        var position = await api.LastSequence();
        while (true)
        {
            var response = await api.Get(url + (url.Contains('?') ? "&" : "?") + "minPosition=" + position.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(200, response.Status);
            if (!response.Json["stale"]!.GetValue<bool>()) return response;
            Assert.True(until.Elapsed < TimeSpan.FromMinutes(1), $"{url} still stale after a minute");
        }
    }
}
