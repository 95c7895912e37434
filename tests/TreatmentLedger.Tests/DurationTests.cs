using System.Text.Json;
using TreatmentLedger.ClinicalDates;

namespace TreatmentLedger.Tests;

public sealed class DurationTests
{
    private static Duration Between(string from, string to, bool censored = false) =>
        Duration.Between(ClinicalDate.Parse(from), ClinicalDate.Parse(to), censored);

    [Fact]
    public void The_crizotinib_example_of_the_spec()
    {
        var duration = Between("2012-02", "2021-08");

        Assert.Equal(3469, duration.Days);
        Assert.Equal(3441, duration.MinDays);
        Assert.Equal(3499, duration.MaxDays);
        Assert.Equal(114.0, duration.Months);
        Assert.Equal(113.1, duration.MinMonths);
        Assert.Equal(115.0, duration.MaxMonths);
        Assert.False(duration.Censored);
    }

    [Fact]
    public void Two_days_give_one_exact_figure()
    {
        var duration = Between("2021-03-01", "2021-03-31");

        Assert.Equal(30, duration.Days);
        Assert.Equal(30, duration.MinDays);
        Assert.Equal(30, duration.MaxDays);
        // 30 / 30.4375 = 0.986 months.
        Assert.Equal(1.0, duration.Months);
        Assert.Equal(1.0, duration.MinMonths);
        Assert.Equal(1.0, duration.MaxMonths);
    }

    [Fact]
    public void Days_across_a_leap_year_are_counted_on_the_calendar()
    {
        var duration = Between("2024-01-01", "2025-01-01");

        Assert.Equal(366, duration.Days);
        Assert.Equal(366, duration.MinDays);
        Assert.Equal(366, duration.MaxDays);
        // 366 / 30.4375 = 12.02 months.
        Assert.Equal(12.0, duration.Months);
    }

    [Fact]
    public void Overlapping_periods_never_give_negative_min_days()
    {
        // 2020 is 2020-01-01..2020-12-31 and 2020-06 is 2020-06-01..2020-06-30: the end may precede the start.
        var duration = Between("2020", "2020-06");

        Assert.Equal(new DateOnly(2020, 6, 1).DayNumber - new DateOnly(2020, 1, 1).DayNumber, duration.Days);
        Assert.Equal(0, duration.MinDays);
        Assert.Equal(new DateOnly(2020, 6, 30).DayNumber - new DateOnly(2020, 1, 1).DayNumber, duration.MaxDays);
        Assert.Equal(0.0, duration.MinMonths);
    }

    [Fact]
    public void The_same_month_twice_spans_zero_to_the_month_length()
    {
        var duration = Between("2021-02", "2021-02");

        Assert.Equal(0, duration.Days);
        Assert.Equal(0, duration.MinDays);
        Assert.Equal(27, duration.MaxDays);
    }

    [Fact]
    public void A_month_to_a_day_mixes_the_precisions()
    {
        // earliest(2021-03) = 03-01, latest(2021-03) = 03-31; the end is one exact day.
        var duration = Between("2021-03", "2021-06-15");

        Assert.Equal(new DateOnly(2021, 6, 15).DayNumber - new DateOnly(2021, 3, 1).DayNumber, duration.Days);
        Assert.Equal(new DateOnly(2021, 6, 15).DayNumber - new DateOnly(2021, 3, 31).DayNumber, duration.MinDays);
        Assert.Equal(duration.Days, duration.MaxDays);
    }

    [Fact]
    public void A_censored_duration_says_so()
    {
        Assert.True(Between("2021-03", "2022-01-10", censored: true).Censored);
        Assert.False(Between("2021-03", "2022-01-10").Censored);
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(15, 0.5)]
    [InlineData(30, 1.0)]
    [InlineData(31, 1.0)]
    [InlineData(46, 1.5)]
    [InlineData(365, 12.0)]
    [InlineData(3469, 114.0)]
    public void Months_are_days_over_30_4375_to_one_decimal(int days, double months)
    {
        Assert.Equal(months, Duration.ToMonths(days));
        Assert.Equal(Math.Round(days / 30.4375, 1), Duration.ToMonths(days));
    }
}

public sealed class DurationJsonTests
{
    [Fact]
    public void Months_are_written_with_one_decimal_as_the_contract_shows()
    {
        var json = JsonSerializer.Serialize(
            Duration.Between(ClinicalDate.Parse("2012-02"), ClinicalDate.Parse("2021-08")),
            new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Equal("""{"days":3469,"minDays":3441,"maxDays":3499,"months":114.0,"minMonths":113.1,"maxMonths":115.0,"censored":false}""", json);
    }
}
