using System.Globalization;
using System.Text.RegularExpressions;
using TreatmentLedger.Api.Store;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Http;

/// <summary>
/// Checks the replay parameters every read route takes from the query string (Wolverine binds them as text, so that a
/// malformed one is a 400 naming it): <c>asOf</c> (clinical date, a day) and <c>knownAt</c> (an instant of record time).
/// </summary>
public static partial class ReadQuery
{
    public static (ReadParameters Parameters, ValidationErrors Errors) Parse(string? asOf, string? knownAt)
    {
        var errors = new ValidationErrors();
        DateOnly? day = null;
        if (!string.IsNullOrEmpty(asOf))
        {
            if (ClinicalDate.TryParse(asOf, out var date, out var message) && date.Precision == DatePrecision.Day)
                day = date.Anchor;
            else
                errors.Add("asOf", message.Length > 0 ? message : "must be a day, YYYY-MM-DD");
        }
        return (new ReadParameters(day, Instant("knownAt", knownAt, errors)), errors);
    }

    /// <summary>
    /// An ISO-8601 instant: a date, a time and an offset (or Z). A day alone or a time without an offset names no instant
    /// (which time zone?), so it is refused rather than read as UTC.
    /// </summary>
    public static DateTimeOffset? Instant(string name, string? text, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (IsoInstant().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var instant))
            return instant;
        errors.Add(name, $"'{text}' is not an ISO-8601 instant such as 2024-05-01T12:00:00Z");
        return null;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, <paramref name="fallback"/> when absent.</summary>
    public static int Whole(string name, string? text, int min, int max, int fallback, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text)) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors.Add(name, $"must be a whole number from {min} to {max}");
        return fallback;
    }

    /// <summary><c>minPosition</c>: a global sequence (a whole number from 0), null when absent.</summary>
    public static long? Position(string? text, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        errors.Add("minPosition", "must be a whole number from 0, the sequence an answer of a write gave");
        return null;
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoInstant();
}
