using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TreatmentLedger.ClinicalDates;

public enum DatePrecision { Year, Month, Day }

/// <summary>
/// A clinical date: <c>YYYY</c>, <c>YYYY-MM</c> or <c>YYYY-MM-DD</c>, standing for the whole period it names.
/// The precision is kept; a day is never invented.
/// </summary>
[JsonConverter(typeof(ClinicalDateJsonConverter))]
public readonly record struct ClinicalDate : IComparable<ClinicalDate>
{
    public int Year { get; }
    public int? Month { get; }
    public int? Day { get; }

    private ClinicalDate(int year, int? month, int? day)
    {
        Year = year;
        Month = month;
        Day = day;
    }

    public DatePrecision Precision => Day is not null ? DatePrecision.Day : Month is not null ? DatePrecision.Month : DatePrecision.Year;

    /// <summary>First day of the period.</summary>
    public DateOnly Earliest => new(Year, Month ?? 1, Day ?? 1);

    /// <summary>Last day of the period.</summary>
    public DateOnly Latest => Precision switch
    {
        DatePrecision.Day => Earliest,
        DatePrecision.Month => new DateOnly(Year, Month!.Value, DateTime.DaysInMonth(Year, Month.Value)),
        _ => new DateOnly(Year, 12, 31),
    };

    /// <summary>Ordering and as-of filtering use the anchor: the first day of the period.</summary>
    public DateOnly Anchor => Earliest;

    public static ClinicalDate OnDay(DateOnly day) => new(day.Year, day.Month, day.Day);

    public static ClinicalDate Parse(string text) =>
        TryParse(text, out var date, out var error) ? date : throw new FormatException(error);

    public static bool TryParse(string? text, out ClinicalDate date, out string error)
    {
        date = default;
        error = "must be a clinical date YYYY, YYYY-MM or YYYY-MM-DD";
        if (string.IsNullOrEmpty(text)) return false;
        var parts = text.Split('-');
        if (parts.Length > 3 || parts[0].Length != 4 || parts.Skip(1).Any(p => p.Length != 2)) return false;
        if (!parts.All(p => p.All(char.IsAsciiDigit))) return false;

        var year = int.Parse(parts[0], CultureInfo.InvariantCulture);
        if (year < 1800)
        {
            error = "year must be 1800 or later";
            return false;
        }
        int? month = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : null;
        if (month is < 1 or > 12)
        {
            error = $"'{text}' has no month {month}";
            return false;
        }
        int? day = parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : null;
        if (day is not null && (day < 1 || day > DateTime.DaysInMonth(year, month!.Value)))
        {
            error = $"'{text}' does not exist: {year}-{month:00} has {DateTime.DaysInMonth(year, month!.Value)} days";
            return false;
        }
        date = new ClinicalDate(year, month, day);
        error = "";
        return true;
    }

    public int CompareTo(ClinicalDate other) => Anchor.CompareTo(other.Anchor);

    public override string ToString() => Precision switch
    {
        DatePrecision.Day => $"{Year:0000}-{Month:00}-{Day:00}",
        DatePrecision.Month => $"{Year:0000}-{Month:00}",
        _ => $"{Year:0000}",
    };
}

public sealed class ClinicalDateJsonConverter : JsonConverter<ClinicalDate>
{
    public override ClinicalDate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return ClinicalDate.TryParse(text, out var date, out var error) ? date : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, ClinicalDate value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
