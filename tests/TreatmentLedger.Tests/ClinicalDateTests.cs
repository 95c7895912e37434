using System.Text.Json;
using TreatmentLedger.ClinicalDates;

namespace TreatmentLedger.Tests;

public sealed class ClinicalDateTests
{
    [Theory]
    [InlineData("2021", DatePrecision.Year, 2021, null, null)]
    [InlineData("2021-02", DatePrecision.Month, 2021, 2, null)]
    [InlineData("2021-02-03", DatePrecision.Day, 2021, 2, 3)]
    [InlineData("2024-02-29", DatePrecision.Day, 2024, 2, 29)]
    [InlineData("2021-12-31", DatePrecision.Day, 2021, 12, 31)]
    public void Parses_the_three_precisions(string text, DatePrecision precision, int year, int? month, int? day)
    {
        Assert.True(ClinicalDate.TryParse(text, out var date, out var error), error);

        Assert.Equal("", error);
        Assert.Equal(precision, date.Precision);
        Assert.Equal(year, date.Year);
        Assert.Equal(month, date.Month);
        Assert.Equal(day, date.Day);
    }

    [Theory]
    [InlineData("2021-02-30")]
    [InlineData("2023-02-29")]
    [InlineData("2021-04-31")]
    [InlineData("2021-13")]
    [InlineData("2021-00")]
    [InlineData("2021-02-00")]
    [InlineData("21-02")]
    [InlineData("2021-2-3")]
    [InlineData("2021-02-3")]
    [InlineData("2021-2")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("2021-")]
    [InlineData("2021-02-03-04")]
    [InlineData("2021/02/03")]
    [InlineData("2021-02-03T10:00")]
    [InlineData(" 2021")]
    [InlineData("+2021")]
    [InlineData("twenty")]
    [InlineData("02-2021")]
    public void Refuses_what_is_not_a_clinical_date(string text)
    {
        Assert.False(ClinicalDate.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Throws<FormatException>(() => ClinicalDate.Parse(text));
    }

    [Fact]
    public void Years_begin_at_1800()
    {
        Assert.Equal(1800, ClinicalDate.Parse("1800").Year);
        Assert.False(ClinicalDate.TryParse("1799-12-31", out _, out var error));
        Assert.Equal("year must be 1800 or later", error);
    }

    [Fact]
    public void Refuses_null()
    {
        Assert.False(ClinicalDate.TryParse(null, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void An_impossible_day_is_reported_as_such()
    {
        Assert.False(ClinicalDate.TryParse("2021-02-30", out _, out var error));

        Assert.Contains("2021-02-30", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2021", "2021-01-01", "2021-12-31")]
    [InlineData("2024", "2024-01-01", "2024-12-31")]
    [InlineData("2021-02", "2021-02-01", "2021-02-28")]
    [InlineData("2024-02", "2024-02-01", "2024-02-29")]
    [InlineData("2021-04", "2021-04-01", "2021-04-30")]
    [InlineData("2021-12", "2021-12-01", "2021-12-31")]
    [InlineData("2021-02-03", "2021-02-03", "2021-02-03")]
    [InlineData("2024-02-29", "2024-02-29", "2024-02-29")]
    public void Earliest_and_latest_bound_the_period_and_the_anchor_is_the_earliest(string text, string earliest, string latest)
    {
        var date = ClinicalDate.Parse(text);

        Assert.Equal(DateOnly.Parse(earliest, System.Globalization.CultureInfo.InvariantCulture), date.Earliest);
        Assert.Equal(DateOnly.Parse(latest, System.Globalization.CultureInfo.InvariantCulture), date.Latest);
        Assert.Equal(date.Earliest, date.Anchor);
    }

    [Fact]
    public void Ordering_uses_the_anchor()
    {
        string[] texts = ["2021-03-15", "2020", "2021-03", "2019-12-31", "2021-02-28", "2021"];

        var ordered = texts.Select(ClinicalDate.Parse).Order().Select(d => d.ToString()).ToArray();

        // Anchors: 2019-12-31, 2020-01-01, 2021-01-01, 2021-02-28, 2021-03-01, 2021-03-15.
        Assert.Equal(new[] { "2019-12-31", "2020", "2021", "2021-02-28", "2021-03", "2021-03-15" }, ordered);
    }

    [Fact]
    public void Dates_with_the_same_anchor_compare_as_equal_in_order_but_keep_their_precision()
    {
        var year = ClinicalDate.Parse("2021");
        var month = ClinicalDate.Parse("2021-01");
        var day = ClinicalDate.Parse("2021-01-01");

        Assert.Equal(0, year.CompareTo(month));
        Assert.Equal(0, month.CompareTo(day));
        Assert.NotEqual(year, day);
        Assert.NotEqual(year.Latest, day.Latest);
    }

    [Fact]
    public void A_year_sorts_before_a_later_month_of_the_same_year_and_a_month_before_its_later_days()
    {
        Assert.True(ClinicalDate.Parse("2012").CompareTo(ClinicalDate.Parse("2012-02")) < 0);
        Assert.True(ClinicalDate.Parse("2012-02").CompareTo(ClinicalDate.Parse("2012-02-02")) < 0);
        Assert.True(ClinicalDate.Parse("2012-12-31").CompareTo(ClinicalDate.Parse("2013")) < 0);
    }

    [Theory]
    [InlineData("2021")]
    [InlineData("2021-02")]
    [InlineData("2021-02-03")]
    [InlineData("1999-10-01")]
    [InlineData("2024-02-29")]
    public void ToString_keeps_the_precision(string text)
    {
        Assert.Equal(text, ClinicalDate.Parse(text).ToString());
    }

    [Fact]
    public void A_day_made_from_a_DateOnly_has_day_precision()
    {
        var date = ClinicalDate.OnDay(new DateOnly(2023, 3, 7));

        Assert.Equal(DatePrecision.Day, date.Precision);
        Assert.Equal("2023-03-07", date.ToString());
    }

    [Theory]
    [InlineData("2021")]
    [InlineData("2021-02")]
    [InlineData("2021-02-03")]
    public void Json_keeps_the_string_and_its_precision(string text)
    {
        var json = JsonSerializer.Serialize(ClinicalDate.Parse(text));

        Assert.Equal($"\"{text}\"", json);
        Assert.Equal(ClinicalDate.Parse(text), JsonSerializer.Deserialize<ClinicalDate>(json));
    }

    [Theory]
    [InlineData("\"2021-02-30\"")]
    [InlineData("\"2021-13\"")]
    [InlineData("2021")]
    [InlineData("null")]
    public void Json_refuses_what_is_not_a_clinical_date_string(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ClinicalDate>(json));
    }

    [Theory]
    [InlineData("\"\\u0032021\"", "2021")]
    [InlineData("\"\\u0032021-02\"", "2021-02")]
    [InlineData("\"2021-02-0\\u0033\"", "2021-02-03")]
    [InlineData("\"2021\\u002D02\"", "2021-02")]
    public void Json_reads_a_date_written_with_escapes(string json, string date)
    {
        Assert.Equal(ClinicalDate.Parse(date), JsonSerializer.Deserialize<ClinicalDate>(json));
    }

    [Theory]
    [InlineData("\"2021-02-03T10:00\"")]
    [InlineData("\"2021-02-03 and more text than a date holds\"")]
    public void Json_refuses_text_longer_than_a_date_as_no_date(string json)
    {
        var refused = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ClinicalDate>(json));
        Assert.Equal("must be a clinical date YYYY, YYYY-MM or YYYY-MM-DD", refused.Message);
    }
}
