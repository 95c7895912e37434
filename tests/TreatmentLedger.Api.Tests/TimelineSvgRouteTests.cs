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
        var file = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Cases", "imt-alk-case.json"));
        var imported = await Api.Post("/cases/import", file);
        Assert.Equal(201, imported.Status);
        return imported.Json["caseId"]!.GetValue<Guid>();
    }

    private async Task<(int Status, string ContentType, string Body)> GetSvg(string url)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.IgnoreStatusCode();
        });
        return (result.Context.Response.StatusCode, result.Context.Response.ContentType ?? "", await result.ReadAsTextAsync());
    }

    private static IEnumerable<XElement> WithClass(XElement root, string css) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class") ?? "").Split(' ').Contains(css));

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

    private static async Task<(int ExitCode, string Output)> RunChromium(string png, string svg, string profile)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", $"--screenshot={png}",
                     "--window-size=1600,900", new Uri(svg).AbsoluteUri,
                 })
            start.ArgumentList.Add(argument);

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
