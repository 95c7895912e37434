using System.Globalization;
using TreatmentLedger.Entries;
using TreatmentLedger.Api.Recording;

namespace TreatmentLedger.Api.Http;

/// <summary>What a write request's headers say: who records, under which correlation id, and the version a writer last saw.</summary>
public static class RecordingHeaders
{
    public const string RecordedByHeader = "X-Recorded-By";
    public const string CorrelationIdHeader = "X-Correlation-Id";
    public const string Anonymous = "anonymous";

    /// <summary>
    /// Who records and under which correlation id, for the metadata of every event the request appends (never payload).
    /// Until authentication exists, the recorder is whoever X-Recorded-By names. The correlation id is X-Correlation-Id,
    /// else the request's trace identifier, and is echoed in the answer.
    /// </summary>
    public static Recorder RecorderOf(HttpContext http)
    {
        var recordedBy = http.Request.Headers[RecordedByHeader].ToString().Trim();
        var correlationId = http.Request.Headers[CorrelationIdHeader].ToString().Trim();
        if (correlationId.Length == 0) correlationId = http.TraceIdentifier;
        http.Response.Headers[CorrelationIdHeader] = correlationId;
        return new Recorder(recordedBy.Length == 0 ? Anonymous : recordedBy[..Math.Min(recordedBy.Length, 200)], correlationId);
    }

    /// <summary>
    /// The version named by <c>If-Match: "&lt;version&gt;"</c>, if the header is present. An empty If-Match is a 400, not
    /// "no condition": a client that meant to guard its write must not have it stored unguarded.
    /// </summary>
    public static (long? Version, ValidationErrors? Errors) ExpectedVersion(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("If-Match", out var values)) return (null, null);
        var header = values.ToString().Trim();
        var text = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        text = text.Trim('"');
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
            return (version, null);
        var errors = new ValidationErrors();
        errors.Add("If-Match", header.Length == 0
            ? "is empty: send If-Match: \"<version>\", or leave the header out to record unconditionally"
            : $"'{header}' is not a case version: send If-Match: \"<version>\"");
        return (null, errors);
    }
}
