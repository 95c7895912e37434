using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using TreatmentLedger.Api.Timeline;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Cohorts;

using static TreatmentLedger.Api.Svg.SvgWriting;

namespace TreatmentLedger.Api.Cohorts;

/// <summary>
/// Draws a <see cref="SurvivalComparison"/> as a standalone SVG 1.1 document: one Kaplan–Meier step curve per regimen,
/// a + at each time where lines were censored, months along the x axis, the number at risk under it (a row per
/// regimen at 0, 6, 12, 24, 36 and 60 months), and a legend with each regimen's n and median and the log-rank p-value.
/// Pure and deterministic, drawn with the conventions of <see cref="TimelineSvg"/> (sizes as attributes, colours in
/// the style, user text cleaned and left to System.Xml.Linq to escape).
/// </summary>
public static class SurvivalSvg
{

    public const double Width = 960;
    public const double LabelSize = 12;
    private const double PlotLeft = 170, PlotRight = 930, PlotHeight = 320, Margin = 6;
    private const double RowHeight = 20, CensorHalf = 4;

    /// <summary>
    /// One colour per regimen, in request order; the first ones are the timeline's. Past ten regimens they repeat.
    /// </summary>
    private static readonly string[] Palette =
        ["#1f5fa8", "#d62728", "#2e7d32", "#8e44ad", "#f39c12", "#17a2b8", "#8c564b", "#e377c2", "#555555", "#9a9a1f"];

    private static readonly int[] TickSteps = [6, 12, 24, 60];
    private const int MaxTicks = 10;

    /// <summary>Months along x from 0 to <see cref="EndMonths"/>, survival along y from 0 (bottom) to 1 (top).</summary>
    private sealed record Scale(int EndMonths, int Step, double Top)
    {
        public double Bottom => Top + PlotHeight;

        public double XOfMonths(double months) => PlotLeft + months * (PlotRight - PlotLeft) / EndMonths;

        public double X(int days) => XOfMonths(days / Duration.DaysPerMonth);

        public double Y(double survival) => Bottom - survival * PlotHeight;

        /// <summary>
        /// The smallest step of 6, 12, 24 or 60 months that needs at most ten ticks, and the axis up to the first tick at
        /// or past the last time drawn (at least one step).
        /// </summary>
        public static Scale Of(IEnumerable<SurvivalGroup> groups, double top)
        {
            var lastMonths = groups.SelectMany(g => g.Curve).Select(p => p.Days / Duration.DaysPerMonth).DefaultIfEmpty(0).Max();
            var step = TickSteps.FirstOrDefault(s => Math.Ceiling(lastMonths / s) <= MaxTicks, 120);
            var ticks = Math.Max(1, (int)Math.Ceiling(lastMonths / step));
            return new Scale(ticks * step, step, top);
        }
    }

    public static string Title(string endpoint) => endpoint switch
    {
        SurvivalComparison.Pfs => "Progression-free survival by regimen",
        SurvivalComparison.Ttd => "Time to treatment discontinuation by regimen",
        _ => endpoint,
    };

    private static string YAxisTitle(string endpoint) => endpoint switch
    {
        SurvivalComparison.Pfs => "progression-free",
        SurvivalComparison.Ttd => "still on the line",
        _ => "survival",
    };

    public static string Render(SurvivalComparison comparison, string? title = null)
    {
        var cleanTitle = Clean(title ?? Title(comparison.Endpoint));
        var groups = comparison.Groups;
        var (legend, legendHeight) = Legend(comparison, 56);
        var scale = Scale.Of(groups, 56 + legendHeight + 30);
        var curves = E("g", A("class", "curves"));
        var marks = E("g", A("class", "censor-marks"));
        for (var i = 0; i < groups.Count; i++)
        {
            if (groups[i].Curve.Count == 0) continue;
            curves.Add(E("path", A("class", $"curve {GroupClass(i)}"), A("data-group", i), A("data-regimen", Clean(groups[i].Regimen)),
                A("d", StepPath(groups[i].Curve, scale))));
            foreach (var point in groups[i].Curve.Where(p => p.Censored > 0))
            {
                var (x, y) = (scale.X(point.Days), scale.Y(point.Survival));
                marks.Add(E("path", A("class", $"censor {GroupClass(i)}"), A("data-group", i), A("data-days", point.Days),
                    A("data-count", point.Censored),
                    A("d", $"M{Num(x - CensorHalf)},{Num(y)} h{Num(2 * CensorHalf)} M{Num(x)},{Num(y - CensorHalf)} v{Num(2 * CensorHalf)}")));
            }
        }
        var (atRisk, atRiskBottom) = AtRiskTable(groups, scale, scale.Bottom + 58);
        var height = atRiskBottom + 14;

        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new XElement(Ns + "svg",
            A("version", "1.1"), A("width", Width), A("height", height), A("viewBox", $"0 0 {Num(Width)} {Num(height)}"),
            A("font-size", LabelSize), A("data-endpoint", Clean(comparison.Endpoint)),
            E("title", cleanTitle),
            E("style", Style()),
            E("rect", A("class", "background"), A("width", Width), A("height", height)),
            E("text", A("class", "title"), A("font-size", 18), Bold, A("x", 12), A("y", 30),
                Shorten(cleanTitle, Width - 24, 18, bold: true)),
            legend,
            Grid(scale),
            E("text", A("class", "y-title"), A("x", PlotLeft), A("y", scale.Top - 12), YAxisTitle(comparison.Endpoint)),
            curves,
            marks,
            Axes(scale),
            atRisk) + "\n";
    }

    /// <summary>From (0, 1) across to each event time, down to the survival after it, and across to the last time.</summary>
    private static string StepPath(IReadOnlyList<SurvivalPoint> curve, Scale scale)
    {
        var d = new StringBuilder($"M{Num(scale.X(0))},{Num(scale.Y(1))}");
        foreach (var point in curve.Where(p => p.Events > 0))
            d.Append($" H{Num(scale.X(point.Days))} V{Num(scale.Y(point.Survival))}");
        d.Append($" H{Num(scale.X(curve[^1].Days))}");
        return d.ToString();
    }

    /// <summary>Horizontal lines at each quarter of the survival, the one at one half stronger (where medians are read).</summary>
    private static XElement Grid(Scale scale)
    {
        var grid = E("g", A("class", "grid"));
        foreach (var quarter in new[] { 0.25, 0.5, 0.75, 1 })
            grid.Add(E("line", quarter == 0.5 ? A("class", "half") : null, A("x1", PlotLeft), A("x2", PlotRight),
                A("y1", scale.Y(quarter)), A("y2", scale.Y(quarter))));
        return grid;
    }

    /// <summary>The survival axis in per cent on the left, the months axis at the bottom with a tick every step.</summary>
    private static XElement Axes(Scale scale)
    {
        var axes = E("g", A("class", "axis"),
            E("line", A("class", "axis-line y"), A("x1", PlotLeft), A("x2", PlotLeft), A("y1", scale.Top), A("y2", scale.Bottom)),
            E("line", A("class", "axis-line x"), A("x1", PlotLeft), A("x2", PlotRight), A("y1", scale.Bottom), A("y2", scale.Bottom)));
        foreach (var quarter in new[] { 0, 0.25, 0.5, 0.75, 1 })
        {
            var y = scale.Y(quarter);
            axes.Add(E("line", A("class", "tick y"), A("data-survival", quarter.ToString(CultureInfo.InvariantCulture)),
                    A("x1", PlotLeft - 6), A("x2", PlotLeft), A("y1", y), A("y2", y)),
                E("text", A("class", "tick-label"), A("x", PlotLeft - 10), A("y", y + 4), A("text-anchor", "end"),
                    string.Create(CultureInfo.InvariantCulture, $"{quarter * 100:0} %")));
        }
        for (var month = 0; month <= scale.EndMonths; month += scale.Step)
        {
            var x = scale.XOfMonths(month);
            axes.Add(E("line", A("class", "tick x"), A("data-month", month),
                    A("x1", x), A("x2", x), A("y1", scale.Bottom), A("y2", scale.Bottom + 6)),
                E("text", A("class", "tick-label month"), A("x", x), A("y", scale.Bottom + 20), A("text-anchor", "middle"),
                    month.ToString(CultureInfo.InvariantCulture)));
        }
        axes.Add(E("text", A("class", "x-title"), A("x", (PlotLeft + PlotRight) / 2), A("y", scale.Bottom + 40), A("text-anchor", "middle"),
            "months from the start of the line"));
        return axes;
    }

    /// <summary>
    /// "Number at risk": a header with the months, then one row per regimen, each number centred under its month. The
    /// months past the axis's end are left out (no line is at risk there); where months lie too close for their numbers,
    /// a column moves right just enough to keep clear of the one before.
    /// </summary>
    private static (XElement Table, double Bottom) AtRiskTable(IReadOnlyList<SurvivalGroup> groups, Scale scale, double top)
    {
        var months = KaplanMeier.AtRiskMonths.Where(m => m <= scale.EndMonths).ToList();
        var columns = new List<double>();
        var previousRight = double.MinValue;
        foreach (var month in months)
        {
            var texts = groups.Select(g => Count(g, month)).Append(month.ToString(CultureInfo.InvariantCulture));
            var half = texts.Max(t => TextWidth(t, LabelSize)) / 2;
            var x = Math.Max(scale.XOfMonths(month), previousRight + 6 + half);
            columns.Add(x);
            previousRight = x + half;
        }
        var table = E("g", A("class", "at-risk-table"),
            E("text", A("class", "at-risk-title"), Bold, A("x", 12), A("y", top), "Number at risk"),
            months.Select((m, c) => E("text", A("class", "at-risk-month"), A("data-month", m), A("x", columns[c]), A("y", top),
                A("text-anchor", "middle"), m.ToString(CultureInfo.InvariantCulture))));
        for (var i = 0; i < groups.Count; i++)
        {
            var y = top + (i + 1) * RowHeight;
            var row = E("g", A("class", "at-risk-row"), A("data-group", i), E("title", Clean(groups[i].Regimen)),
                E("text", A("class", $"at-risk-label {GroupClass(i)}"), Bold, A("x", 12), A("y", y),
                    Shorten(Clean(groups[i].Regimen), PlotLeft - 24 - 12, LabelSize, bold: true)));
            for (var c = 0; c < months.Count; c++)
                row.Add(E("text", A("class", "at-risk"), A("data-month", months[c]), A("x", columns[c]), A("y", y), A("text-anchor", "middle"),
                    Count(groups[i], months[c])));
            table.Add(row);
        }
        return (table, top + groups.Count * RowHeight);
    }

    private static string Count(SurvivalGroup group, int month) =>
        (group.AtRisk.FirstOrDefault(a => a.Month == month)?.N ?? 0).ToString(CultureInfo.InvariantCulture);

    /// <summary>One row per regimen (its colour, a censor mark, n and median), then the log-rank test.</summary>
    private static (XElement Legend, double Height) Legend(SurvivalComparison comparison, double top)
    {
        var legend = E("g", A("class", "legend"));
        var y = top;
        for (var i = 0; i < comparison.Groups.Count; i++)
        {
            var group = comparison.Groups[i];
            var details = $" — n = {group.N}, {MedianText(group.Median)}";
            var regimenRoom = Width - Margin - 60 - TextWidth(details, LabelSize);
            legend.Add(E("g", A("class", "legend-group"), A("data-group", i), E("title", Clean(group.Regimen)),
                E("line", A("class", $"legend-line {GroupClass(i)}"), A("x1", 14), A("x2", 40), A("y1", y - 4), A("y2", y - 4)),
                E("path", A("class", $"legend-censor {GroupClass(i)}"), A("d", $"M23,{Num(y - 4)} h8 M27,{Num(y - 8)} v8")),
                E("text", A("class", "legend-text"), A("x", 48), A("y", y), Shorten(Clean(group.Regimen), regimenRoom, LabelSize) + details)));
            y += RowHeight;
        }
        legend.Add(E("text", A("class", "legend-logrank"), A("x", 14), A("y", y), LogRankText(comparison)));
        return (legend, y - top + 4);
    }

    private static string MedianText(MedianSurvival median)
    {
        if (median.Days is not { } days) return "median not reached";
        static string Limit(int? limit) => limit is { } d ? Months(d) : "not reached";
        return $"median {Months(days)} months (95 % CI {Limit(median.LowerDays)} to {Limit(median.UpperDays)})";
    }

    private static string LogRankText(SurvivalComparison comparison) => comparison.LogRank switch
    {
        { } test => string.Create(CultureInfo.InvariantCulture,
            $"log-rank p = {PValue(test.P)} (chi-square {test.ChiSquare:0.00} on {test.Df} df)"),
        null when comparison.Groups.Count < 2 => "log-rank: one regimen, nothing to compare",
        null => "log-rank: no test (a regimen without lines, or no events to compare)",
    };

    private static string PValue(double p) =>
        p.ToString(p >= 0.001 ? "0.000" : "0.0e+00", CultureInfo.InvariantCulture);

    private static string Months(int days) => Duration.ToMonths(days).ToString("0.0", CultureInfo.InvariantCulture);

    private static string GroupClass(int group) => $"group-{group % Palette.Length}";

    private static string Style() =>
        """

        text { font-family: "Helvetica Neue", Helvetica, Arial, "DejaVu Sans", sans-serif; fill: #222; }
        .background { fill: #fff; }
        .grid line { stroke: #e4e7eb; stroke-width: 1; }
        .grid line.half { stroke: #c4c9d0; stroke-dasharray: 4 3; }
        .axis-line { stroke: #222; stroke-width: 2; }
        .tick { stroke: #222; stroke-width: 1.5; }
        .tick-label, .y-title, .x-title, .at-risk-month { fill: #555; }
        .curve { fill: none; stroke-width: 2.5; stroke-linejoin: miter; }
        .censor, .legend-censor { fill: none; stroke-width: 1.5; }
        .legend-line { stroke-width: 2.5; }

        """
        + string.Concat(Palette.Select((colour, i) =>
            $".group-{i} {{ stroke: {colour}; }} text.group-{i} {{ fill: {colour}; stroke: none; }}\n"))
        + "\n";
}
