using System.Globalization;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Http;

/// <summary>
/// Reads the replay parameters every read route takes from the query string: <c>asOf</c> (clinical date, a day) and
/// <c>knownAt</c> (an instant of record time).
/// </summary>
public static class ReadQuery
{
    public static (ReadParameters Parameters, ValidationErrors Errors) From(HttpRequest request)
    {
        var errors = new ValidationErrors();
        DateOnly? asOf = null;
        var asOfText = request.Query["asOf"].ToString();
        if (asOfText.Length > 0)
        {
            if (ClinicalDate.TryParse(asOfText, out var date, out var message) && date.Precision == DatePrecision.Day)
                asOf = date.Anchor;
            else
                errors.Add("asOf", message.Length > 0 ? message : "must be a day, YYYY-MM-DD");
        }
        var knownAt = Instant(request, "knownAt", errors);
        return (new ReadParameters(asOf, knownAt), errors);
    }

    /// <summary>An ISO-8601 instant with an offset (or Z) from the query string.</summary>
    public static DateTimeOffset? Instant(HttpRequest request, string name, ValidationErrors errors)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
            return instant;
        errors.Add(name, $"'{text}' is not an ISO-8601 instant such as 2024-05-01T12:00:00Z");
        return null;
    }
}
