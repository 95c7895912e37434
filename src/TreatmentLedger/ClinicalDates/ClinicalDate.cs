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

    public static bool TryParse(string? text, out ClinicalDate date, out string error) => TryParse(text.AsSpan(), out date, out error);

    /// <summary>Reads <c>YYYY</c>, <c>YYYY-MM</c> or <c>YYYY-MM-DD</c> (ASCII digits), without allocating unless it fails.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ClinicalDate date, out string error)
    {
        date = default;
        error = "must be a clinical date YYYY, YYYY-MM or YYYY-MM-DD";
        if (text.Length is not (4 or 7 or 10)) return false;
        for (var i = 0; i < text.Length; i++)
            if (i is 4 or 7 ? text[i] != '-' : !char.IsAsciiDigit(text[i])) return false;

        var year = int.Parse(text[..4], CultureInfo.InvariantCulture);
        if (year < 1800)
        {
            error = "year must be 1800 or later";
            return false;
        }
        int? month = text.Length > 4 ? int.Parse(text[5..7], CultureInfo.InvariantCulture) : null;
        if (month is < 1 or > 12)
        {
            error = $"'{text}' has no month {month}";
            return false;
        }
        int? day = text.Length > 7 ? int.Parse(text[8..10], CultureInfo.InvariantCulture) : null;
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

    public override string ToString()
    {
        Span<char> text = stackalloc char[MaxLength];
        return new string(text[..Format(text)]);
    }

    /// <summary>The longest a clinical date is written: <c>YYYY-MM-DD</c>.</summary>
    public const int MaxLength = 10;

    /// <summary>Writes the date as <see cref="ToString"/> does into <paramref name="text"/> (<see cref="MaxLength"/> long); returns its length.</summary>
    internal int Format(Span<char> text)
    {
        var invariant = CultureInfo.InvariantCulture;
        int length;
        _ = Precision switch
        {
            DatePrecision.Day => text.TryWrite(invariant, $"{Year:0000}-{Month!.Value:00}-{Day!.Value:00}", out length),
            DatePrecision.Month => text.TryWrite(invariant, $"{Year:0000}-{Month!.Value:00}", out length),
            _ => text.TryWrite(invariant, $"{Year:0000}", out length),
        };
        return length;
    }
}

public sealed class ClinicalDateJsonConverter : JsonConverter<ClinicalDate>
{
    public override ClinicalDate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) return Parsed(null);
        // Read into a buffer the length of a date (events are read by the thousand); longer text is no date unless escaped.
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > ClinicalDate.MaxLength) return Parsed(reader.GetString());
        Span<char> text = stackalloc char[ClinicalDate.MaxLength];
        return Parsed(text[..reader.CopyString(text)]);
    }

    private static ClinicalDate Parsed(ReadOnlySpan<char> text) =>
        ClinicalDate.TryParse(text, out var date, out var error) ? date : throw new JsonException(error);

    public override void Write(Utf8JsonWriter writer, ClinicalDate value, JsonSerializerOptions options)
    {
        Span<char> text = stackalloc char[ClinicalDate.MaxLength];
        writer.WriteStringValue(text[..value.Format(text)]);
    }
}
