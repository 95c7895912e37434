using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Timeline;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Api.Tests;

public sealed class TimelineSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly DateOnly Today = new(2024, 6, 1);
    private const string TrickyDiagnosis = "IMT <ALK+> & \"more\"";

    private static ClinicalDate D(string text) => ClinicalDate.Parse(text);

    private static CaseHistory Recorded(IEnumerable<Entry> entries) =>
        new(entries.Select((e, i) => new RecordedEntry(e, i + 1, i + 1, new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero).AddMinutes(i), "tester", null)));

    /// <summary>A biopsy, a surgery, a radiotherapy, two lines (the first switched), two progressions, a death.</summary>
    private static CaseHistory SmallCase(string? longProcedure = null)
    {
        Entry[] entries =
        [
            new CaseOpened { EntryId = Guid.NewGuid(), OccurredOn = D("2015-03"), PatientRef = "T-1", Sex = "female", BirthYear = 1980 },
            new BiopsyPerformed { EntryId = Guid.NewGuid(), OccurredOn = D("2015-03-12"), Technique = "core", Site = "left axilla", Diagnosis = TrickyDiagnosis },
            new SurgeryPerformed
            {
                EntryId = Guid.NewGuid(), OccurredOn = D("2015-05"), Procedure = longProcedure ?? "resection", Site = "left axilla",
                Intent = "curative", Margin = "R1",
            },
            new RadiotherapyDelivered { EntryId = Guid.NewGuid(), OccurredOn = D("2016"), Site = "axilla", Technique = "conventional", TotalDoseGy = 54, Fractions = 25 },
            new SystemicTherapyStarted { EntryId = Guid.NewGuid(), OccurredOn = D("2016-01"), Regimen = "crizotinib", TherapyClass = "targeted" },
            new DoseAdjusted { EntryId = Guid.NewGuid(), OccurredOn = D("2016-09-15"), Drug = "crizotinib", Direction = "reduced", Dose = 200, Unit = "mg" },
            new ProgressionObserved { EntryId = Guid.NewGuid(), OccurredOn = D("2017-06"), Scope = "local" },
            new SystemicTherapyStarted { EntryId = Guid.NewGuid(), OccurredOn = D("2017-07"), Regimen = "alectinib", TherapyClass = "targeted" },
            new ProgressionObserved
            {
                EntryId = Guid.NewGuid(), OccurredOn = D("2018-02"), Scope = "metastatic",
                Sites = ["liver", "left adrenal gland", "brain (lesion 1)", "brain (lesion 2)"],
            },
            new PatientDied { EntryId = Guid.NewGuid(), OccurredOn = D("2018-04"), Cause = "progression" },
        ];
        return Recorded(entries);
    }

    /// <summary>The founding case, from its case file (ops/demo/imt-alk-case.json).</summary>
    private static CaseHistory FoundingCase()
    {
        var file = DemoCase.Read().AsObject();
        var errors = new ValidationErrors();
        var opening = file["case"]!.DeepClone().AsObject();
        opening["type"] = EntryTypes.NameOf<CaseOpened>();
        var entries = file["entries"]!.AsArray().Prepend(opening).Select((node, i) => EntryJson.Read(node, $"[{i}]", errors, Today)).ToList();
        Assert.False(errors.Any);
        return Recorded(entries.Select(e => e!));
    }

    private static (string Text, XElement Root) Render(CaseHistory history, DateOnly? asOf = null)
    {
        var svg = TimelineSvg.Render(Projections.Timeline.Of(history, new ViewPoint(asOf, Today)), "Case T-1 — timeline");
        return (svg, XDocument.Parse(svg).Root!);
    }

    private static bool HasClass(XElement element, string css) =>
        ((string?)element.Attribute("class") ?? "").Split(' ').Contains(css);

    private static IEnumerable<XElement> WithClass(XElement root, string css) => root.Descendants().Where(e => HasClass(e, css));

    private static double Number(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static double AxisY(XElement root) => Number(WithClass(root, "axis-line").Single(), "y1");

    /// <summary>The x of the axis tick of 1 January of <paramref name="year"/>.</summary>
    private static double TickX(XElement root, int year) =>
        Number(WithClass(root, "tick").Single(t => (string?)t.Attribute("data-year") == year.ToString(CultureInfo.InvariantCulture)), "x1");

    /// <summary>The x of a day, read from the axis: its year's tick plus its days at the axis's pixels per day.</summary>
    private static double DayX(XElement root, DateOnly day)
    {
        var first = WithClass(root, "tick").Select(t => (string?)t.Attribute("data-year")).OfType<string>().Select(int.Parse).Min();
        var perDay = (TickX(root, first + 1) - TickX(root, first)) / (DateTime.IsLeapYear(first) ? 366 : 365);
        return TickX(root, day.Year) + (day.DayOfYear - 1) * perDay;
    }

    /// <summary>The sum of the translate(x,y) of an element and its ancestors.</summary>
    private static (double X, double Y) Offset(XElement element)
    {
        var (x, y) = (0.0, 0.0);
        foreach (var e in element.AncestorsAndSelf())
        {
            if ((string?)e.Attribute("transform") is not { } transform) continue;
            var parts = transform["translate(".Length..^1].Split(',');
            x += double.Parse(parts[0], CultureInfo.InvariantCulture);
            y += double.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return (x, y);
    }

    private static double ItemY(XElement item) => Offset(item).Y;

    private static IEnumerable<XElement> Items(XElement root, string lane) =>
        WithClass(root, "item").Where(e => (string?)e.Attribute("data-lane") == lane);

    /// <summary>A label as the user reads it: its lines joined by spaces.</summary>
    private static string LabelOf(XElement item)
    {
        var text = item.Elements(Svg + "text").Single();
        var lines = text.Elements(Svg + "tspan").Select(t => t.Value).ToList();
        return lines.Count == 0 ? text.Value : string.Join(" ", lines);
    }

    /// <summary>The absolute extent of a rect inside an item, as (left, right).</summary>
    private static (double Left, double Right) RectX(XElement rect)
    {
        var left = Offset(rect).X + Number(rect, "x");
        return (left, left + Number(rect, "width"));
    }

    private sealed record Box(string Text, double Left, double Top, double Right, double Bottom);

    /// <summary>
    /// Every line of text drawn, with its extent computed from what the document says: its x and y, its anchor, its
    /// font size and weight (inherited), the translate of its groups, and the drawing's own width estimate (which the
    /// browser test checks against the real font).
    /// </summary>
    private static List<Box> TextBoxes(XElement root)
    {
        var boxes = new List<Box>();
        foreach (var text in root.Descendants(Svg + "text"))
        {
            var size = text.AncestorsAndSelf().Select(e => (string?)e.Attribute("font-size")).First(s => s is not null)!;
            var fontSize = double.Parse(size, CultureInfo.InvariantCulture);
            var bold = text.AncestorsAndSelf().Any(e => (string?)e.Attribute("font-weight") == "bold");
            var anchor = (string?)text.Attribute("text-anchor") ?? "start";
            var (dx, dy) = Offset(text);
            var lines = text.Elements(Svg + "tspan").Any() ? text.Elements(Svg + "tspan").ToList() : [text];
            foreach (var line in lines)
            {
                var width = TreatmentLedger.Api.Svg.SvgWriting.TextWidth(line.Value, fontSize, bold);
                var left = dx + Number(line, "x") - anchor switch { "middle" => width / 2, "end" => width, _ => 0 };
                var baseline = dy + Number(line, "y");
                boxes.Add(new Box(line.Value, left, baseline - 0.8 * fontSize, left + width, baseline + 0.25 * fontSize));
            }
        }
        return boxes;
    }

    /// <summary>No text past the picture's edges, and no two texts on top of each other.</summary>
    private static void AssertEveryTextFits(XElement root)
    {
        var viewBox = ((string)root.Attribute("viewBox")!).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var boxes = TextBoxes(root);
        Assert.NotEmpty(boxes);
        Assert.All(boxes, b => Assert.True(b.Left >= 0 && b.Top >= 0 && b.Right <= viewBox[2] && b.Bottom <= viewBox[3], $"'{b.Text}' lies outside the picture: {b}"));
        var overlaps = boxes.SelectMany((a, i) => boxes.Skip(i + 1)
                .Where(b => Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left) > 0.5 && Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top) > 0.5)
                .Select(b => $"'{a.Text}' / '{b.Text}'"))
            .ToList();
        Assert.True(overlaps.Count == 0, "texts overlap: " + string.Join("; ", overlaps));
    }

    [Fact]
    public void It_is_a_standalone_svg_document_with_a_title_and_a_style()
    {
        var (text, root) = Render(SmallCase());

        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", text);
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("1.1", (string?)root.Attribute("version"));
        Assert.NotNull(root.Attribute("viewBox"));
        Assert.NotNull(root.Attribute("width"));
        Assert.NotNull(root.Attribute("height"));
        Assert.Equal("Case T-1 — timeline", (string?)root.Element(Svg + "title"));
        Assert.NotNull(root.Element(Svg + "style"));
    }

    [Fact]
    public void Local_treatments_are_above_the_axis_and_line_bars_below()
    {
        var (_, root) = Render(SmallCase());
        var axisY = AxisY(root);

        var surgery = Assert.Single(Items(root, Lanes.Surgery));
        Assert.Equal(EntryTypes.NameOf<SurgeryPerformed>(), (string?)surgery.Attribute("data-type"));
        Assert.Equal("2015-05", (string?)surgery.Attribute("data-start"));
        Assert.True(ItemY(surgery) < axisY);
        Assert.Contains(surgery.Ancestors(), a => HasClass(a, "lane-surgery"));

        var radiotherapy = Assert.Single(Items(root, Lanes.Radiotherapy));
        Assert.True(ItemY(radiotherapy) < axisY);
        Assert.Contains("54 Gy/25", LabelOf(radiotherapy));

        Assert.All(Items(root, Lanes.Diagnosis), d => Assert.True(ItemY(d) > axisY));
        Assert.All(Items(root, Lanes.Progression), p => Assert.True(ItemY(p) > axisY));

        var bars = WithClass(root, "line-bar").ToList();
        Assert.Equal(["1", "2"], bars.Select(b => (string)b.Attribute("data-line")!));
        Assert.All(bars, b => Assert.True(Number(b, "y") > axisY));
        Assert.Equal(("2016-01", "2017-07"), ((string)bars[0].Attribute("data-start")!, (string)bars[0].Attribute("data-end")!));
        Assert.Equal(("2017-07", "2018-04"), ((string)bars[1].Attribute("data-start")!, (string)bars[1].Attribute("data-end")!));
        Assert.Contains(root.Descendants(Svg + "text"), t => t.Value == "L1 crizotinib");
        Assert.DoesNotContain(WithClass(root, "line-arrow"), e => e.Ancestors().Any(a => HasClass(a, "lane-systemic")));
    }

    [Fact]
    public void A_date_known_to_the_month_spans_its_month()
    {
        var (_, root) = Render(SmallCase());

        var surgery = Assert.Single(Items(root, Lanes.Surgery));
        var (left, right) = RectX(WithClass(surgery, "span").Single());
        Assert.Equal(DayX(root, new DateOnly(2015, 5, 1)), left, 0.2);
        Assert.Equal(DayX(root, new DateOnly(2015, 6, 1)), right, 0.2);
        // Its marker stands in the middle of the month, not on its first day.
        Assert.Equal((left + right) / 2, Offset(surgery).X, 0.2);
    }

    [Fact]
    public void A_date_known_to_the_year_spans_its_year()
    {
        var (_, root) = Render(SmallCase());

        var radiotherapy = Assert.Single(Items(root, Lanes.Radiotherapy));
        var (left, right) = RectX(WithClass(radiotherapy, "span").Single());
        Assert.Equal(TickX(root, 2016), left, 0.2);
        Assert.Equal(TickX(root, 2017), right, 0.2);
    }

    [Fact]
    public void A_full_date_is_a_point_on_its_day()
    {
        var (_, root) = Render(SmallCase());

        var biopsy = Items(root, Lanes.Diagnosis).Single(i => (string?)i.Attribute("data-type") == EntryTypes.NameOf<BiopsyPerformed>());
        Assert.Empty(WithClass(biopsy, "span"));
        Assert.Equal(DayX(root, new DateOnly(2015, 3, 12)), Offset(biopsy).X, 0.2);
    }

    [Fact]
    public void A_line_known_to_the_month_is_drawn_from_the_first_day_of_its_start_month_to_the_last_of_its_stop_month()
    {
        var (_, root) = Render(SmallCase());

        var first = WithClass(root, "line-bar").First();
        var left = Number(first, "x");
        Assert.Equal(DayX(root, new DateOnly(2016, 1, 1)), left, 0.2);
        Assert.Equal(DayX(root, new DateOnly(2017, 8, 1)), left + Number(first, "width"), 0.2);
    }

    [Fact]
    public void A_dose_change_is_marked_on_its_line_bar_with_a_label()
    {
        var (_, root) = Render(SmallCase());

        var bar = WithClass(root, "line-bar").Single(b => (string?)b.Attribute("data-line") == "1");
        var change = Assert.Single(WithClass(root, "dose-change"));
        Assert.Equal("1", (string?)change.Attribute("data-line"));
        var (x, y) = Offset(change);
        Assert.Equal(DayX(root, new DateOnly(2016, 9, 15)), x, 0.2);
        Assert.InRange(x, Number(bar, "x"), Number(bar, "x") + Number(bar, "width"));
        Assert.Equal(Number(bar, "y") + Number(bar, "height") / 2, y, 0.2);
        Assert.Single(WithClass(change, "dose-tick"));
        Assert.Equal("crizotinib reduced to 200 mg", LabelOf(change));
        Assert.StartsWith("2016-09-15: crizotinib reduced to 200 mg", change.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void A_progression_label_shows_its_sites()
    {
        var (_, root) = Render(SmallCase());

        var progressions = Items(root, Lanes.Progression).ToList();
        Assert.Equal(2, progressions.Count);
        Assert.All(progressions, p => Assert.Equal(EntryTypes.NameOf<ProgressionObserved>(), (string?)p.Attribute("data-type")));
        var metastatic = LabelOf(progressions[1]);
        Assert.Equal("metastatic progression: liver, left adrenal gland, brain (lesion 1), brain (lesion 2)", metastatic);
        Assert.True(progressions[1].Elements(Svg + "text").Single().Elements(Svg + "tspan").Count() > 1, "a long label wraps");
    }

    [Fact]
    public void For_a_deceased_case_the_axis_ends_at_the_death()
    {
        var (_, root) = Render(SmallCase());

        Assert.Equal(["2015", "2016", "2017", "2018"], WithClass(root, "year").Select(t => t.Value));
        var death = Assert.Single(WithClass(root, "death"));
        Assert.Equal("2018-04", (string?)death.Attribute("data-start"));
        var (left, right) = RectX(WithClass(death, "death-period").Single());
        Assert.Equal(DayX(root, new DateOnly(2018, 4, 1)), left, 0.2);
        Assert.Equal(Number(WithClass(root, "axis-line").Single(), "x2"), right, 0.2);
        Assert.Contains("until the death, 2018-04", WithClass(root, "summary").Single().Value);
    }

    [Fact]
    public void User_text_is_escaped_and_long_labels_wrap_then_are_cut_with_the_full_text_on_hover()
    {
        var procedure = "resection of the left axillary and proximal humeral tumour with reconstruction of the axillary vessels and nerve grafts";
        var (text, root) = Render(SmallCase(procedure));

        Assert.DoesNotContain("<ALK+>", text);
        Assert.Contains("&lt;ALK+&gt; &amp;", text);
        var biopsy = Items(root, Lanes.Diagnosis).Single(i => (string?)i.Attribute("data-type") == EntryTypes.NameOf<BiopsyPerformed>());
        Assert.Contains(TrickyDiagnosis, biopsy.Element(Svg + "title")!.Value);

        var surgery = Assert.Single(Items(root, Lanes.Surgery));
        var label = LabelOf(surgery);
        Assert.StartsWith("resection of the left axillary and", label);
        Assert.EndsWith("…", label);
        Assert.Contains(procedure, surgery.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void An_ongoing_line_is_censored_at_as_of_with_an_arrow_end()
    {
        var (_, root) = Render(SmallCase(), asOf: new DateOnly(2016, 6, 15));

        var bar = Assert.Single(WithClass(root, "line-bar"));
        Assert.True(HasClass(bar, "active"));
        Assert.Equal("2016-06-15", (string?)bar.Attribute("data-end"));
        Assert.Single(WithClass(root, "line-arrow"), e => e.Ancestors().Any(a => HasClass(a, "lane-systemic")));
        Assert.Empty(WithClass(root, "death"));
        Assert.Contains("as of 2016-06-15", WithClass(root, "summary").Single().Value);
    }

    [Fact]
    public void Estimated_items_are_marked_and_the_legend_says_so()
    {
        var history = Recorded(
        [
            new CaseOpened { EntryId = Guid.NewGuid(), OccurredOn = D("2015-03"), PatientRef = "T-1", Sex = "female" },
            new RadiotherapyDelivered
            {
                EntryId = Guid.NewGuid(), OccurredOn = D("2015-09"), Site = "brain", Technique = "SBRT", TotalDoseGy = 27, Fractions = 3,
                Estimated = ["totalDoseGy"],
            },
            new SurgeryPerformed { EntryId = Guid.NewGuid(), OccurredOn = D("2015-10"), Procedure = "resection", Site = "brain", Intent = "curative", Margin = "R0" },
        ]);
        var (_, root) = Render(history);

        var radiotherapy = Assert.Single(Items(root, Lanes.Radiotherapy));
        Assert.True(HasClass(radiotherapy, "estimated"));
        Assert.EndsWith("(estimated: totalDoseGy)", radiotherapy.Element(Svg + "title")!.Value);
        Assert.False(HasClass(Assert.Single(Items(root, Lanes.Surgery)), "estimated"));
        Assert.Contains(WithClass(root, "legend").Single().Descendants(Svg + "text"), t => t.Value == "estimated");

        Assert.DoesNotContain(WithClass(Render(SmallCase()).Root, "legend").Single().Descendants(Svg + "text"), t => t.Value == "estimated");
    }

    [Fact]
    public void No_text_is_cut_off_or_overlaps_another_in_the_founding_case()
    {
        AssertEveryTextFits(Render(FoundingCase()).Root);
        AssertEveryTextFits(Render(FoundingCase(), asOf: new DateOnly(2015, 6, 1)).Root);
        AssertEveryTextFits(Render(SmallCase()).Root);
    }

    [Fact]
    public void Labels_that_would_collide_are_moved_not_dropped_and_stay_inside_at_the_right_edge()
    {
        var entries = new List<Entry>
        {
            new CaseOpened { EntryId = Guid.NewGuid(), OccurredOn = D("2020-01"), PatientRef = "T-2", Sex = "male" },
            new SystemicTherapyStarted { EntryId = Guid.NewGuid(), OccurredOn = D("2020-02"), Regimen = "a regimen with a remarkably long name for a bar label", TherapyClass = "chemotherapy" },
        };
        for (var i = 0; i < 6; i++)
        {
            entries.Add(new SurgeryPerformed
            {
                EntryId = Guid.NewGuid(), OccurredOn = D("2024-05"), Procedure = $"procedure {i} on a site with a long descriptive name", Site = "arm",
                Intent = "curative", Margin = "R0",
            });
            entries.Add(new DoseAdjusted { EntryId = Guid.NewGuid(), OccurredOn = D("2024-05"), Drug = "a drug", Direction = i % 2 == 0 ? "reduced" : "increased", Reason = "toxicity of some kind" });
            entries.Add(new ProgressionObserved { EntryId = Guid.NewGuid(), OccurredOn = D("2024-05"), Scope = "metastatic", Sites = ["lung", "liver", "bone", $"site {i}"] });
        }
        var (_, root) = Render(Recorded(entries));

        var surgeries = Items(root, Lanes.Surgery).ToList();
        Assert.Equal(6, surgeries.Count);
        Assert.All(surgeries, s => Assert.StartsWith("procedure", LabelOf(s)));
        Assert.Equal(6, surgeries.Select(ItemY).Distinct().Count());
        Assert.Equal(6, WithClass(root, "dose-change").Count());
        Assert.All(Items(root, Lanes.Progression), p => Assert.Contains("lung, liver, bone", LabelOf(p)));
        AssertEveryTextFits(root);
    }

    [Fact]
    public void Rendering_is_deterministic_and_an_empty_view_still_draws_an_axis()
    {
        var history = SmallCase();
        var view = Projections.Timeline.Of(history, new ViewPoint(null, Today));
        Assert.Equal(TimelineSvg.Render(view, "t"), TimelineSvg.Render(view, "t"));

        var empty = XDocument.Parse(TimelineSvg.Render(new TimelineView(null, D("2024-06-01"), [], []), "empty")).Root!;
        Assert.Equal(["2024"], WithClass(empty, "year").Select(t => t.Value));
        Assert.Empty(WithClass(empty, "line-bar"));
        AssertEveryTextFits(empty);
    }
}
