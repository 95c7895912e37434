using System.Globalization;
using System.Xml.Linq;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Tests;

public sealed class TimelineSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly DateOnly Today = new(2024, 6, 1);
    private const string TrickyDiagnosis = "IMT <ALK+> & \"more\"";

    private static ClinicalDate D(string text) => ClinicalDate.Parse(text);

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
            new RadiotherapyDelivered { EntryId = Guid.NewGuid(), OccurredOn = D("2015-09"), Site = "axilla", Technique = "conventional", TotalDoseGy = 54, Fractions = 25 },
            new SystemicTherapyStarted { EntryId = Guid.NewGuid(), OccurredOn = D("2016-01"), Regimen = "crizotinib", TherapyClass = "targeted" },
            new ProgressionObserved { EntryId = Guid.NewGuid(), OccurredOn = D("2017-06"), Scope = "local" },
            new SystemicTherapyStarted { EntryId = Guid.NewGuid(), OccurredOn = D("2017-07"), Regimen = "alectinib", TherapyClass = "targeted" },
            new ProgressionObserved { EntryId = Guid.NewGuid(), OccurredOn = D("2018-02"), Scope = "metastatic", Sites = ["lung"] },
            new PatientDied { EntryId = Guid.NewGuid(), OccurredOn = D("2018-04"), Cause = "progression" },
        ];
        return new CaseHistory(entries.Select((e, i) =>
            new RecordedEntry(e, i + 1, i + 1, new DateTimeOffset(2024, 1, 1, 8, i, 0, TimeSpan.Zero), "tester", null)));
    }

    private static (string Text, XElement Root) Render(CaseHistory history, DateOnly? asOf = null)
    {
        var svg = TimelineSvg.Render(Timeline.Of(history, new ViewPoint(asOf, Today)), "Case T-1 — timeline");
        return (svg, XDocument.Parse(svg).Root!);
    }

    private static bool HasClass(XElement element, string css) =>
        ((string?)element.Attribute("class") ?? "").Split(' ').Contains(css);

    private static IEnumerable<XElement> WithClass(XElement root, string css) => root.Descendants().Where(e => HasClass(e, css));

    private static double AxisY(XElement root) =>
        double.Parse((string)WithClass(root, "axis-line").Single().Attribute("y1")!, CultureInfo.InvariantCulture);

    /// <summary>The y of an item group placed with transform="translate(x,y)".</summary>
    private static double ItemY(XElement item)
    {
        var translate = (string)item.Attribute("transform")!;
        var y = translate["translate(".Length..^1].Split(',')[1];
        return double.Parse(y, CultureInfo.InvariantCulture);
    }

    private static IEnumerable<XElement> Items(XElement root, string lane) =>
        WithClass(root, "item").Where(e => (string?)e.Attribute("data-lane") == lane);

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
        Assert.Equal(EntryTypes.SurgeryPerformed, (string?)surgery.Attribute("data-type"));
        Assert.Equal("2015-05", (string?)surgery.Attribute("data-start"));
        Assert.True(ItemY(surgery) < axisY);
        Assert.Contains(surgery.Ancestors(), a => HasClass(a, "lane-surgery"));

        var radiotherapy = Assert.Single(Items(root, Lanes.Radiotherapy));
        Assert.True(ItemY(radiotherapy) < axisY);
        Assert.Contains("54 Gy/25", radiotherapy.Elements(Svg + "text").Single().Value);

        Assert.All(Items(root, Lanes.Diagnosis), d => Assert.True(ItemY(d) > axisY));

        var bars = WithClass(root, "line-bar").ToList();
        Assert.Equal(["1", "2"], bars.Select(b => (string)b.Attribute("data-line")!));
        Assert.All(bars, b => Assert.True(double.Parse((string)b.Attribute("y")!, CultureInfo.InvariantCulture) > axisY));
        Assert.Equal(("2016-01", "2017-07"), ((string)bars[0].Attribute("data-start")!, (string)bars[0].Attribute("data-end")!));
        Assert.Equal(("2017-07", "2018-04"), ((string)bars[1].Attribute("data-start")!, (string)bars[1].Attribute("data-end")!));
        Assert.Contains(root.Descendants(Svg + "text"), t => t.Value == "L1 crizotinib");
        Assert.DoesNotContain(WithClass(root, "line-arrow"), e => e.Ancestors().Any(a => HasClass(a, "lane-systemic")));
    }

    [Fact]
    public void Year_labels_cover_the_span_and_progressions_and_death_are_marked()
    {
        var (_, root) = Render(SmallCase());

        Assert.Equal(["2015", "2016", "2017", "2018"], WithClass(root, "year").Select(t => t.Value));
        var progressions = WithClass(root, "progression").ToList();
        Assert.Equal(2, progressions.Count);
        Assert.All(progressions, p => Assert.Equal(EntryTypes.ProgressionObserved, (string?)p.Attribute("data-type")));
        var death = Assert.Single(WithClass(root, "death"));
        Assert.Equal("2018-04", (string?)death.Attribute("data-start"));
    }

    [Fact]
    public void User_text_is_escaped_and_long_labels_are_cut_with_the_full_text_on_hover()
    {
        var procedure = "resection of the left axillary and proximal humeral tumour";
        var (text, root) = Render(SmallCase(procedure));

        Assert.DoesNotContain("<ALK+>", text);
        Assert.Contains("&lt;ALK+&gt; &amp;", text);
        var biopsy = Items(root, Lanes.Diagnosis).Single(i => (string?)i.Attribute("data-type") == EntryTypes.BiopsyPerformed);
        Assert.Contains(TrickyDiagnosis, biopsy.Element(Svg + "title")!.Value);

        var surgery = Assert.Single(Items(root, Lanes.Surgery));
        var label = surgery.Elements(Svg + "text").Single().Value;
        Assert.EndsWith("…", label);
        Assert.True(label.Length < procedure.Length);
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
    }

    [Fact]
    public void Rendering_is_deterministic_and_an_empty_view_still_draws_an_axis()
    {
        var history = SmallCase();
        var view = Timeline.Of(history, new ViewPoint(null, Today));
        Assert.Equal(TimelineSvg.Render(view, "t"), TimelineSvg.Render(view, "t"));

        var empty = XDocument.Parse(TimelineSvg.Render(new TimelineView(null, D("2024-06-01"), []), "empty")).Root!;
        Assert.Equal(["2024"], WithClass(empty, "year").Select(t => t.Value));
        Assert.Empty(WithClass(empty, "line-bar"));
    }
}
