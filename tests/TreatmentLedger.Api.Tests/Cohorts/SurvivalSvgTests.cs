using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Api.Tests.Cohorts;

/// <summary>The survival picture, pure: drawn from a comparison built here, read back as XML.</summary>
public sealed class SurvivalSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const string TrickyRegimen = "Carboplatin <AUC 5> & \"pemetrexed\"";

    /// <summary>
    /// The 6-MP against placebo leukaemia trial (weeks) with each week drawn as 30 days, so that the curves span 35 × 30 days = 34.5 months:
    /// 6-MP 6, 6, 6, 7, 10, 13, 16, 22, 23 and 6+, 9+, 10+, 11+, 17+, 19+, 20+, 25+, 32+, 32+, 34+, 35+; placebo 1, 1,
    /// 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23.
    /// </summary>
    private static IReadOnlyList<LineFact> Trial()
    {
        LineFact Fact(string regimen, int weeks, bool died)
        {
            var time = new TimeToEvent(weeks * 30, died);
            return new LineFact(1, regimen, RegimenKey.Of(regimen), ClinicalDate.Parse("2020-01-01"), !died, died ? "progression" : null,
                time, time, null, []);
        }
        return
        [
            .. new[] { 6, 6, 6, 7, 10, 13, 16, 22, 23 }.Select(w => Fact("6-MP", w, true)),
            .. new[] { 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35 }.Select(w => Fact("6-MP", w, false)),
            .. new[] { 1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23 }.Select(w => Fact(TrickyRegimen, w, true)),
        ];
    }

    private static SurvivalComparison Comparison(params string[] regimens) => SurvivalComparison.Of("pfs", regimens, Trial());

    private static (string Text, XElement Root) Render(SurvivalComparison comparison)
    {
        var svg = SurvivalSvg.Render(comparison);
        return (svg, XDocument.Parse(svg).Root!);
    }

    private static bool HasClass(XElement element, string css) =>
        ((string?)element.Attribute("class") ?? "").Split(' ').Contains(css);

    private static IEnumerable<XElement> WithClass(XElement root, string css) => root.Descendants().Where(e => HasClass(e, css));

    private static double Number(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static XElement Tick(XElement root, string data, string value) =>
        WithClass(root, "tick").Single(t => (string?)t.Attribute(data) == value);

    /// <summary>The x of a time in months, read from the first and the last month ticks.</summary>
    private static double MonthX(XElement root, double months)
    {
        var ticks = WithClass(root, "tick").Where(t => t.Attribute("data-month") is not null).ToList();
        var (x0, last) = (Number(ticks[0], "x1"), ticks[^1]);
        return x0 + months * (Number(last, "x1") - x0) / (int)last.Attribute("data-month")!;
    }

    private static double DayX(XElement root, int days) => MonthX(root, days / Duration.DaysPerMonth);

    /// <summary>The y of a survival, read from the survival ticks 0 and 1.</summary>
    private static double SurvivalY(XElement root, double survival)
    {
        var y0 = Number(Tick(root, "data-survival", "0"), "y1");
        return y0 + survival * (Number(Tick(root, "data-survival", "1"), "y1") - y0);
    }

    private static List<(char Command, double[] Values)> PathCommands(XElement path) =>
        Regex.Matches((string)path.Attribute("d")!, @"([MHVhv])(-?[\d.]+)(?:,(-?[\d.]+))?")
            .Select(m => (m.Groups[1].Value[0], m.Groups.Values.Skip(2).Where(g => g.Success)
                .Select(g => double.Parse(g.Value, CultureInfo.InvariantCulture)).ToArray()))
            .ToList();

    [Fact]
    public void It_is_a_standalone_svg_document_with_a_title_and_a_style()
    {
        var (text, root) = Render(Comparison("6-mp", TrickyRegimen));

        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", text);
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("1.1", (string?)root.Attribute("version"));
        Assert.NotNull(root.Attribute("viewBox"));
        Assert.Equal("Progression-free survival by regimen", (string?)root.Element(Svg + "title"));
        Assert.NotNull(root.Element(Svg + "style"));
        Assert.Equal(SurvivalSvg.Render(Comparison("6-mp", TrickyRegimen)), text);
    }

    [Fact]
    public void Each_group_is_a_step_curve_from_1_down_at_each_event_time_to_its_survival_in_its_own_colour()
    {
        var comparison = Comparison("6-mp", TrickyRegimen);
        var (_, root) = Render(comparison);

        var curves = WithClass(root, "curve").ToList();
        Assert.Equal(["6-mp", RegimenKey.Of(TrickyRegimen)], curves.Select(c => (string)c.Attribute("data-regimen")!));
        Assert.Equal(2, curves.Select(c => (string)c.Attribute("class")!).Distinct().Count());
        for (var g = 0; g < 2; g++)
        {
            var commands = PathCommands(curves[g]);
            Assert.Equal(('M', DayX(root, 0), SurvivalY(root, 1)), (commands[0].Command, commands[0].Values[0], commands[0].Values[1]), Close);
            var steps = comparison.Groups[g].Curve.Where(p => p.Events > 0).ToList();
            var drops = commands.Skip(1).Chunk(2).Where(pair => pair.Length == 2).ToList();
            Assert.Equal(steps.Count, drops.Count);
            for (var i = 0; i < steps.Count; i++)
            {
                Assert.Equal(('H', 'V'), (drops[i][0].Command, drops[i][1].Command));
                Assert.Equal(DayX(root, steps[i].Days), drops[i][0].Values[0], 0.1);
                Assert.Equal(SurvivalY(root, steps[i].Survival), drops[i][1].Values[0], 0.1);
            }
            Assert.Equal(('H', DayX(root, comparison.Groups[g].Curve[^1].Days)), (commands[^1].Command, commands[^1].Values[0]), CloseX);
        }
        // The placebo curve ends at 0, at its last death (23 weeks).
        Assert.Equal(SurvivalY(root, 0), PathCommands(curves[1])[^2].Values[0], 0.1);
    }

    [Fact]
    public void A_censor_mark_stands_at_each_time_where_lines_were_censored_on_its_curve()
    {
        var (_, root) = Render(Comparison("6-mp", TrickyRegimen));

        var marks = WithClass(root, "censor").ToList();
        // 6-MP is censored at 11 distinct times (twice at 32 weeks); placebo never.
        Assert.Equal(11, marks.Count);
        Assert.All(marks, m => Assert.Equal("0", (string?)m.Attribute("data-group")));
        Assert.Equal(12, marks.Sum(m => (int)m.Attribute("data-count")!));
        Assert.Equal(new[] { 6, 9, 10, 11, 17, 19, 20, 25, 32, 34, 35 }.Select(w => w * 30), marks.Select(m => (int)m.Attribute("data-days")!));
        var at25 = PathCommands(marks.Single(m => (int)m.Attribute("data-days")! == 750));
        // A + centred on (x of 750 days, y of S = 0.448): its horizontal stroke from x - 4, its vertical one from y - 4.
        Assert.Equal(DayX(root, 750) - 4, at25[0].Values[0], 0.15);
        Assert.Equal(SurvivalY(root, 0.4482), at25[0].Values[1], 0.15);
        Assert.Equal(DayX(root, 750), at25[2].Values[0], 0.15);
    }

    [Fact]
    public void The_axis_is_in_months_and_the_number_at_risk_is_under_it_one_row_per_group()
    {
        var comparison = Comparison("6-mp", TrickyRegimen);
        var (_, root) = Render(comparison);

        // 35 weeks × 30 days = 34.5 months: ticks every 6 months up to 36.
        Assert.Equal(["0", "6", "12", "18", "24", "30", "36"], WithClass(root, "month").Select(t => t.Value));
        var axisY = Number(WithClass(root, "axis-line").Single(l => HasClass(l, "x")), "y1");
        var rows = WithClass(root, "at-risk-row").ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows.SelectMany(r => r.Descendants(Svg + "text")), t => Assert.True(Number(t, "y") > axisY + 40));
        Assert.Equal(["0", "6", "12", "24", "36"], WithClass(root, "at-risk-month").Select(t => t.Value));

        // Months 6, 12, 24, 36 begin at 182.6, 365.25, 730.5, 1095.75 days, i.e. after 6.1, 12.2, 24.4, 36.5 weeks × 30.
        Assert.Equal(["21", "17", "12", "5", "0"], WithClass(rows[0], "at-risk").Select(t => t.Value));
        Assert.Equal(["21", "12", "4", "0", "0"], WithClass(rows[1], "at-risk").Select(t => t.Value));
        Assert.Equal(comparison.Groups[0].AtRisk.Take(5).Select(a => a.N.ToString(CultureInfo.InvariantCulture)),
            WithClass(rows[0], "at-risk").Select(t => t.Value));
        foreach (var cell in WithClass(rows[0], "at-risk"))
        {
            var month = (int)cell.Attribute("data-month")!;
            Assert.Equal(MonthX(root, month), Number(cell, "x"), 0.2);
        }
        Assert.Equal("6-mp", WithClass(rows[0], "at-risk-label").Single().Value);
    }

    [Fact]
    public void The_legend_gives_each_regimen_with_n_and_median_in_months_and_the_log_rank_p_value()
    {
        var (_, root) = Render(Comparison("6-mp", TrickyRegimen));

        var legend = WithClass(root, "legend").Single();
        // Medians 23 and 8 weeks: 690 and 240 days; limits 16 (480 days), none; 4 (120) and 12 (360).
        Assert.Equal(
            [
                "6-mp — n = 21, median 22.7 months (95 % CI 15.8 to not reached)",
                "carboplatin <auc 5> & \"pemetrexed\" — n = 21, median 7.9 months (95 % CI 3.9 to 11.8)",
            ],
            WithClass(legend, "legend-text").Select(t => t.Value));
        Assert.Equal("log-rank p = 4.2e-05 (chi-square 16.79 on 1 df)", WithClass(legend, "legend-logrank").Single().Value);
    }

    [Fact]
    public void Text_is_escaped()
    {
        var (text, _) = Render(Comparison("6-mp", TrickyRegimen));

        Assert.DoesNotContain("<auc 5>", text);
        Assert.Contains("carboplatin &lt;auc 5&gt; &amp;", text);
    }

    [Fact]
    public void A_regimen_without_lines_has_no_curve_a_median_not_reached_and_leaves_no_test()
    {
        var (_, root) = Render(Comparison("6-mp", "unknown regimen"));

        Assert.Single(WithClass(root, "curve"));
        Assert.Equal("unknown regimen — n = 0, median not reached", WithClass(root, "legend-text").Last().Value);
        Assert.Equal(["0", "0", "0", "0", "0"], WithClass(WithClass(root, "at-risk-row").Last(), "at-risk").Select(t => t.Value));
        Assert.StartsWith("log-rank: no test", WithClass(root, "legend-logrank").Single().Value);
    }

    [Fact]
    public void Every_text_lies_inside_the_picture_and_a_long_regimen_is_shortened_with_its_full_name_on_hover()
    {
        var longName = "a regimen with a remarkably long name that goes on " + string.Join(" ", Enumerable.Repeat("and on", 30));
        var (_, root) = Render(Comparison("6-mp", TrickyRegimen, longName));

        var row = WithClass(root, "at-risk-row").Last();
        Assert.EndsWith("…", WithClass(row, "at-risk-label").Single().Value);
        Assert.Equal(longName, row.Element(Svg + "title")!.Value);
        Assert.EndsWith("… — n = 0, median not reached", WithClass(root, "legend-text").Last().Value);
        var viewBox = ((string)root.Attribute("viewBox")!).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        foreach (var text in root.Descendants(Svg + "text"))
        {
            var fontSize = text.AncestorsAndSelf().Select(e => (string?)e.Attribute("font-size")).First(s => s is not null)!;
            var size = double.Parse(fontSize, CultureInfo.InvariantCulture);
            var width = TreatmentLedger.Api.Svg.SvgWriting.TextWidth(text.Value, size, (string?)text.Attribute("font-weight") == "bold");
            var anchor = (string?)text.Attribute("text-anchor") ?? "start";
            var left = Number(text, "x") - anchor switch { "middle" => width / 2, "end" => width, _ => 0 };
            Assert.True(left >= 0 && left + width <= viewBox[2], $"'{text.Value}' runs past the edges");
            Assert.InRange(Number(text, "y"), size, viewBox[3]);
        }
    }

    private static readonly IEqualityComparer<(char, double, double)> Close =
        EqualityComparer<(char, double, double)>.Create((a, b) =>
            a.Item1 == b.Item1 && Math.Abs(a.Item2 - b.Item2) < 0.1 && Math.Abs(a.Item3 - b.Item3) < 0.1);

    private static readonly IEqualityComparer<(char, double)> CloseX =
        EqualityComparer<(char, double)>.Create((a, b) => a.Item1 == b.Item1 && Math.Abs(a.Item2 - b.Item2) < 0.1);
}
