using System.Buffers.Binary;
using System.Diagnostics;
using System.Xml.Linq;
using Alba;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary><c>GET /cases/{caseId}/timeline.svg</c> on the founding case, checked as XML and rendered by a real browser.</summary>
public sealed class TimelineSvgRouteTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const string Chromium = "/usr/bin/chromium";

    private async Task<Guid> ImportDemo()
    {
        var file = await File.ReadAllTextAsync(CaseFiles.PathOf(CaseFiles.FoundingCase));
        var imported = await Api.Post("/cases/import", file);
        Assert.Equal(201, imported.Status);
        return imported.Json["caseId"]!.GetValue<Guid>();
    }

    private async Task<(int Status, string ContentType, string Body)> GetSvg(string url)
    {
        var result = await Host.Scenario(s =>
        {
            s.WithBearerToken(Fixture.ClinicianToken);
            s.Get.Url(url);
            s.IgnoreStatusCode();
        });
        return (result.Context.Response.StatusCode, result.Context.Response.ContentType ?? "", await result.ReadAsTextAsync());
    }

    private static IEnumerable<XElement> WithClass(XElement root, string css) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class") ?? "").Split(' ').Contains(css));

    private static double Number(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_founding_case_is_drawn_with_a_bar_per_line_and_every_year()
    {
        var caseId = await ImportDemo();

        var (status, contentType, body) = await GetSvg($"/cases/{caseId}/timeline.svg");

        Assert.Equal(200, status);
        Assert.StartsWith("image/svg+xml", contentType);
        var root = XDocument.Parse(body).Root!;
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("Case IMT-ALK-0001 — timeline", (string?)root.Element(Svg + "title"));

        var lines = (await Api.Get($"/cases/{caseId}/lines")).Json["lines"]!.AsArray();
        var bars = WithClass(root, "line-bar").ToList();
        Assert.Equal(lines.Count, bars.Count);
        Assert.Equal(lines.Select(l => l!["number"]!.GetValue<int>().ToString()), bars.Select(b => (string)b.Attribute("data-line")!));
        var crizotinib = Assert.Single(bars, b => b.Parent!.Elements(Svg + "text").Any(t => t.Value.EndsWith(" crizotinib")));
        Assert.Equal(("2012-02", "2021-08"), ((string)crizotinib.Attribute("data-start")!, (string)crizotinib.Attribute("data-end")!));

        var years = WithClass(root, "year").Select(t => int.Parse(t.Value)).ToHashSet();
        Assert.Superset(Enumerable.Range(2007, 2023 - 2007 + 1).ToHashSet(), years);
        Assert.Single(WithClass(root, "death"));
    }

    [Fact]
    public async Task The_founding_case_timeline_ends_at_the_death_and_says_which_estimates_it_used()
    {
        var caseId = await ImportDemo();

        var timeline = (await Api.Get($"/cases/{caseId}/timeline")).Json;
        Assert.Equal("2023-03", (string?)timeline["to"]);
        Assert.NotNull(timeline["estimatesUsed"]!.AsArray());
        Assert.Equal("2023-03", (string?)(await Api.Get($"/cases/{caseId}/timeline?asOf=2030-01-01")).Json["to"]);
        Assert.Equal("2015-06-01", (string?)(await Api.Get($"/cases/{caseId}/timeline?asOf=2015-06-01")).Json["to"]);

        var (_, _, body) = await GetSvg($"/cases/{caseId}/timeline.svg");
        var root = XDocument.Parse(body).Root!;
        var axis = WithClass(root, "axis-line").Single();
        var death = WithClass(root, "death-period").Single();
        Assert.Equal(Number(axis, "x2"), Number(death, "x") + Number(death, "width"), 0.2);
        Assert.DoesNotContain(WithClass(root, "year"), t => int.Parse(t.Value) > 2023);

        var crizotinib = WithClass(root, "line-bar").Single(b => (string?)b.Attribute("data-start") == "2012-02");
        var change = Assert.Single(WithClass(root, "dose-change"));
        Assert.Equal((string?)crizotinib.Attribute("data-line"), (string?)change.Attribute("data-line"));
        Assert.Contains("crizotinib reduced to 200 mg", change.Element(Svg + "title")!.Value);

        var progressions = root.Descendants().Where(e => (string?)e.Attribute("data-type") == "progression-observed").ToList();
        Assert.Equal(10, progressions.Count);
        var metastatic = progressions.Single(p => (string?)p.Attribute("data-start") == "2012-02");
        var label = string.Join(" ", metastatic.Descendants(Svg + "tspan").Select(t => t.Value));
        Assert.Contains("liver, left adrenal gland, brain (lesion 1), brain (lesion 2)", label);
    }

    [Fact]
    public async Task It_takes_the_replay_parameters_of_every_read_route()
    {
        var caseId = await ImportDemo();

        var (status, _, body) = await GetSvg($"/cases/{caseId}/timeline.svg?asOf=2015-06-01");
        Assert.Equal(200, status);
        var bars = WithClass(XDocument.Parse(body).Root!, "line-bar").ToList();
        Assert.Equal(5, bars.Count);
        Assert.Contains("active", ((string)bars[^1].Attribute("class")!).Split(' '));
        Assert.Equal("2015-06-01", (string?)bars[^1].Attribute("data-end"));

        Assert.Equal(400, (await GetSvg($"/cases/{caseId}/timeline.svg?asOf=2015-06")).Status);
        Assert.Equal(200, (await GetSvg($"/cases/{caseId}/timeline.svg?knownAt={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"))}")).Status);
    }

    [Fact]
    public async Task An_unknown_case_is_404()
    {
        var (status, _, _) = await GetSvg($"/cases/{Guid.NewGuid()}/timeline.svg");
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task A_real_browser_renders_the_founding_case_timeline()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is not installed: run ops/test, which installs Debian's chromium for the browser tests.");
        var caseId = await ImportDemo();
        var (status, _, body) = await GetSvg($"/cases/{caseId}/timeline.svg");
        Assert.Equal(200, status);

        var work = Directory.CreateTempSubdirectory("timeline-svg-");
        try
        {
            var svg = Path.Combine(work.FullName, "timeline.svg");
            var png = Path.Combine(work.FullName, "timeline.png");
            await File.WriteAllTextAsync(svg, body);

            var (exitCode, output) = await RunChromium(png, svg, Path.Combine(work.FullName, "profile"));

            Assert.True(File.Exists(png), $"chromium (exit {exitCode}) wrote no screenshot:\n{output}");
            var bytes = await File.ReadAllBytesAsync(png);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            Assert.Equal(1600, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
            Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
            // A blank 1600x900 page compresses to a few KB; the drawn timeline, with its text and bars, to far more.
            Assert.True(bytes.Length > 20_000, $"the screenshot is {bytes.Length} bytes: the page looks blank");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Lays out every line of text of the page's SVG in the browser, with its real font, and lists what lies outside the
    /// picture or on top of another text (overlaps under half a pixel are rounding).
    /// </summary>
    private const string MeasureTexts = """
        const svg = document.querySelector('svg');
        const frame = svg.getBoundingClientRect();
        const view = svg.viewBox.baseVal;
        const boxes = [];
        for (const text of svg.querySelectorAll('text')) {
          const lines = text.querySelectorAll('tspan').length > 0 ? [...text.querySelectorAll('tspan')] : [text];
          for (const line of lines) {
            const r = line.getBoundingClientRect();
            boxes.push({ text: line.textContent, left: r.left - frame.left, right: r.right - frame.left, top: r.top - frame.top, bottom: r.bottom - frame.top });
          }
        }
        const problems = [];
        for (const b of boxes)
          if (b.left < 0 || b.top < 0 || b.right > view.width || b.bottom > view.height) problems.push('outside: ' + b.text);
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5)
              problems.push('overlap: ' + a.text + ' / ' + b.text);
          }
        const result = document.createElement('pre');
        result.id = 'result';
        result.textContent = boxes.length + ' texts' + (problems.length ? '\n' + problems.join('\n') : '');
        document.body.appendChild(result);
        """;

    [Fact]
    public async Task In_a_real_browser_no_text_of_the_founding_case_is_cut_off_or_overlaps_another()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is not installed: run ops/test, which installs Debian's chromium for the browser tests.");
        var caseId = await ImportDemo();
        var (_, _, body) = await GetSvg($"/cases/{caseId}/timeline.svg");
        var svg = body[body.IndexOf("<svg", StringComparison.Ordinal)..];

        var work = Directory.CreateTempSubdirectory("timeline-svg-");
        try
        {
            var page = Path.Combine(work.FullName, "timeline.html");
            await File.WriteAllTextAsync(page,
                $"<!doctype html><html><head><meta charset=\"utf-8\"><style>body {{ margin: 0 }}</style></head><body>{svg}<script>{MeasureTexts}</script></body></html>");

            var (exitCode, output) = await RunChromium(["--dump-dom"], page, Path.Combine(work.FullName, "profile"));

            var start = output.IndexOf("<pre id=\"result\">", StringComparison.Ordinal);
            Assert.True(start >= 0, $"chromium (exit {exitCode}) gave no measurements:\n{output}");
            var result = System.Net.WebUtility.HtmlDecode(output[(start + "<pre id=\"result\">".Length)..output.IndexOf("</pre>", start, StringComparison.Ordinal)]);
            var lines = result.Split('\n');
            Assert.Matches(@"^[1-9]\d* texts$", lines[0]);
            Assert.True(lines.Length == 1, $"in chromium, {result}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output)> RunChromium(string png, string svg, string profile) =>
        RunChromium([$"--screenshot={png}", "--window-size=1600,900"], svg, profile);

    private static async Task<(int ExitCode, string Output)> RunChromium(string[] task, string file, string profile)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", .. task, new Uri(file).AbsoluteUri,
        ];
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish within 120 s:\n{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
