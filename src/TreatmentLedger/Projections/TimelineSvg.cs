using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Projections;

/// <summary>
/// Draws a <see cref="TimelineView"/> as a standalone SVG 1.1 document, like Figure 1D of the founding report:
/// a time axis across the middle with the years; above it the local treatments (surgery, embolization, radiotherapy);
/// below it the diagnosis, one bar per line of systemic therapy, responses, toxicities and other events.
/// Progressions are red triangles on the axis; a death is a dashed line across the drawing.
/// Pure and deterministic: the same view and title always give the same text.
/// </summary>
/// <remarks>
/// Layout: dates map to x by their anchor day, proportionally to days, over whole years. Within a lane, marks whose
/// labels would collide go to further rows (greedily, in clinical order); labels longer than <see cref="MaxLabel"/>
/// end in an ellipsis, and every item carries its full text in a <c>&lt;title&gt;</c> shown on hover.
/// Systemic entries (start, stop, cycle, dose change) are drawn through their line's bar only.
/// </remarks>
public static class TimelineSvg
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const double Width = 1400, PlotLeft = 150, PlotRight = 1370, Top = 76;
    private const double CharWidth = 7;   // a generous average width of a 12px sans-serif character
    private const double LabelGap = 12, Pad = 6, BarHeight = 16, BarPitch = 24;
    private const int MaxLabel = 34;

    /// <summary>A lane of marks; unlabelled lanes show their text on hover only and stack in thinner rows.</summary>
    private sealed record LaneSpec(string Lane, string Title, bool Labelled, bool ShowEmpty)
    {
        public double RowHeight => Labelled ? 20 : 13;
    }

    private static readonly LaneSpec[] AboveAxis =
        [new(Lanes.Surgery, "surgery", true, true), new(Lanes.Radiotherapy, "radiotherapy", true, true)];

    private static readonly LaneSpec DiagnosisLane = new(Lanes.Diagnosis, "diagnosis", true, true);

    private static readonly LaneSpec[] BelowLines =
        [new(Lanes.Response, "response", true, false), new(Lanes.Toxicity, "toxicity", false, false), new(Lanes.Other, "other", false, false)];

    private sealed record Mark(TimelineItem Item, double X, int Row, string Text, bool TextLeft);

    private sealed record LaneLayout(LaneSpec Spec, IReadOnlyList<Mark> Marks, int Rows)
    {
        public double Height => Math.Max(Rows, 1) * Spec.RowHeight + 2 * Pad;
    }

    /// <summary>Whole years from the first to the last date of the view; x proportional to days.</summary>
    private sealed record Scale(DateOnly From, DateOnly To)
    {
        public double X(DateOnly day) =>
            PlotLeft + (day.DayNumber - From.DayNumber) * (PlotRight - PlotLeft) / (To.DayNumber - From.DayNumber);

        public double X(ClinicalDate date) => X(date.Anchor);

        public int Years => To.Year - From.Year;

        public static Scale Of(TimelineView view)
        {
            var days = view.Items.SelectMany(i => i.End is { } end ? new[] { i.Start.Anchor, end.Anchor } : new[] { i.Start.Anchor }).ToList();
            if (days.Count == 0) days.Add(view.To.Anchor);
            return new Scale(new DateOnly(days.Min().Year, 1, 1), new DateOnly(days.Max().Year + 1, 1, 1));
        }
    }

    public static string Render(TimelineView view, string title)
    {
        var scale = Scale.Of(view);
        var entries = view.Items.Where(i => i.Kind == "entry").ToList();
        var bars = view.Items.Where(i => i.Kind == "line").OrderBy(i => i.Line).ToList();
        var deaths = entries.Where(i => i.Type == EntryTypes.PatientDied).ToList();
        LaneLayout Layout(LaneSpec spec) =>
            Place(spec, entries.Where(i => i.Lane == spec.Lane && i.Type != EntryTypes.PatientDied), scale);

        var bands = new XElement(Svg + "g", A("class", "bands"));
        var lanes = new List<XElement>();
        var y = Top;
        foreach (var lane in AboveAxis.Select(Layout))
        {
            lanes.Add(DrawLane(lane, y, upward: true, bands));
            y += lane.Height;
        }
        var axisY = y + 16;
        y = axisY + 36;
        var diagnosis = Layout(DiagnosisLane);
        lanes.Add(DrawLane(diagnosis, y, upward: false, bands));
        y += diagnosis.Height;
        lanes.Add(DrawLines(bars, scale, view.To, y, bands));
        y += Math.Max(bars.Count, 1) * BarPitch + 2 * Pad;
        foreach (var lane in BelowLines.Select(Layout).Where(l => l.Marks.Count > 0 || l.Spec.ShowEmpty))
        {
            lanes.Add(DrawLane(lane, y, upward: false, bands));
            y += lane.Height;
        }
        var bottom = y;
        var height = bottom + (deaths.Count > 0 ? 34 : 16);

        var cleanTitle = Clean(title);
        var summary = $"{bars.Count} line{(bars.Count == 1 ? "" : "s")} of systemic therapy · as of {view.To}";
        // Painted back to front: bands, year grid and death line under the lanes, so haloed labels stay legible over them.
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new XElement(Svg + "svg",
            A("version", "1.1"), A("width", Width), A("height", height), A("viewBox", $"0 0 {Num(Width)} {Num(height)}"),
            E("title", cleanTitle),
            E("style", Style),
            E("rect", A("class", "background"), A("width", Width), A("height", height)),
            bands,
            Grid(scale, Top, bottom),
            E("g", A("class", "deaths"), deaths.Select(d => Death(d, scale.X(d.Start), Top, axisY, bottom))),
            E("text", A("class", "title"), A("x", 12), A("y", 30), cleanTitle),
            E("text", A("class", "summary"), A("x", Width - 12), A("y", 30), A("text-anchor", "end"), summary),
            Legend(12, 54),
            lanes,
            Axis(scale, axisY),
            E("g", A("class", "lane lane-progression"), A("data-lane", Lanes.Progression),
                entries.Where(i => i.Lane == Lanes.Progression).Select(i => Item(i, scale.X(i.Start), axisY, "item progression", "")))) + "\n";
    }

    /// <summary>Assigns each mark the first row where its marker and label collide with nothing already placed.</summary>
    private static LaneLayout Place(LaneSpec spec, IEnumerable<TimelineItem> items, Scale scale)
    {
        var rows = new List<List<(double From, double To)>>();
        var marks = new List<Mark>();
        foreach (var item in items)
        {
            var x = scale.X(item.Start);
            var text = spec.Labelled ? Shorten(item.Label) : "";
            var width = text.Length == 0 ? 0 : LabelGap + text.Length * CharWidth;
            var left = x + width > Width - 8;   // flip the label to the left of the mark at the right edge
            var span = left ? (From: x - width - 7, To: x + 7) : (From: x - 7, To: x + width + 7);
            var row = rows.FindIndex(r => r.All(s => s.To <= span.From || span.To <= s.From));
            if (row < 0)
            {
                rows.Add([]);
                row = rows.Count - 1;
            }
            rows[row].Add(span);
            marks.Add(new Mark(item, x, row, text, left));
        }
        return new LaneLayout(spec, marks, rows.Count);
    }

    /// <summary>A lane's band, title and marks; above the axis the first row is the one nearest the axis.</summary>
    private static XElement DrawLane(LaneLayout lane, double top, bool upward, XElement bands)
    {
        bands.Add(Band(top, lane.Height, bands.Elements().Count()));
        var group = E("g", A("class", $"lane lane-{lane.Spec.Lane}"), A("data-lane", lane.Spec.Lane),
            E("text", A("class", "lane-title"), A("x", 12), A("y", top + lane.Height / 2 + 4), lane.Spec.Title));
        var rows = Math.Max(lane.Rows, 1);
        foreach (var mark in lane.Marks)
        {
            var row = upward ? rows - 1 - mark.Row : mark.Row;
            group.Add(Item(mark.Item, mark.X, top + Pad + (row + 0.5) * lane.Spec.RowHeight, "item", mark.Text, mark.TextLeft));
        }
        return group;
    }

    /// <summary>One mark: a group placed at (x, y) holding the hover text, the marker and the label.</summary>
    private static XElement Item(TimelineItem item, double x, double y, string cssClass, string text, bool textLeft = false) =>
        E("g", A("class", cssClass), Data(item), A("transform", $"translate({Num(x)},{Num(y)})"),
            E("title", Hover(item)),
            Marker(item.Lane, item.Type),
            text.Length == 0 ? null : E("text", A("class", "label"), A("x", textLeft ? -10 : 10), A("y", 4),
                textLeft ? A("text-anchor", "end") : null, text));

    /// <summary>One row per line, numbered in order; an ongoing (censored) line ends in an arrow.</summary>
    private static XElement DrawLines(IReadOnlyList<TimelineItem> bars, Scale scale, ClinicalDate censor, double top, XElement bands)
    {
        bands.Add(Band(top, Math.Max(bars.Count, 1) * BarPitch + 2 * Pad, bands.Elements().Count()));
        var group = E("g", A("class", $"lane lane-{Lanes.Systemic}"), A("data-lane", Lanes.Systemic),
            E("text", A("class", "lane-title"), A("x", 12), A("y", top + Pad + BarHeight / 2 + 4), "systemic lines"));
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var active = bar.Active == true;
            var end = bar.End ?? censor;
            var (x1, y1) = (scale.X(bar.Start), top + Pad + i * BarPitch + (BarPitch - BarHeight) / 2);
            var x2 = Math.Max(scale.X(end), x1 + 3);
            var text = Shorten(bar.Label);
            var textWidth = text.Length * CharWidth;
            var afterEnd = x2 + (active ? 16 : 6);
            var (textX, anchor, textClass) =
                textWidth + 12 <= x2 - x1 ? (x1 + 6, "start", "bar-label inside")
                : afterEnd + textWidth <= Width - 8 ? (afterEnd, "start", "bar-label")
                : (x1 - 6, "end", "bar-label");
            group.Add(E("g", A("class", "item line"), Data(bar),
                E("title", Hover(bar)),
                E("rect", A("class", active ? "line-bar active" : "line-bar"), A("data-line", bar.Line ?? 0),
                    A("data-start", bar.Start.ToString()), A("data-end", end.ToString()),
                    A("x", x1), A("y", y1), A("width", x2 - x1), A("height", BarHeight), A("rx", 3)),
                active ? E("path", A("class", "line-arrow"), A("d", $"M{Num(x2)},{Num(y1 - 3)} l10,{Num(BarHeight / 2 + 3)} l-10,{Num(BarHeight / 2 + 3)} z")) : null,
                E("text", A("class", textClass), A("x", textX), A("y", y1 + BarHeight / 2 + 4), A("text-anchor", anchor), text)));
        }
        return group;
    }

    /// <summary>The axis line, a tick at every new year and the year labels centred in their year.</summary>
    private static XElement Axis(Scale scale, double y)
    {
        var perYear = (PlotRight - PlotLeft) / scale.Years;
        var step = new[] { 1, 2, 5, 10, 20, 50, 100 }.FirstOrDefault(s => s * perYear >= 44, 200);
        var axis = E("g", A("class", "axis"), A("data-y", y),
            E("line", A("class", "axis-line"), A("x1", PlotLeft), A("x2", PlotRight), A("y1", y), A("y2", y)));
        for (var year = scale.From.Year; year <= scale.To.Year; year++)
        {
            var x = scale.X(new DateOnly(year, 1, 1));
            axis.Add(E("line", A("class", "tick"), A("x1", x), A("x2", x), A("y1", y - 6), A("y2", y + 6)));
            if (year < scale.To.Year && year % step == 0)
                axis.Add(E("text", A("class", "year"), A("x", x + perYear / 2), A("y", y + 26), year.ToString(CultureInfo.InvariantCulture)));
        }
        return axis;
    }

    private static XElement Grid(Scale scale, double top, double bottom) =>
        E("g", A("class", "grid"), Enumerable.Range(scale.From.Year, scale.Years + 1)
            .Select(year => scale.X(new DateOnly(year, 1, 1)))
            .Select(x => E("line", A("x1", x), A("x2", x), A("y1", top), A("y2", bottom))));

    private static XElement Band(double top, double height, int index) =>
        E("rect", A("class", index % 2 == 0 ? "band" : "band alt"), A("x", 0), A("y", top), A("width", Width), A("height", height));

    private static XElement Death(TimelineItem death, double x, double top, double axisY, double bottom)
    {
        var left = x > Width - 160;
        return E("g", A("class", "item death"), Data(death),
            E("title", Hover(death)),
            E("line", A("class", "death-line"), A("x1", x), A("x2", x), A("y1", top), A("y2", bottom)),
            E("g", A("transform", $"translate({Num(x)},{Num(axisY)})"), Marker("death", death.Type)),
            E("text", A("class", "death-label"), A("x", left ? x - 6 : x + 6), A("y", bottom + 20),
                A("text-anchor", left ? "end" : "start"), $"† died {death.Start}"));
    }

    /// <summary>A key to the symbols; its classes differ from the drawing's own (legend-bar, not line-bar) so counts stay true.</summary>
    private static XElement Legend(double x, double y)
    {
        (XElement Symbol, string Text)[] keys =
        [
            (Marker(Lanes.Surgery, EntryTypes.SurgeryPerformed), "surgery"),
            (Marker(Lanes.Surgery, EntryTypes.EmbolizationPerformed), "embolization"),
            (Marker(Lanes.Radiotherapy, EntryTypes.RadiotherapyDelivered), "radiotherapy"),
            (Marker(Lanes.Diagnosis, EntryTypes.BiopsyPerformed), "diagnosis"),
            (E("rect", A("class", "legend-bar"), A("x", -8), A("y", -6), A("width", 16), A("height", 12), A("rx", 2)), "systemic line"),
            (E("path", A("class", "legend-arrow"), A("d", "M-4,-7 l10,7 l-10,7 z")), "ongoing"),
            (Marker(Lanes.Progression, EntryTypes.ProgressionObserved), "progression"),
            (Marker(Lanes.Response, EntryTypes.ResponseAssessed), "response"),
            (Marker(Lanes.Toxicity, EntryTypes.AdverseEventObserved), "toxicity"),
            (Marker("death", EntryTypes.PatientDied), "death"),
        ];
        var legend = E("g", A("class", "legend"));
        foreach (var (symbol, text) in keys)
        {
            legend.Add(E("g", A("transform", $"translate({Num(x + 8)},{Num(y)})"), symbol,
                E("text", A("x", 14), A("y", 4), text)));
            x += 38 + text.Length * CharWidth;
        }
        return legend;
    }

    /// <summary>The marker of a lane, centred on (0, 0); embolizations differ from surgeries by colour only.</summary>
    private static XElement Marker(string lane, string type)
    {
        var css = type == EntryTypes.EmbolizationPerformed ? "mark mark-embolization" : $"mark mark-{lane}";
        return lane switch
        {
            Lanes.Surgery => E("rect", A("class", css), A("x", -5), A("y", -5), A("width", 10), A("height", 10)),
            Lanes.Radiotherapy => E("path", A("class", css), A("d", "M0,-7 L7,0 L0,7 L-7,0 Z")),
            Lanes.Progression => E("path", A("class", css), A("d", "M-7,-7 L7,-7 L0,6 Z")),
            Lanes.Toxicity => E("path", A("class", css), A("d", "M0,-5 L5,0 L0,5 L-5,0 Z")),
            "death" => E("path", A("class", css), A("d", "M-2,-9 h4 v4 h5 v4 h-5 v10 h-4 v-10 h-5 v-4 h5 z")),
            Lanes.Other => E("circle", A("class", css), A("r", 3.5)),
            _ => E("circle", A("class", css), A("r", 5)),
        };
    }

    private static IEnumerable<XAttribute> Data(TimelineItem item)
    {
        yield return A("data-lane", item.Lane);
        yield return A("data-type", item.Type);
        yield return A("data-start", item.Start.ToString());
        if (item.End is { } end) yield return A("data-end", end.ToString());
        if (item.Line is { } line) yield return A("data-line", line);
        if (item.Active is { } active) yield return A("data-active", active ? "true" : "false");
    }

    private static string Hover(TimelineItem item)
    {
        var dates = item.End is { } end && end != item.Start ? $"{item.Start} – {end}" : item.Start.ToString();
        return $"{dates}{(item.Active == true ? " (ongoing)" : "")}: {Clean(item.Label)}";
    }

    /// <summary>The label on one line, cut to <see cref="MaxLabel"/> characters with an ellipsis, at a word end if one is near.</summary>
    private static string Shorten(string label)
    {
        var text = Clean(label);
        if (text.Length <= MaxLabel) return text;
        var cut = text.LastIndexOf(' ', MaxLabel - 1);
        if (cut < MaxLabel / 2) cut = char.IsHighSurrogate(text[MaxLabel - 2]) ? MaxLabel - 2 : MaxLabel - 1;
        return text[..cut].TrimEnd(' ', ',', ':', ';', '(', '/') + "…";
    }

    /// <summary>User text made safe for XML: whitespace runs become one space, characters XML cannot hold are dropped.</summary>
    private static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (clean.Length > 0 && clean[^1] != ' ') clean.Append(' ');
            }
            else if (XmlConvert.IsXmlChar(c)) clean.Append(c);
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c)) clean.Append(c).Append(text[++i]);
        }
        return clean.ToString().TrimEnd();
    }

    // Escaping is left to System.Xml.Linq, which writes &lt; &amp; &quot; where text and attributes need them.
    private static XElement E(string name, params object?[] content) => new(Svg + name, content);

    private static XAttribute A(string name, string value) => new(name, value);

    private static XAttribute A(string name, double value) => new(name, Num(value));

    private static string Num(double value)
    {
        var rounded = Math.Round(value, 1);
        return (rounded == 0 ? 0 : rounded).ToString("0.#", CultureInfo.InvariantCulture);
    }

    private const string Style = """

        text { font-family: "Helvetica Neue", Helvetica, Arial, "DejaVu Sans", sans-serif; font-size: 12px; fill: #222; }
        .background { fill: #fff; }
        .band { fill: #fff; } .band.alt { fill: #f4f6f8; }
        .grid line { stroke: #e4e7eb; stroke-width: 1; }
        .title { font-size: 18px; font-weight: bold; }
        .summary { fill: #555; }
        .lane-title { font-size: 11px; font-weight: bold; fill: #667; text-transform: uppercase; letter-spacing: 0.04em; }
        .label, .bar-label { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
        .bar-label.inside { fill: #fff; stroke: none; font-weight: bold; }
        .axis-line { stroke: #222; stroke-width: 2; }
        .tick { stroke: #222; stroke-width: 1.5; }
        .year { font-size: 13px; font-weight: bold; text-anchor: middle; }
        .mark-surgery { fill: #1f5fa8; }
        .mark-embolization { fill: #17a2b8; }
        .mark-radiotherapy { fill: #8e44ad; }
        .mark-diagnosis { fill: #2e7d32; }
        .mark-progression { fill: #d62728; stroke: #fff; stroke-width: 1; }
        .mark-response { fill: #fff; stroke: #2e7d32; stroke-width: 2; }
        .mark-toxicity { fill: #f39c12; }
        .mark-other { fill: #8a8f98; }
        .mark-death { fill: #111; }
        .line-bar, .legend-bar { fill: #2a9d8f; stroke: #1d6f65; stroke-width: 1; }
        .line-arrow, .legend-arrow { fill: #1d6f65; }
        .death-line { stroke: #666; stroke-width: 1; stroke-dasharray: 5 4; }
        .death-label { font-weight: bold; }
        .item:hover .label, .item:hover .bar-label { font-weight: bold; }

        """;
}
