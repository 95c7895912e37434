using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Faults;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.Testing;
using Xunit.Abstractions;
using static TreatmentLedger.Api.Tests.Support.Bodies;

namespace TreatmentLedger.Api.Tests.Dashboard;

/// <summary>
/// The API as a real process (a real Kestrel for the browser) on a throwaway PostgreSQL, with the founding case and a
/// few synthetic cases imported through the API, and one headless Chromium to open the dashboard page in. A second
/// hospital holds more cases than the board shows on a page, some with an anthracycline cumulative-dose alert, for the
/// board's paging and alert filter (the tests' hospital keeps its few cases on one page).
/// </summary>
public sealed class DashboardSite : IAsyncLifetime
{
    /// <summary>The hospital of the paging and alert cases.</summary>
    public const string BoardHospital = "test-board-hospital";

    /// <summary>Cases of <see cref="BoardHospital"/>: more than the page's 20 rows a page, so two pages.</summary>
    public const int BoardCaseCount = 25;

    private ThrowawayPostgres _postgres = null!;

    public LedgerProcess Ledger { get; private set; } = null!;
    public HeadlessChromium Browser { get; private set; } = null!;
    public List<(Guid CaseId, string PatientRef, string Regimen)> Cases { get; } = [];
    public string PageUrl => $"{Ledger.BaseUrl}/dashboard";

    /// <summary>The patientRefs of <see cref="BoardHospital"/>'s cases, and those of them with an anthracycline alert.</summary>
    public List<string> BoardCases { get; } = [];
    public List<string> AlertedBoardCases { get; } = [];

    public string BoardClinician => Ledger.TokenAt(BoardHospital, "test-board-clinician", Roles.Clinician);

    public async Task InitializeAsync()
    {
        _postgres = await ThrowawayPostgres.StartAsync();
        Ledger = await LedgerProcess.StartAsync(new Dictionary<string, string> { ["LEDGER_CONNECTION_STRING"] = _postgres.ConnectionString });

        var founding = await File.ReadAllTextAsync(CaseFiles.PathOf(CaseFiles.FoundingCase));
        var imported = await Ledger.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/cases/import")
        {
            Content = new StringContent(founding, System.Text.Encoding.UTF8, "application/json"),
        });
        Assert.True(imported.Status == HttpStatusCode.Created, imported.Body);
        Cases.Add((imported.Json["caseId"]!.GetValue<Guid>(), "IMT-ALK-0001", "crizotinib"));

        long last = 0;
        string[] regimens = ["crizotinib", "alectinib", "crizotinib", "alectinib", "lorlatinib"];
        for (var i = 0; i < regimens.Length; i++)
        {
            var patientRef = $"TEST-DASH-{i + 1:00}";
            var opened = await Ledger.PostAsync("/cases", JsonNode.Parse($$"""{ "patientRef": "{{patientRef}}", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }""")!);
            Assert.True(opened.Status == HttpStatusCode.Created, opened.Body);
            var caseId = opened.Json["caseId"]!.GetValue<Guid>();
            Cases.Add((caseId, patientRef, regimens[i]));
            JsonObject[] entries = i % 2 == 0
                ? [Biopsy("2015-03-12"), Start("2015-04-01", regimen: regimens[i]), Progression($"2015-{6 + i:00}-01"), Stop($"2015-{6 + i:00}-10")]
                : [Biopsy("2015-03-12"), Start("2015-04-01", regimen: regimens[i]), FollowUp("2016-01-15")];
            var batch = await Ledger.PostAsync($"/cases/{caseId}/entries/batch", Batch(entries));
            Assert.True(batch.Status is HttpStatusCode.Created or HttpStatusCode.OK, batch.Body);
            last = Math.Max(last, LastSequence(batch.Json));
        }
        // The board is an async read model: wait until it holds every case before a page reads it.
        var board = await Ledger.GetAsync($"/cases?minPosition={last}");
        Assert.False(board.Json["stale"]!.GetValue<bool>(), board.Body);
        await AddBoardCasesAsync();

        Browser = await HeadlessChromium.StartAsync();
    }

    /// <summary>
    /// <see cref="BoardCaseCount"/> cases at <see cref="BoardHospital"/>; every fifth is given six cycles of doxorubicin
    /// 75 mg/m2 (450 mg/m2: an anthracycline-cumulative-dose warning), the others a targeted line and no alert.
    /// </summary>
    private async Task AddBoardCasesAsync()
    {
        using var client = LedgerClient.Create(Ledger.BaseUrl, BoardClinician);
        async Task<JsonObject> Post(string path, JsonObject body)
        {
            using var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, text);
            return JsonNode.Parse(text)!.AsObject();
        }

        long last = 0;
        for (var i = 1; i <= BoardCaseCount; i++)
        {
            var patientRef = $"TEST-PAGE-{i:00}";
            var opened = await Post("/cases", JsonNode.Parse($$"""{ "patientRef": "{{patientRef}}", "sex": "male", "birthYear": 1970, "occurredOn": "2016-01" }""")!.AsObject());
            var caseId = opened["caseId"]!.GetValue<Guid>();
            BoardCases.Add(patientRef);
            JsonObject[] entries;
            if (i % 5 == 0)
            {
                AlertedBoardCases.Add(patientRef);
                var start = Start("2016-02-01", regimen: "doxorubicin").With("therapyClass", "chemotherapy")
                    .With("agents", new JsonArray(new JsonObject { ["drug"] = "doxorubicin" }));
                entries = [start, .. Enumerable.Range(1, 6).Select(c => Cycle($"2016-{1 + c:00}-15", cycle: c))];
            }
            else
                entries = [Biopsy("2016-01-20"), Start("2016-02-01")];
            last = Math.Max(last, LastSequence(await Post($"/cases/{caseId}/entries/batch", Batch(entries))));
        }
        using var board = await client.GetAsync($"/cases?minPosition={last}&alert=anthracycline-cumulative-dose");
        var answer = JsonNode.Parse(await board.Content.ReadAsStringAsync())!;
        Assert.False(answer["stale"]!.GetValue<bool>(), answer.ToJsonString());
        Assert.Equal(AlertedBoardCases.Count, answer["total"]!.GetValue<int>());
    }

    private static long LastSequence(JsonObject answer) =>
        answer["entries"] is JsonArray entries ? entries.Max(e => e!["sequence"]!.GetValue<long>()) : answer["sequence"]!.GetValue<long>();

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (Ledger is not null) await Ledger.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}

/// <summary><c>GET /dashboard</c> in a real headless Chromium, against a real API process.</summary>
[Collection(FaultCollection.Name)]
public sealed class DashboardPageTests(DashboardSite site, ITestOutputHelper output) : IClassFixture<DashboardSite>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    private HeadlessChromium Browser => site.Browser;
    private string Clinician => site.Ledger.Token("test-clinician", Roles.Clinician);

    private static string Js(string value) => JsonValue.Create(value)!.ToJsonString();

    private async Task SignIn(string token)
    {
        await Browser.NavigateAsync(site.PageUrl);
        await Browser.WaitForAsync("window.dashboard !== undefined", Soon, "the page's script to run");
        // Whatever an earlier test left in sessionStorage goes; the page asks for a token.
        await Browser.EvaluateAsync("document.getElementById('sign-out').click()");
        await Browser.WaitForAsync("!document.getElementById('token-form').hidden && document.getElementById('panels').hidden", Soon, "the token form");
        await Browser.EvaluateAsync($"document.getElementById('token').value = {Js(token)}; document.getElementById('token-form').requestSubmit()");
        await Browser.WaitForAsync("window.dashboard.rendered", Soon, "the page's first rendering with data");
    }

    private async Task<int> Count(string selector) => (await Browser.EvaluateAsync($"document.querySelectorAll({Js(selector)}).length"))!.GetValue<int>();

    private async Task<string> Text(string selector) =>
        (await Browser.EvaluateAsync($"document.querySelector({Js(selector)})?.textContent ?? ''"))!.GetValue<string>();

    private async Task<long> Record(Guid caseId, JsonObject entry)
    {
        var answer = await site.Ledger.PostAsync($"/cases/{caseId}/entries", entry);
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body);
        return answer.Json["sequence"]!.GetValue<long>();
    }

    private async Task<List<long>> FeedSequences() =>
        (await Browser.EvaluateAsync("[...document.querySelectorAll('#feed-list li')].map(li => Number(li.dataset.sequence))"))!
        .AsArray().Select(n => n!.GetValue<long>()).ToList();

    [Fact]
    public async Task The_API_documentation_page_draws_the_routes_in_the_browser_under_its_policy()
    {
        // Scalar's script builds the page from the OpenAPI document: nothing shows unless the script ran under the
        // page's Content-Security-Policy and read the document.
        await Browser.NavigateAsync($"{site.Ledger.BaseUrl}/docs/");
        await Browser.WaitForAsync("document.body.innerText.includes('Record entry')", Soon, "the documentation page listing the operations");
        var text = (await Browser.EvaluateAsync("document.body.innerText"))!.GetValue<string>();
        // Grouped by feature folder, each named by its use case.
        foreach (var shown in new[] { "Recording", "Cohorts", "Get survival", "ProgressionFree" }) Assert.Contains(shown, text);
        Assert.DoesNotContain("Generate SDK", text);
        // No request left for another host (fonts, scripts, telemetry).
        var hosts = (await Browser.EvaluateAsync("[...new Set(performance.getEntriesByType('resource').map(r => new URL(r.name).host))]"))!
            .AsArray().Select(h => h!.GetValue<string>()).ToList();
        Assert.All(hosts, host => Assert.Equal(new Uri(site.Ledger.BaseUrl).Authority, host));
    }

    [Fact]
    public async Task The_page_and_its_files_load_without_a_token_under_the_page_policy_with_no_inline_script()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(site.Ledger.BaseUrl) };
        using var page = await anonymous.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(AnswerHeaders.PagePolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<input id=\"token\" type=\"password\"", html);
        Assert.DoesNotMatch(new Regex(@"<script(?![^>]*\ssrc=)"), html);
        Assert.DoesNotMatch(new Regex(@"\son[a-z]+="), html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal));

        foreach (var (path, type) in new[] { ("/dashboard/dashboard.js", "text/javascript"), ("/dashboard/dashboard.css", "text/css") })
        {
            using var asset = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType?.MediaType);
        }
        // The page is open; the data is not.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/cases")).StatusCode);
    }

    [Fact]
    public async Task A_clinician_sees_the_board_the_regimens_the_curves_and_an_entry_recorded_through_the_API_within_2_s()
    {
        var token = Clinician;
        await Browser.NavigateAsync(site.PageUrl);
        await SignIn(token);

        // The board: every case, with its timeline a click away; the regimen table; the curves of the first regimens.
        var boardText = await Text("#board-table tbody");
        foreach (var (_, patientRef, _) in site.Cases) Assert.Contains(patientRef, boardText);
        Assert.Contains("spindle cell lesion", boardText);
        Assert.DoesNotContain("[object", boardText);
        Assert.Equal(site.Cases.Count, await Count("#board-table tbody tr[data-case]"));
        Assert.Contains($"({site.Cases.Count} cases)", await Text("#page-info"));
        var regimens = (await site.Ledger.GetAsync("/cohorts/regimens")).Json["regimens"]!.AsArray().Select(r => r!["regimen"]!.GetValue<string>()).ToList();
        var shown = (await Browser.EvaluateAsync("[...document.querySelectorAll('#regimen-table tbody tr')].map(tr => tr.dataset.regimen)"))!
            .AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(regimens, shown);
        Assert.Contains("lorlatinib", shown);
        Assert.True(await Count("#curves-figure svg path") > 0, "no curve is drawn");
        Assert.Equal("pfs", (await Browser.EvaluateAsync("document.querySelector('#curves-figure svg').dataset.endpoint"))!.GetValue<string>());
        Assert.Matches(@"read models at position \d+", await Text("#position"));

        // The curves are those of the three regimens with the most lines, ticked in the picker.
        var ticked = (await Browser.EvaluateAsync("[...document.querySelectorAll('#regimen-picker input:checked')].map(i => i.value)"))!
            .AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(regimens.Take(3), ticked);
        Assert.Equal(["alectinib", "crizotinib", "lorlatinib"], ticked);
        const string curves = "document.querySelector('#curves-figure svg')";
        Assert.True((await Browser.EvaluateAsync($"{curves}.textContent.includes('lorlatinib') && !{curves}.textContent.includes('brigatinib')"))!.GetValue<bool>());

        // The pfs/ttd switch and the regimen picker redraw the curves: brigatinib ticked is drawn, lorlatinib unticked is not.
        await Browser.EvaluateAsync("document.querySelector('input[name=endpoint][value=ttd]').click()");
        await Browser.WaitForAsync($"{curves}?.dataset.endpoint === 'ttd'", Soon, "the ttd curves");
        await Browser.EvaluateAsync("document.querySelector('#regimen-picker input[value=brigatinib]').click()");
        await Browser.WaitForAsync($"{curves}?.textContent.includes('brigatinib')", Soon, "the brigatinib curve");
        await Browser.EvaluateAsync("document.querySelector('#regimen-picker input[value=lorlatinib]').click()");
        await Browser.WaitForAsync($"!{curves}?.textContent.includes('lorlatinib')", Soon, "the curves without lorlatinib");
        Assert.True((await Browser.EvaluateAsync($"{curves}.textContent.includes('brigatinib') && {curves}.dataset.endpoint === 'ttd'"))!.GetValue<bool>());

        // Four changes in a burst, four requests in flight: the curves end as the last change asks and stay so, whatever
        // order the answers arrive in (an earlier answer coming last must not be drawn over the latest).
        await Browser.EvaluateAsync("""
            for (const selector of ['input[name=endpoint][value=pfs]', '#regimen-picker input[value=lorlatinib]',
                                    '#regimen-picker input[value=alectinib]', 'input[name=endpoint][value=ttd]'])
              document.querySelector(selector).click();
            """);
        var last = $"{curves}?.dataset.endpoint === 'ttd' && {curves}.textContent.includes('lorlatinib') && !{curves}.textContent.includes('alectinib')";
        await Browser.WaitForAsync(last, Soon, "the curves of the last change");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True((await Browser.EvaluateAsync(last))!.GetValue<bool>(), "an earlier answer was drawn over the latest");

        // A filter: the board of one regimen is what the API answers for it.
        var alectinib = (await site.Ledger.GetAsync("/cases?regimen=alectinib")).Json["total"]!.GetValue<int>();
        Assert.True(alectinib is > 0 and < 6);
        await Browser.EvaluateAsync("const s = document.querySelector('#board-filters [name=regimen]'); s.value = 'alectinib'; s.dispatchEvent(new Event('change', { bubbles: true }))");
        await Browser.WaitForAsync($"document.getElementById('page-info').textContent.includes('({alectinib} cases)')", Soon, "the alectinib board");
        Assert.Equal(alectinib, await Count("#board-table tbody tr[data-case]"));

        // Sorting by patient reference, with the filter off again.
        await Browser.EvaluateAsync("""
            const f = document.getElementById('board-filters');
            f.elements.regimen.value = ''; f.elements.sort.value = 'patientRef';
            f.dispatchEvent(new Event('change'));
            """);
        await Browser.WaitForAsync($"document.getElementById('page-info').textContent.includes('({site.Cases.Count} cases)')", Soon, "the whole board again");
        var order = (await Browser.EvaluateAsync("[...document.querySelectorAll('#board-table tbody tr td:first-child')].map(td => td.textContent)"))!
            .AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(site.Cases.Select(c => c.PatientRef).Order(StringComparer.Ordinal), order);

        // A case's timeline, fetched with the token and drawn in its panel.
        await Browser.EvaluateAsync("document.querySelector('#board-table .timeline-link').click()");
        await Browser.WaitForAsync("document.querySelector('#timeline-figure svg .line-bar')", Soon, "the case's timeline");

        // The live feed: an entry recorded through the API appears on the open page.
        await Browser.WaitForAsync("window.dashboard.feedState().status === 'live'", Soon, "the feed to connect");
        var (caseId, _, _) = site.Cases[2];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sequence = await Record(caseId, FollowUp("2016-02-01"));
        await Browser.WaitForAsync($"document.querySelector('#feed-list li[data-sequence=\"{sequence}\"]')", TimeSpan.FromSeconds(2), "the recorded entry on the page");
        output.WriteLine($"an entry recorded through the API was on the page {clock.ElapsedMilliseconds} ms after the POST was sent");
        Assert.Contains("follow-up-recorded", await Text($"#feed-list li[data-sequence=\"{sequence}\"]"));

        // The token never went into a URL: not the page's, nor any request's.
        var urls = (await Browser.EvaluateAsync("[location.href, ...performance.getEntriesByType('resource').map(r => r.name)]"))!.AsArray();
        Assert.DoesNotContain(urls, u => u!.GetValue<string>().Contains(token[..40], StringComparison.Ordinal));
    }

    [Fact]
    public async Task First_paint_with_data_is_measured_and_the_screenshot_is_taken()
    {
        await SignIn(Clinician);
        // A reload with the token in sessionStorage: the page asks nothing and renders at once; that is the figure.
        await Browser.EvaluateAsync("window.__navigatedFrom = true");
        await Browser.SendAsync("Page.reload", new JsonObject { ["ignoreCache"] = true });
        await Browser.WaitForAsync("!window.__navigatedFrom && document.readyState === 'complete' && window.dashboard?.rendered", Soon, "the reloaded page with data");
        var timings = (await Browser.EvaluateAsync("""
            ({
              fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
              rendered: performance.getEntriesByName('dashboard-rendered')[0]?.startTime ?? -1,
            })
            """))!.AsObject();
        var fcp = timings["fcp"]!.GetValue<double>();
        var rendered = timings["rendered"]!.GetValue<double>();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dashboard, {site.Cases.Count} cases: first-contentful-paint {fcp:0} ms, board + regimens + curves rendered {rendered:0} ms after navigation start"));
        Assert.True(rendered > 0, "the page set no dashboard-rendered mark");
        Assert.True(rendered < 5000, $"the page took {rendered:0} ms to show its data");

        // Something in the feed for the picture, then the picture.
        await Browser.WaitForAsync("window.dashboard.feedState().status === 'live'", Soon, "the feed to connect");
        await Record(site.Cases[3].CaseId, Imaging("2016-02-01"));
        await Record(site.Cases[5].CaseId, Imaging("2016-04-01"));
        var sequence = await Record(site.Cases[1].CaseId, Imaging("2016-03-01"));
        await Browser.WaitForAsync($"document.querySelector('#feed-list li[data-sequence=\"{sequence}\"]')", Soon, "the entry in the feed");
        await Browser.EvaluateAsync("document.querySelector('#board-table tr[data-case] .timeline-link').click()");
        await Browser.WaitForAsync("document.querySelector('#timeline-figure svg')", Soon, "the timeline");
        await Browser.EvaluateAsync("window.scrollTo(0, 0)");
        var png = await Browser.ScreenshotAsync();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(1500, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.True(png.Length > 50_000, $"the screenshot is {png.Length} bytes: the page looks blank");
        // DASHBOARD_SCREENSHOT=docs/dashboard.png (from the repository's root) refreshes the README's picture.
        var path = Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOT") is { Length: > 0 } wanted
            ? Path.Combine(Repository.Root, wanted)
            : Path.Combine(Path.GetTempPath(), "dashboard.png");
        await File.WriteAllBytesAsync(path, png);
        output.WriteLine($"screenshot: {path}");
    }

    [Fact]
    public async Task After_its_connection_is_cut_the_feed_resumes_with_Last_Event_ID_and_shows_the_missed_entries_once()
    {
        await SignIn(Clinician);
        await Browser.WaitForAsync("window.dashboard.feedState().status === 'live'", Soon, "the feed to connect");
        var (caseId, _, _) = site.Cases[4];
        var seen = await Record(caseId, FollowUp("2016-01-20"));
        await Browser.WaitForAsync($"document.querySelector('#feed-list li[data-sequence=\"{seen}\"]')", Soon, "the first entry");
        Assert.Equal(seen.ToString(CultureInfo.InvariantCulture), (await Browser.EvaluateAsync("window.dashboard.feedState().lastEventId"))!.GetValue<string>());

        // Cut: the page reconnects on its own after 2 s. What is recorded meanwhile it does not receive live.
        await Browser.EvaluateAsync("window.dashboard.cutFeed(2000)");
        await Browser.WaitForAsync("window.dashboard.feedState().status !== 'live'", Soon, "the feed to drop");
        var missed = new List<long>();
        for (var i = 0; i < 3; i++) missed.Add(await Record(caseId, FollowUp($"2016-0{2 + i}-01")));
        Assert.NotEqual("live", (await Browser.EvaluateAsync("window.dashboard.feedState().status"))!.GetValue<string>());

        var condition = string.Join(" && ", missed.Select(s => $"document.querySelector('#feed-list li[data-sequence=\"{s}\"]')"));
        await Browser.WaitForAsync(condition, Soon, "the missed entries after the reconnection");
        var live = await Record(caseId, FollowUp("2016-06-01"));
        await Browser.WaitForAsync($"document.querySelector('#feed-list li[data-sequence=\"{live}\"]')", Soon, "a live entry after the reconnection");

        var state = (await Browser.EvaluateAsync("window.dashboard.feedState()"))!.AsObject();
        Assert.Equal(2, state["connections"]!.GetValue<int>());
        var sequences = await FeedSequences();
        Assert.Equal([live, .. Enumerable.Reverse(missed), seen], sequences.Where(s => s >= seen));
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
    }

    private const string ShownPatientRefs = "[...document.querySelectorAll('#board-table tbody tr[data-case] td:first-child')].map(td => td.textContent)";

    private async Task<bool> Disabled(string id) => (await Browser.EvaluateAsync($"document.getElementById({Js(id)}).disabled"))!.GetValue<bool>();

    /// <summary>Sets a field of the board's filter form as a user would (the field changed, the form told).</summary>
    private Task ChangeBoard(string field, string value) =>
        Browser.EvaluateAsync($"{{ const f = document.getElementById('board-filters'); f.elements[{Js(field)}].value = {Js(value)}; f.dispatchEvent(new Event('change')); }}");

    /// <summary>Waits until the board shows exactly these patientRefs, in this order, under this page line.</summary>
    private async Task BoardShows(IEnumerable<string> patientRefs, string pageInfo)
    {
        var expected = new JsonArray(patientRefs.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()).ToJsonString();
        await Browser.WaitForAsync($"document.getElementById('page-info').textContent === {Js(pageInfo)} && JSON.stringify({ShownPatientRefs}) === {Js(expected)}",
            Soon, $"the board showing {expected} under '{pageInfo}'");
    }

    [Fact]
    public async Task The_board_pages_by_20_rows_with_next_and_previous()
    {
        await SignIn(site.BoardClinician);
        var byRef = site.BoardCases.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(DashboardSite.BoardCaseCount, byRef.Count);
        await ChangeBoard("sort", "patientRef");
        await BoardShows(byRef.Take(20), $"page 1 of 2 ({DashboardSite.BoardCaseCount} cases)");
        Assert.True(await Disabled("page-prev"));
        Assert.False(await Disabled("page-next"));

        await Browser.EvaluateAsync("document.getElementById('page-next').click()");
        await BoardShows(byRef.Skip(20), $"page 2 of 2 ({DashboardSite.BoardCaseCount} cases)");
        Assert.False(await Disabled("page-prev"));
        Assert.True(await Disabled("page-next"));

        await Browser.EvaluateAsync("document.getElementById('page-prev').click()");
        await BoardShows(byRef.Take(20), $"page 1 of 2 ({DashboardSite.BoardCaseCount} cases)");
    }

    [Fact]
    public async Task The_alert_filter_lists_only_the_cases_with_that_alert_and_their_badges()
    {
        await SignIn(site.BoardClinician);
        var byRef = site.BoardCases.Order(StringComparer.Ordinal).ToList();
        var alerted = site.AlertedBoardCases.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(5, alerted.Count);
        await ChangeBoard("sort", "patientRef");
        await BoardShows(byRef.Take(20), $"page 1 of 2 ({DashboardSite.BoardCaseCount} cases)");

        await ChangeBoard("alert", "anthracycline-cumulative-dose");
        await BoardShows(alerted, $"page 1 of 1 ({alerted.Count} cases)");
        var badges = (await Browser.EvaluateAsync("[...document.querySelectorAll('#board-table tbody tr[data-case]')].map(tr => tr.querySelector('.badge')?.textContent ?? '')"))!
            .AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Repeat("anthracycline-cumulative-dose (warning)", alerted.Count), badges);
        Assert.True(await Disabled("page-next"));

        // Without the filter, every case again: the alerted ones among the others.
        await ChangeBoard("alert", "");
        await BoardShows(byRef.Take(20), $"page 1 of 2 ({DashboardSite.BoardCaseCount} cases)");
    }

    [Fact]
    public async Task An_admin_sees_the_projections_lag_instead_of_the_answers_position()
    {
        await SignIn(site.Ledger.Token("test-admin", Roles.Admin));
        await Browser.WaitForAsync("document.getElementById('position').textContent.includes('projection lag')", Soon, "the projections' lag");
        Assert.Matches(@"high-water mark \d+, projection lag \d+ events \(CaseFacts \w+ at \d+\)", await Text("#position"));
        Assert.True(await Count("#curves-figure svg path") > 0, "no curve is drawn");
        Assert.Contains("needs a clinician or auditor token", await Text("#board"));
    }

    [Fact]
    public async Task An_analyst_sees_the_regimens_and_curves_and_no_board_no_feed_no_patientRef()
    {
        await SignIn(site.Ledger.Token("test-analyst", Roles.Analyst));

        Assert.True(await Count("#regimen-table tbody tr[data-regimen]") >= 3);
        Assert.True(await Count("#curves-figure svg path") > 0, "no curve is drawn");
        Assert.False((await Browser.EvaluateAsync("document.querySelector('#board .needs-role').hidden"))!.GetValue<bool>());
        Assert.False((await Browser.EvaluateAsync("document.querySelector('#feed .needs-role').hidden"))!.GetValue<bool>());
        Assert.Contains("needs a clinician or auditor token", await Text("#board"));
        Assert.Contains("needs a clinician or auditor token", await Text("#feed"));
        Assert.Equal(0, await Count("#board-table tbody tr"));

        // A case recorded now does not reach the analyst's page either.
        await Record(site.Cases[3].CaseId, FollowUp("2016-07-01"));
        await Task.Delay(1000);
        var html = (await Browser.EvaluateAsync("document.documentElement.outerHTML"))!.GetValue<string>();
        foreach (var (caseId, patientRef, _) in site.Cases)
        {
            Assert.DoesNotContain(patientRef, html);
            Assert.DoesNotContain(caseId.ToString(), html);
        }
        var requested = (await Browser.EvaluateAsync("performance.getEntriesByType('resource').map(r => new URL(r.name).pathname)"))!
            .AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("/cohorts/regimens", requested);
        Assert.DoesNotContain(requested, p => p.StartsWith("/cases", StringComparison.Ordinal) || p == "/feed");
    }
}
