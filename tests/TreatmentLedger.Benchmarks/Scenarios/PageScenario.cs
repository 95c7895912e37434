using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Testing;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Issue 12, the page's first paint with the demo cohort: the API started as ops/run starts it (the founding case and
/// <see cref="DemoCohort.CaseCount"/> synthetic cases), <c>/dashboard</c> opened in Debian's headless Chromium with a
/// clinician's token, then reloaded several times. Each load gives the browser's paint entries (first paint, first
/// contentful paint) and, from a script the harness adds to every document, the time the board's first page of rows and
/// the survival curves entered the page.
/// </summary>
public static class PageScenario
{
    public const string Name = "page: first paint with the demo cohort";
    public const string Target = "measured (300+ cases)";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs before the page's own script in every document: notes (performance.now(), from the navigation's start) when
    /// the board first shows rows with its page line set, and when a curve is first drawn. A MutationObserver sees each
    /// change as it is made, before the frame that paints it.
    /// </summary>
    private const string Watcher = """
        (() => {
          const times = {};
          window.__benchTimes = times;
          const note = () => {
            if (times.board === undefined && document.querySelector('#board-table tbody tr[data-case]') && document.getElementById('page-info')?.textContent.includes('cases)'))
              times.board = performance.now();
            if (times.curves === undefined && document.querySelector('#curves-figure svg path')) times.curves = performance.now();
          };
          new MutationObserver(note).observe(document, { childList: true, subtree: true, characterData: true });
        })();
        """;

    private sealed record Load(double FirstPaint, double FirstContentfulPaint, double Board, double Curves, double Rendered, int Rows, string PageInfo);

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        if (!HeadlessChromium.IsInstalled)
        {
            const string why = $"skipped: chromium not installed ({HeadlessChromium.Executable}; ops/test installs Debian's)";
            return new ScenarioResult(Name, why, "", "", Target, null, why, [$"- {why}."]);
        }
        var demo = await DemoLoadScenario.StartAsync(ctx, "page");
        try
        {
            var token = Tokens.Mint(SigningKey.LoadOrCreate(demo.DataDirectory), "bench-clinician", [Roles.Clinician], DemoHospital.Name,
                TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
            var total = await BoardTotalAsync(demo.Api.BaseAddress, token, ctx.Ct);
            Console.WriteLine($"  {Name}: demo loaded in {Fmt.Seconds(demo.Load)}, {total} cases on the board; starting chromium");

            await using var chromium = await HeadlessChromium.StartAsync();
            await chromium.SendAsync("Page.addScriptToEvaluateOnNewDocument", new JsonObject { ["source"] = Watcher });
            var page = new Uri(demo.Api.BaseAddress, "/dashboard").ToString();
            // The token as the page keeps it once a user has given it (sessionStorage): each reload then renders at once.
            await chromium.NavigateAsync(page);
            await chromium.EvaluateAsync($"sessionStorage.setItem('treatmentLedger.token', {JsonValue.Create(token)!.ToJsonString()})");
            var warmUp = await LoadAsync(chromium);
            var loads = new List<Load>();
            for (var i = 0; i < ctx.Volumes.PageLoads; i++) loads.Add(await LoadAsync(chromium));

            string Summary(Func<Load, double> figure) =>
                $"median {Fmt.Ms(Stats.Median(loads.Select(figure)))}, max {Fmt.Ms(loads.Max(figure))}";
            var shown = (Func<Load, double>)(l => Math.Max(l.Board, l.Curves));
            Console.WriteLine($"  {Name}: first contentful paint {Summary(l => l.FirstContentfulPaint)}; board and curves {Summary(shown)}");
            return new ScenarioResult(Name,
                $"first contentful paint {Summary(l => l.FirstContentfulPaint)}; board and curves shown {Summary(shown)}",
                "n/a", "n/a", Target, null,
                $"{total} cases on the board; {loads.Count} reloads of /dashboard (cache bypassed) in headless Chromium, times from the navigation's start.",
                [
                    $"- An API process of its own (Release, `dotnet TreatmentLedger.Api.dll`) with LEDGER_DEMO=1 on a new database of the bench cluster, as ops/run starts it: " +
                    $"the founding case and {demo.Cases} synthetic cases ({Fmt.Num(demo.Entries)} entries) loaded in {Fmt.Seconds(demo.Load)}; the read models current " +
                    $"{Fmt.Seconds(demo.ReadModel)} later. `GET /cases` then counted {total} cases for a clinician of hospital `{DemoHospital.Name}`.",
                    $"- Browser: `{HeadlessChromium.Executable}` headless (Debian's), driven over the DevTools protocol (tests/Shared/HeadlessChromium.cs, as the page's browser tests), " +
                    "on the same cores as the API and PostgreSQL. The clinician's token is put in the page's sessionStorage, as the page keeps it after a sign-in; " +
                    $"then one load not counted, then {loads.Count} measured reloads (`Page.reload`, `ignoreCache`: the page, its script and its stylesheet are fetched again).",
                    "- Figures, in ms from the navigation's start (`performance.now()` of the new document): the browser's `first-paint` and `first-contentful-paint` " +
                    "entries; the board = its first page of rows and its page line in the document; the curves = a path in the survival figure; both noted by a " +
                    "MutationObserver the harness adds before the page's script (`Page.addScriptToEvaluateOnNewDocument`), so at the change, before the frame that paints it; " +
                    "rendered = the page's own `dashboard-rendered` mark (board, regimen table and curves all done).",
                    $"- First paint: {Summary(l => l.FirstPaint)}; first contentful paint: {Summary(l => l.FirstContentfulPaint)}; board: {Summary(l => l.Board)}; " +
                    $"curves: {Summary(l => l.Curves)}; board and curves: {Summary(shown)}; rendered mark: {Summary(l => l.Rendered)}.",
                    $"- Each load (first paint / first contentful paint / board / curves / rendered, ms): " +
                    string.Join("; ", loads.Select(l => $"{Fmt.Num(l.FirstPaint)} / {Fmt.Num(l.FirstContentfulPaint)} / {Fmt.Num(l.Board)} / {Fmt.Num(l.Curves)} / {Fmt.Num(l.Rendered)}")) +
                    $". The load not counted: board and curves {Fmt.Ms(shown(warmUp))}.",
                    $"- The board showed {loads[^1].Rows} rows, `{loads[^1].PageInfo}`.",
                ]);
        }
        finally
        {
            await demo.Api.DisposeAsync();
        }
    }

    /// <summary>Reloads the page (cache bypassed) and waits until the board and the curves are shown and the page has rendered.</summary>
    private static async Task<Load> LoadAsync(HeadlessChromium chromium)
    {
        await chromium.EvaluateAsync("window.__navigatedFrom = true");
        await chromium.SendAsync("Page.reload", new JsonObject { ["ignoreCache"] = true });
        await chromium.WaitForAsync("!window.__navigatedFrom && window.__benchTimes?.board !== undefined && window.__benchTimes?.curves !== undefined && window.dashboard?.rendered",
            Soon, "the board and the curves");
        var figures = (await chromium.EvaluateAsync("""
            ({
              fp: performance.getEntriesByName('first-paint')[0]?.startTime ?? -1,
              fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
              board: window.__benchTimes.board,
              curves: window.__benchTimes.curves,
              rendered: performance.getEntriesByName('dashboard-rendered')[0]?.startTime ?? -1,
              rows: document.querySelectorAll('#board-table tbody tr[data-case]').length,
              pageInfo: document.getElementById('page-info').textContent,
            })
            """))!.AsObject();
        double Figure(string name) => figures[name]!.GetValue<double>();
        return new Load(Figure("fp"), Figure("fcp"), Figure("board"), Figure("curves"), Figure("rendered"), figures["rows"]!.GetValue<int>(),
            figures["pageInfo"]!.GetValue<string>());
    }

    /// <summary>The board's <c>total</c> for a clinician of the demo hospital.</summary>
    private static async Task<long> BoardTotalAsync(Uri api, string token, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var body = JsonNode.Parse(await http.GetStringAsync("/cases?pageSize=1", ct))!;
        return body["total"]!.GetValue<long>();
    }
}
