using System.Globalization;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Http;

/// <summary>Reads from a request's headers who records, under which correlation id, and the version a writer last saw.</summary>
public static class RecordingHeaders
{
    public const string RecordedByHeader = "X-Recorded-By";
    public const string CorrelationIdHeader = "X-Correlation-Id";
    public const string Anonymous = "anonymous";

    /// <summary>Until authentication exists, the recorder is whoever X-Recorded-By names.</summary>
    public static RecordingContext From(HttpContext http)
    {
        var recordedBy = http.Request.Headers[RecordedByHeader].ToString().Trim();
        var correlationId = http.Request.Headers[CorrelationIdHeader].ToString().Trim();
        if (correlationId.Length == 0) correlationId = http.TraceIdentifier;
        http.Response.Headers[CorrelationIdHeader] = correlationId;
        return new RecordingContext(recordedBy.Length == 0 ? Anonymous : recordedBy[..Math.Min(recordedBy.Length, 200)], correlationId);
    }

    /// <summary>The version named by <c>If-Match: "&lt;version&gt;"</c>, if the header is present.</summary>
    public static (long? Version, ValidationErrors? Errors) ExpectedVersion(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0) return (null, null);
        var text = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        text = text.Trim('"');
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
            return (version, null);
        var errors = new ValidationErrors();
        errors.Add("If-Match", $"'{header}' is not a case version: send If-Match: \"<version>\"");
        return (null, errors);
    }
}
