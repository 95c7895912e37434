using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.Projections;

using static TreatmentLedger.Api.Svg.SvgWriting;

namespace TreatmentLedger.Api.Timeline;

/// <summary>
/// Draws a <see cref="TimelineView"/> as a standalone SVG 1.1 document, like Figure 1D of the founding report:
/// a time axis with the years; above it the local treatments (surgery, embolization, radiotherapy); below it the
/// diagnosis, the progressions with their sites, one bar per line of systemic therapy with its dose changes marked on
/// it, responses, toxicities and other events. A death is a dashed line across the drawing, where the axis ends.
/// Pure and deterministic: the same view and title always give the same text.
/// </summary>
/// <remarks>
/// Layout: x is proportional to days. A date known to the day is a point; a date known to the month or the year (or an
/// entry with an end) is a span from its earliest to its latest day, its marker in the middle. Within a lane, labels
/// that would collide go to further rows (greedily, in clinical order), never dropped; a label wraps to a few lines and
/// only then ends in an ellipsis, and every item carries its full text in a <c>&lt;title&gt;</c> shown on hover.
/// Text widths are estimated with <see cref="TextWidth"/>, so that nothing is placed past the picture's edges.
/// </remarks>
public static class TimelineSvg
{

    public const double Width = 1400;
    public const double LabelSize = 12;
    private const double PlotLeft = 150, PlotRight = 1370, Margin = 6;
    private const double RowHeight = 16, LineHeight = 15, Pad = 6;
    private const double MarkHalf = 7, LabelGap = 5, Clearance = 3;
    private const double BarHeight = 16, BarRow = 24;
    private const int WrapAt = 32, BarLabelMax = 44;

    /// <summary>A lane of marks; a label wraps to at most <see cref="MaxLines"/> lines.</summary>
    private sealed record LaneSpec(string Lane, string Title, int MaxLines, bool ShowEmpty);

    private static readonly LaneSpec[] AboveAxis =
        [new(Lanes.Surgery, "surgery", 2, true), new(Lanes.Radiotherapy, "radiotherapy", 2, true)];

    private static readonly LaneSpec DiagnosisLane = new(Lanes.Diagnosis, "diagnosis", 2, true);

    // The sites are the point of a progression mark: its label may take more lines than others.
    private static readonly LaneSpec ProgressionLane = new(Lanes.Progression, "progression", 6, false);

    private static readonly LaneSpec[] BelowLines =
        [new(Lanes.Response, "response", 1, false), new(Lanes.Toxicity, "toxicity", 2, false), new(Lanes.Other, "other", 2, false)];

    /// <summary>An item's period on the x axis (X1 == X2 for a point) and its label, placed at a row of its lane.</summary>
    private sealed record Mark(TimelineItem Item, double X1, double X2, int Row, Label Label)
    {
        public double Cx => (X1 + X2) / 2;
    }

    /// <summary>A label's lines, the x its text is anchored at (start, or end when it lies left of its mark), and its extent.</summary>
    private sealed record Label(IReadOnlyList<string> Lines, double TextX, bool Left, double From, double To);

    private sealed record LaneLayout(LaneSpec Spec, IReadOnlyList<Mark> Marks, int Rows)
    {
        public double Height => Math.Max(Rows, 1) * RowHeight + 2 * Pad;
    }

    /// <summary>
    /// Days from <see cref="From"/> (1 January of the first year) to <see cref="To"/> (exclusive: the day after the
    /// death for a deceased case, else 1 January after the last date shown), spread over the plot proportionally.
    /// </summary>
    private sealed record Scale(DateOnly From, DateOnly To)
    {
        public double X(DateOnly day) =>
            PlotLeft + (Clamp(day).DayNumber - From.DayNumber) * (PlotRight - PlotLeft) / (To.DayNumber - From.DayNumber);

        /// <summary>A full date with no other end is a point; anything else spans from its earliest to its latest day.</summary>
        public (double X1, double X2) Extent(ClinicalDate start, ClinicalDate? end)
        {
            var last = end ?? start;
            if (start.Precision == DatePrecision.Day && last == start) return (X(start.Anchor), X(start.Anchor));
            return (X(start.Earliest), X(DayAfter(last.Latest)));
        }

        public double PerYear => (PlotRight - PlotLeft) * 365.25 / (To.DayNumber - From.DayNumber);

        /// <summary>1 January of <paramref name="year"/>; past the calendar's last year, its last day.</summary>
        public static DateOnly NewYear(int year) => year > DateOnly.MaxValue.Year ? DateOnly.MaxValue : new DateOnly(year, 1, 1);

        /// <summary>The next day; the calendar's last day has none, and stands for itself.</summary>
        private static DateOnly DayAfter(DateOnly day) => day == DateOnly.MaxValue ? day : day.AddDays(1);

        private DateOnly Clamp(DateOnly day) => day < From ? From : day > To ? To : day;

        public static Scale Of(TimelineView view, TimelineItem? death)
        {
            var starts = view.Items.Select(i => i.Start.Earliest).DefaultIfEmpty(view.To.Earliest);
            var from = new DateOnly(starts.Min().Year, 1, 1);
            if (death is not null) return new Scale(from, death.Start.Latest.AddDays(1));
            var lasts = view.Items.Select(i => (i.End ?? i.Start).Latest).DefaultIfEmpty(view.To.Latest);
            var lastYear = lasts.Max().Year;
            // An open bar runs to asOf, which may be in the calendar's last year: the axis then ends on its last day.
            return new Scale(from, NewYear(lastYear + 1));
        }
    }

    /// <summary>Rows of occupied x-intervals: a block of n rows goes at the first row from which all n are free there.</summary>
    private sealed class Rows
    {
        private readonly List<List<(double From, double To)>> _rows = [];

        public int Count => _rows.Count;

        public int Take(double from, double to, int height)
        {
            var row = 0;
            while (!Enumerable.Range(row, height).All(r => r >= _rows.Count || _rows[r].All(s => s.To <= from || to <= s.From))) row++;
            while (_rows.Count < row + height) _rows.Add([]);
            for (var r = row; r < row + height; r++) _rows[r].Add((from, to));
            return row;
        }
    }

    public static string Render(TimelineView view, string title)
    {
        var entries = view.Items.Where(i => i.Kind == "entry").ToList();
        var bars = view.Items.Where(i => i.Kind == "line").OrderBy(i => i.Line).ToList();
        var death = entries.FirstOrDefault(i => i.Type == EntryTypes.NameOf<PatientDied>());
        var scale = Scale.Of(view, death);
        var estimated = view.EstimatesUsed.ToDictionary(e => e.EntryId, e => e.Fields);
        LaneLayout Layout(LaneSpec spec) =>
            Place(spec, entries.Where(i => i.Lane == spec.Lane && i.Type != EntryTypes.NameOf<PatientDied>()), scale);

        var cleanTitle = Clean(title);
        var summary = $"{bars.Count} line{(bars.Count == 1 ? "" : "s")} of systemic therapy · "
            + (death is null ? $"as of {view.To}" : $"until the death, {view.To}");
        var titleRoom = Width - 2 * 12 - TextWidth(summary, LabelSize) - 24;
        var (legend, legendHeight) = Legend(12, 54, estimated.Count > 0);
        var top = 54 + legendHeight + 4;

        var bands = new XElement(Ns + "g", A("class", "bands"));
        var lanes = new List<XElement>();
        var y = top;
        foreach (var lane in AboveAxis.Select(Layout))
        {
            lanes.Add(DrawLane(lane, y, upward: true, bands, estimated));
            y += lane.Height;
        }
        var axisY = y + 16;
        y = axisY + 36;
        foreach (var lane in new[] { Layout(DiagnosisLane), Layout(ProgressionLane) }.Where(l => l.Marks.Count > 0 || l.Spec.ShowEmpty))
        {
            lanes.Add(DrawLane(lane, y, upward: false, bands, estimated));
            y += lane.Height;
        }
        var doseChanges = entries.Where(i => i.Type == EntryTypes.NameOf<DoseAdjusted>() && i.Line is not null).ToList();
        var (lines, linesHeight) = DrawLines(bars, doseChanges, scale, y, bands, estimated);
        lanes.Add(lines);
        y += linesHeight;
        foreach (var lane in BelowLines.Select(Layout).Where(l => l.Marks.Count > 0 || l.Spec.ShowEmpty))
        {
            lanes.Add(DrawLane(lane, y, upward: false, bands, estimated));
            y += lane.Height;
        }
        var bottom = y;
        var height = bottom + (death is not null ? 34 : 16);

        // Painted back to front: bands, year grid and death line under the lanes, so haloed labels stay legible over them.
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new XElement(Ns + "svg",
            A("version", "1.1"), A("width", Width), A("height", height), A("viewBox", $"0 0 {Num(Width)} {Num(height)}"),
            A("font-size", LabelSize),
            E("title", cleanTitle),
            E("style", Style),
            E("defs", E("pattern", A("id", "dose-hatch"), A("width", 5), A("height", 5), A("patternUnits", "userSpaceOnUse"),
                A("patternTransform", "rotate(45)"), E("rect", A("class", "hatch"), A("width", 2.5), A("height", 5)))),
            E("rect", A("class", "background"), A("width", Width), A("height", height)),
            bands,
            Grid(scale, top, bottom),
            death is null ? null : Death(death, scale, top, axisY, bottom, estimated),
            E("text", A("class", "title"), A("font-size", 18), Bold, A("x", 12), A("y", 30), Shorten(cleanTitle, titleRoom, 18, bold: true)),
            E("text", A("class", "summary"), A("x", Width - 12), A("y", 30), A("text-anchor", "end"), summary),
            legend,
            lanes,
            Axis(scale, axisY)) + "\n";
    }

    /// <summary>Places each mark at the first row where its marker and label collide with nothing already placed.</summary>
    private static LaneLayout Place(LaneSpec spec, IEnumerable<TimelineItem> items, Scale scale)
    {
        var rows = new Rows();
        var marks = new List<Mark>();
        foreach (var item in items)
        {
            var (x1, x2) = scale.Extent(item.Start, item.End);
            var cx = (x1 + x2) / 2;
            var label = LabelBeside(item.Label, Math.Min(x1, cx - MarkHalf), Math.Max(x2, cx + MarkHalf), spec.MaxLines);
            var row = rows.Take(label.From - Clearance, label.To + Clearance, label.Lines.Count);
            marks.Add(new Mark(item, x1, x2, row, label));
        }
        return new LaneLayout(spec, marks, rows.Count);
    }

    /// <summary>A label right of its mark, or left of it where the picture's right edge would cut it.</summary>
    private static Label LabelBeside(string text, double markLeft, double markRight, int maxLines)
    {
        var lines = Wrap(Clean(text), maxLines);
        var width = lines.Max(l => TextWidth(l, LabelSize));
        return markRight + LabelGap + width <= Width - Margin
            ? new Label(lines, markRight + LabelGap, false, markLeft, markRight + LabelGap + width)
            : new Label(lines, markLeft - LabelGap, true, markLeft - LabelGap - width, markRight);
    }

    /// <summary>A lane's band, title and marks; above the axis the first row is the one nearest the axis.</summary>
    private static XElement DrawLane(LaneLayout lane, double top, bool upward, XElement bands, Dictionary<Guid, IReadOnlyList<string>> estimated)
    {
        var alt = bands.Elements().Count() % 2 == 1;
        bands.Add(Band(top, lane.Height, alt));
        var group = E("g", A("class", $"lane lane-{lane.Spec.Lane}{(alt ? " on-alt" : "")}"), A("data-lane", lane.Spec.Lane),
            LaneTitle(lane.Spec.Title, top + lane.Height / 2 + 4));
        var rows = Math.Max(lane.Rows, 1);
        foreach (var mark in lane.Marks)
        {
            // Above the axis a block of rows grows away from it, so its first line is its top row.
            var row = upward ? rows - mark.Row - mark.Label.Lines.Count : mark.Row;
            group.Add(Item(mark, top + Pad + (row + 0.5) * RowHeight, estimated));
        }
        return group;
    }

    /// <summary>One mark: a group placed at (x, y) of its marker, holding the hover text, the span, the marker and the label.</summary>
    private static XElement Item(Mark mark, double y, Dictionary<Guid, IReadOnlyList<string>> estimated)
    {
        var item = mark.Item;
        var cx = mark.Cx;
        return E("g", A("class", estimated.ContainsKey(item.EntryId) ? "item estimated" : "item"), Data(item),
            A("transform", $"translate({Num(cx)},{Num(y)})"),
            E("title", Hover(item, estimated)),
            mark.X2 > mark.X1
                ? E("rect", A("class", $"span mark-{item.Lane}"), A("x", mark.X1 - cx), A("y", -2), A("width", mark.X2 - mark.X1), A("height", 4))
                : null,
            Marker(item.Lane, item.Type),
            Text("label", mark.Label, cx, 0));
    }

    /// <summary>A label's text relative to a group at (originX, originY): one tspan per line, the first on the mark's row.</summary>
    private static XElement Text(string cssClass, Label label, double originX, double originY)
    {
        var x = label.TextX - originX;
        var anchor = label.Left ? A("text-anchor", "end") : null;
        if (label.Lines.Count == 1)
            return E("text", A("class", cssClass), A("x", x), A("y", originY + 4), anchor, label.Lines[0]);
        return E("text", A("class", cssClass), anchor,
            label.Lines.Select((line, i) => E("tspan", A("x", x), A("y", originY + 4 + i * LineHeight), line)));
    }

    /// <summary>
    /// One row per line, numbered in order; an ongoing (censored) line ends in an arrow; the part of a bar within a start
    /// or stop known only to the month or year is lighter. Dose changes are marked on the bar, their labels in rows under it.
    /// </summary>
    private static (XElement Group, double Height) DrawLines(IReadOnlyList<TimelineItem> bars, IReadOnlyList<TimelineItem> doseChanges,
        Scale scale, double top, XElement bands, Dictionary<Guid, IReadOnlyList<string>> estimated)
    {
        var group = E("g", A("class", $"lane lane-{Lanes.Systemic}"), A("data-lane", Lanes.Systemic),
            LaneTitle("systemic lines", top + Pad + (BarRow - BarHeight) / 2 + BarHeight / 2 + 4));
        var leaders = E("g", A("class", "dose-leaders"));
        group.Add(leaders);
        var y = top + Pad;
        foreach (var bar in bars)
        {
            var active = bar.Active == true;
            var (x1, x2) = scale.Extent(bar.Start, bar.End);
            x2 = Math.Max(x2, x1 + 3);
            var y1 = y + (BarRow - BarHeight) / 2;
            var barY = y1 + BarHeight / 2;

            var rows = new Rows();
            var changes = new List<(TimelineItem Item, double X1, double X2, int Row, Label Label)>();
            foreach (var change in doseChanges.Where(d => d.Line == bar.Line))
            {
                var (c1, c2) = scale.Extent(change.Start, change.End);
                (c1, c2) = (Math.Clamp(c1, x1, x2), Math.Clamp(c2, x1, x2));
                var cx = (c1 + c2) / 2;
                var label = LabelBeside(change.Label, cx - MarkHalf, cx + MarkHalf, 2);
                changes.Add((change, c1, c2, rows.Take(label.From - Clearance, label.To + Clearance, label.Lines.Count), label));
            }

            var barEstimated = estimated.ContainsKey(bar.EntryId) || bar.EndEntryId is { } endId && estimated.ContainsKey(endId);
            var barGroup = E("g", A("class", "item line"), Data(bar),
                E("title", Hover(bar, estimated)),
                E("rect", A("class", $"line-bar{(active ? " active" : "")}{(barEstimated ? " estimated" : "")}"), A("data-line", bar.Line ?? 0),
                    A("data-start", bar.Start.ToString()), A("data-end", (bar.End ?? bar.Start).ToString()),
                    A("x", x1), A("y", y1), A("width", x2 - x1), A("height", BarHeight), A("rx", 3)));
            if (bar.Start.Precision != DatePrecision.Day)
                barGroup.Add(PeriodShade(x1, Math.Min(scale.X(bar.Start.Latest.AddDays(1)), x2), y1));
            if (!active && bar.End is { Precision: not DatePrecision.Day } end)
                barGroup.Add(PeriodShade(Math.Max(scale.X(end.Earliest), x1), x2, y1));
            if (active)
                barGroup.Add(E("path", A("class", "line-arrow"), A("d", $"M{Num(x2)},{Num(y1 - 3)} l10,{Num(BarHeight / 2 + 3)} l-10,{Num(BarHeight / 2 + 3)} z")));
            barGroup.Add(BarLabel(bar, x1, x2, barY, active, scale, changes.Select(c => (c.X1, c.X2)).ToList()));
            group.Add(barGroup);

            var labelsTop = y1 + BarHeight + 4;
            foreach (var (change, c1, c2, row, label) in changes)
            {
                var cx = (c1 + c2) / 2;
                var labelY = labelsTop + (row + 0.5) * RowHeight;
                leaders.Add(E("line", A("class", "dose-leader"), A("x1", cx), A("x2", cx), A("y1", barY + BarHeight / 2), A("y2", labelY)));
                group.Add(E("g", A("class", estimated.ContainsKey(change.EntryId) ? "item dose-change estimated" : "item dose-change"), Data(change),
                    A("transform", $"translate({Num(cx)},{Num(barY)})"),
                    E("title", Hover(change, estimated)),
                    c2 > c1
                        ? E("rect", A("class", "dose-span"), A("x", c1 - cx), A("y", -BarHeight / 2), A("width", c2 - c1), A("height", BarHeight))
                        : E("line", A("class", "dose-tick"), A("x1", 0), A("x2", 0), A("y1", -BarHeight / 2), A("y2", BarHeight / 2)),
                    E("g", A("transform", $"translate(0,{Num(labelY - barY)})"), DoseMarker()),
                    Text("label", label, cx, labelY - barY)));
            }
            y += BarRow + (rows.Count > 0 ? rows.Count * RowHeight + 4 : 0);
        }
        var height = y - top + Pad + (bars.Count == 0 ? BarRow : 0);
        var alt = bands.Elements().Count() % 2 == 1;
        bands.Add(Band(top, height, alt));
        if (alt) group.SetAttributeValue("class", $"lane lane-{Lanes.Systemic} on-alt");
        return (group, height);
    }

    private static XElement PeriodShade(double from, double to, double y1) =>
        E("rect", A("class", "bar-period"), A("x", from), A("y", y1), A("width", Math.Max(to - from, 0)), A("height", BarHeight));

    /// <summary>
    /// A line's name: inside its bar where it fits clear of the dose changes, else after the bar, else before it; where
    /// nothing fits, shortened to the widest room (the bar's hover text keeps it whole).
    /// </summary>
    private static XElement BarLabel(TimelineItem bar, double x1, double x2, double y, bool active, Scale scale, List<(double X1, double X2)> changes)
    {
        var text = Shorten(Clean(bar.Label), double.MaxValue, LabelSize, bold: false, maxChars: BarLabelMax);
        var insideFrom = bar.Start.Precision == DatePrecision.Day ? x1 + 6 : Math.Max(x1 + 6, scale.X(bar.Start.Latest.AddDays(1)) + 4);
        var insideTo = active || bar.End is not { Precision: not DatePrecision.Day } end ? x2 - 6 : Math.Min(x2 - 6, scale.X(end.Earliest) - 4);
        var inside = TextWidth(text, LabelSize, bold: true);
        foreach (var from in changes.Select(c => c.X2 + 4).Prepend(insideFrom).Order())
        {
            if (from < insideFrom || from + inside > insideTo) continue;
            if (changes.All(c => c.X2 + 2 <= from || from + inside <= c.X1 - 2))
                return BarText(text, from, y, "start", "bar-label inside");
        }
        var after = x2 + (active ? 16 : 6);
        var before = x1 - 6;
        var width = TextWidth(text, LabelSize);
        if (after + width <= Width - Margin) return BarText(text, after, y, "start", "bar-label");
        if (before - width >= PlotLeft) return BarText(text, before, y, "end", "bar-label");
        return Width - Margin - after >= before - PlotLeft
            ? BarText(Shorten(text, Width - Margin - after, LabelSize), after, y, "start", "bar-label")
            : BarText(Shorten(text, before - PlotLeft, LabelSize), before, y, "end", "bar-label");
    }

    private static XElement BarText(string text, double x, double y, string anchor, string cssClass) =>
        E("text", A("class", cssClass), cssClass.Contains("inside") ? Bold : null, A("x", x), A("y", y + 4),
            anchor == "start" ? null : A("text-anchor", anchor), text);

    /// <summary>
    /// The axis line, a tick at every new year and at its end, and the year labels centred in their year (in what the
    /// axis shows of it), each kept clear of the last and of the right edge.
    /// </summary>
    private static XElement Axis(Scale scale, double y)
    {
        var step = new[] { 1, 2, 5, 10, 20, 50, 100 }.FirstOrDefault(s => s * scale.PerYear >= 44, 200);
        var axis = E("g", A("class", "axis"), A("data-y", y),
            E("line", A("class", "axis-line"), A("x1", PlotLeft), A("x2", PlotRight), A("y1", y), A("y2", y)));
        var lastLabelRight = double.MinValue;
        for (var year = scale.From.Year; year <= DateOnly.MaxValue.Year && new DateOnly(year, 1, 1) < scale.To; year++)
        {
            var x = scale.X(new DateOnly(year, 1, 1));
            axis.Add(E("line", A("class", "tick"), A("data-year", year), A("x1", x), A("x2", x), A("y1", y - 6), A("y2", y + 6)));
            if (year % step != 0) continue;
            var text = year.ToString(CultureInfo.InvariantCulture);
            var half = TextWidth(text, 13, bold: true) / 2;
            var centre = Math.Min((x + scale.X(Scale.NewYear(year + 1))) / 2, Width - Margin - half);
            if (centre - half < lastLabelRight + 4) continue;
            axis.Add(E("text", A("class", "year"), A("font-size", 13), Bold, A("x", centre), A("y", y + 26), A("text-anchor", "middle"), text));
            lastLabelRight = centre + half;
        }
        axis.Add(E("line", A("class", "tick end"), A("x1", PlotRight), A("x2", PlotRight), A("y1", y - 6), A("y2", y + 6)));
        return axis;
    }

    private static XElement Grid(Scale scale, double top, double bottom)
    {
        var grid = E("g", A("class", "grid"));
        for (var year = scale.From.Year; year <= DateOnly.MaxValue.Year && new DateOnly(year, 1, 1) <= scale.To; year++)
        {
            var x = scale.X(new DateOnly(year, 1, 1));
            grid.Add(E("line", A("x1", x), A("x2", x), A("y1", top), A("y2", bottom)));
        }
        return grid;
    }

    /// <summary>A lane's background; every other one is shaded (alt), and its labels' halos take its colour.</summary>
    private static XElement Band(double top, double height, bool alt) =>
        E("rect", A("class", alt ? "band alt" : "band"), A("x", 0), A("y", top), A("width", Width), A("height", height));

    private static XElement LaneTitle(string title, double y) =>
        E("text", A("class", "lane-title"), A("font-size", 11), Bold, A("x", 12), A("y", y), title);

    /// <summary>The death: its period shaded across the drawing, a dashed line in its middle, a cross on the axis, a label below.</summary>
    private static XElement Death(TimelineItem death, Scale scale, double top, double axisY, double bottom, Dictionary<Guid, IReadOnlyList<string>> estimated)
    {
        var (x1, x2) = scale.Extent(death.Start, null);
        var x = (x1 + x2) / 2;
        var text = $"† died {death.Start}";
        var width = TextWidth(text, LabelSize, bold: true);
        var left = x + 6 + width > Width - Margin;
        return E("g", A("class", estimated.ContainsKey(death.EntryId) ? "item death estimated" : "item death"), Data(death),
            E("title", Hover(death, estimated)),
            x2 > x1 ? E("rect", A("class", "death-period"), A("x", x1), A("y", top), A("width", x2 - x1), A("height", bottom - top)) : null,
            E("line", A("class", "death-line"), A("x1", x), A("x2", x), A("y1", top), A("y2", bottom)),
            E("g", A("transform", $"translate({Num(x)},{Num(axisY)})"), Marker("death", death.Type)),
            E("text", A("class", "death-label"), Bold, A("x", left ? x - 6 : x + 6), A("y", bottom + 20),
                left ? A("text-anchor", "end") : null, text));
    }

    /// <summary>
    /// A key to the symbols, in as many rows as it needs; its classes differ from the drawing's own (legend-bar, not
    /// line-bar) so counts stay true.
    /// </summary>
    private static (XElement Legend, double Height) Legend(double left, double y, bool anyEstimated)
    {
        List<(XElement Symbol, string Text)> keys =
        [
            (Marker(Lanes.Surgery, EntryTypes.NameOf<SurgeryPerformed>()), "surgery"),
            (Marker(Lanes.Surgery, EntryTypes.NameOf<EmbolizationPerformed>()), "embolization"),
            (Marker(Lanes.Radiotherapy, EntryTypes.NameOf<RadiotherapyDelivered>()), "radiotherapy"),
            (Marker(Lanes.Diagnosis, EntryTypes.NameOf<BiopsyPerformed>()), "diagnosis"),
            (Marker(Lanes.Progression, EntryTypes.NameOf<ProgressionObserved>()), "progression"),
            (E("rect", A("class", "legend-bar"), A("x", -8), A("y", -6), A("width", 16), A("height", 12), A("rx", 2)), "systemic line"),
            (E("path", A("class", "legend-arrow"), A("d", "M-4,-7 l10,7 l-10,7 z")), "ongoing"),
            (DoseMarker(), "dose change"),
            (Marker(Lanes.Response, EntryTypes.NameOf<ResponseAssessed>()), "response"),
            (Marker(Lanes.Toxicity, EntryTypes.NameOf<AdverseEventObserved>()), "toxicity"),
            (Marker("death", EntryTypes.NameOf<PatientDied>()), "death"),
            (E("rect", A("class", "legend-span"), A("x", -9), A("y", -4), A("width", 18), A("height", 8)), "date known to the month or year"),
        ];
        if (anyEstimated)
            keys.Add((E("rect", A("class", "legend-estimated"), A("x", -5), A("y", -5), A("width", 10), A("height", 10)), "estimated"));
        var legend = E("g", A("class", "legend"));
        var (x, row) = (left, 0);
        foreach (var (symbol, text) in keys)
        {
            var width = 30 + TextWidth(text, LabelSize);
            if (x + width > Width - Margin)
                (x, row) = (left, row + 1);
            legend.Add(E("g", A("transform", $"translate({Num(x + 8)},{Num(y + row * 20)})"), symbol,
                E("text", A("x", 14), A("y", 4), text)));
            x += width + 8;
        }
        return (legend, (row + 1) * 20);
    }

    /// <summary>The marker of a lane, centred on (0, 0); embolizations differ from surgeries by colour only.</summary>
    private static XElement Marker(string lane, string type)
    {
        var css = type == EntryTypes.NameOf<EmbolizationPerformed>() ? "mark mark-embolization" : $"mark mark-{lane}";
        return lane switch
        {
            Lanes.Surgery => E("rect", A("class", css), A("x", -5), A("y", -5), A("width", 10), A("height", 10)),
            Lanes.Radiotherapy => E("path", A("class", css), A("d", "M0,-7 L7,0 L0,7 L-7,0 Z")),
            Lanes.Progression => E("path", A("class", css), A("d", "M-7,-6 L7,-6 L0,6 Z")),
            Lanes.Toxicity => E("path", A("class", css), A("d", "M0,-5 L5,0 L0,5 L-5,0 Z")),
            "death" => E("path", A("class", css), A("d", "M-2,-9 h4 v4 h5 v4 h-5 v10 h-4 v-10 h-5 v-4 h5 z")),
            Lanes.Other => E("circle", A("class", css), A("r", 3.5)),
            _ => E("circle", A("class", css), A("r", 5)),
        };
    }

    /// <summary>A dose change's marker, under its bar and pointing up at it; its label says which change it was.</summary>
    private static XElement DoseMarker() => E("path", A("class", "mark mark-dose"), A("d", "M0,-5 L5,4 L-5,4 Z"));

    private static IEnumerable<XAttribute> Data(TimelineItem item)
    {
        yield return A("data-lane", item.Lane);
        yield return A("data-type", item.Type);
        yield return A("data-start", item.Start.ToString());
        if (item.End is { } end) yield return A("data-end", end.ToString());
        if (item.Line is { } line) yield return A("data-line", line);
        if (item.Active is { } active) yield return A("data-active", active ? "true" : "false");
    }

    private static string Hover(TimelineItem item, Dictionary<Guid, IReadOnlyList<string>> estimated)
    {
        var dates = item.End is { } end && end != item.Start ? $"{item.Start} – {end}" : item.Start.ToString();
        var fields = new List<string>();
        if (estimated.TryGetValue(item.EntryId, out var own)) fields.AddRange(own);
        if (item.EndEntryId is { } endId && estimated.TryGetValue(endId, out var ofEnd)) fields.AddRange(ofEnd.Select(f => $"stop {f}"));
        var estimates = fields.Count == 0 ? "" : $" (estimated: {string.Join(", ", fields)})";
        return $"{dates}{(item.Active == true ? " (ongoing)" : "")}: {Clean(item.Label)}{estimates}";
    }

    /// <summary>
    /// A label in lines of at most <see cref="WrapAt"/> characters, broken at spaces (a longer word is cut); past
    /// <paramref name="maxLines"/> the last line ends in an ellipsis.
    /// </summary>
    private static IReadOnlyList<string> Wrap(string text, int maxLines)
    {
        var lines = new List<string>();
        var rest = text;
        while (rest.Length > 0)
        {
            if (lines.Count == maxLines - 1)
            {
                lines.Add(Shorten(rest, double.MaxValue, LabelSize, maxChars: WrapAt));
                break;
            }
            if (rest.Length <= WrapAt)
            {
                lines.Add(rest);
                break;
            }
            var cut = rest.LastIndexOf(' ', WrapAt);
            if (cut <= 0) cut = char.IsHighSurrogate(rest[WrapAt - 1]) ? WrapAt - 1 : WrapAt;
            lines.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }
        return lines.Count == 0 ? [""] : lines;
    }

    private const string Style = """

        text { font-family: "Helvetica Neue", Helvetica, Arial, "DejaVu Sans", sans-serif; fill: #222; }
        .background { fill: #fff; }
        .band { fill: #fff; } .band.alt { fill: #f4f6f8; }
        .grid line { stroke: #e4e7eb; stroke-width: 1; }
        .summary { fill: #555; }
        .lane-title { fill: #667; }
        .label, .bar-label { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
        .on-alt .label, .on-alt .bar-label { stroke: #f4f6f8; }
        .bar-label.inside { fill: #fff; stroke: none; }
        .axis-line { stroke: #222; stroke-width: 2; }
        .tick { stroke: #222; stroke-width: 1.5; }
        .mark-surgery { fill: #1f5fa8; }
        .mark-embolization { fill: #17a2b8; }
        .mark-radiotherapy { fill: #8e44ad; }
        .mark-diagnosis { fill: #2e7d32; }
        .mark-progression { fill: #d62728; }
        .mark.mark-progression { stroke: #fff; stroke-width: 1; }
        .mark-response { fill: #fff; stroke: #2e7d32; stroke-width: 2; }
        .mark-toxicity { fill: #f39c12; }
        .mark-other { fill: #8a8f98; }
        .mark-death { fill: #111; }
        .mark-dose { fill: #b35900; }
        .span { fill-opacity: 0.3; stroke-width: 1; }
        .span.mark-surgery { stroke: #1f5fa8; } .span.mark-radiotherapy { stroke: #8e44ad; } .span.mark-diagnosis { stroke: #2e7d32; }
        .span.mark-progression { stroke: #d62728; } .span.mark-response { fill: #2e7d32; stroke: #2e7d32; }
        .span.mark-toxicity { stroke: #f39c12; } .span.mark-other { stroke: #8a8f98; }
        .legend-span { fill: #8a8f98; fill-opacity: 0.3; stroke: #8a8f98; }
        .line-bar, .legend-bar { fill: #2a9d8f; stroke: #1d6f65; stroke-width: 1; }
        .bar-period { fill: #fff; fill-opacity: 0.45; pointer-events: none; }
        .line-arrow, .legend-arrow { fill: #1d6f65; }
        .dose-span { fill: url(#dose-hatch); stroke: #b35900; stroke-width: 1.5; }
        .hatch { fill: #b35900; fill-opacity: 0.8; }
        .dose-tick { stroke: #b35900; stroke-width: 3; }
        .dose-leader { stroke: #b35900; stroke-width: 1; }
        .estimated .mark, .line-bar.estimated, .legend-estimated { stroke: #222; stroke-width: 1.5; stroke-dasharray: 3 2; }
        .legend-estimated { fill: #fff; }
        .death-period { fill: #111; fill-opacity: 0.08; }
        .death-line { stroke: #666; stroke-width: 1; stroke-dasharray: 5 4; }
        .item:hover .label, .item:hover .bar-label { font-weight: bold; }

        """;
}
