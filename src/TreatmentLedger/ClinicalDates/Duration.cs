using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TreatmentLedger.ClinicalDates;

/// <summary>
/// A duration between two clinical dates, with the range the dates' precision allows.
/// days = anchor(to) - anchor(from); minDays = max(0, earliest(to) - latest(from)); maxDays = latest(to) - earliest(from).
/// </summary>
public sealed record Duration(
    int Days,
    int MinDays,
    int MaxDays,
    [property: JsonConverter(typeof(Duration.OneDecimal))] double Months,
    [property: JsonConverter(typeof(Duration.OneDecimal))] double MinMonths,
    [property: JsonConverter(typeof(Duration.OneDecimal))] double MaxMonths,
    bool Censored)
{
    public const double DaysPerMonth = 30.4375;

    public static Duration Between(ClinicalDate from, ClinicalDate to, bool censored = false)
    {
        var days = to.Anchor.DayNumber - from.Anchor.DayNumber;
        var minDays = Math.Max(0, to.Earliest.DayNumber - from.Latest.DayNumber);
        var maxDays = to.Latest.DayNumber - from.Earliest.DayNumber;
        return new Duration(days, minDays, maxDays, ToMonths(days), ToMonths(minDays), ToMonths(maxDays), censored);
    }

    public static double ToMonths(int days) => Math.Round(days / DaysPerMonth, 1, MidpointRounding.AwayFromZero);

    /// <summary>Months are written with their one decimal (114.0, as API.md shows), not as 114.</summary>
    public sealed class OneDecimal : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString("0.0", CultureInfo.InvariantCulture));
    }
}
