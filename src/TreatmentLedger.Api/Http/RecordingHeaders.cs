using System.Globalization;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Http;

/// <summary>What a write request's headers say: who records, under which correlation id, and the version a writer last saw.</summary>
public static class RecordingHeaders
{
    public const string CorrelationIdHeader = "X-Correlation-Id";

    /// <summary>
    /// Who records and under which correlation id, for the metadata of every event the request appends (never payload).
    /// The recorder is the bearer token's subject (no header can name another). The correlation id is X-Correlation-Id,
    /// else the request's trace identifier, and is echoed in the answer.
    /// </summary>
    public static Recorder RecorderOf(HttpContext http)
    {
        var correlationId = CorrelationIdOf(http);
        http.Response.Headers[CorrelationIdHeader] = correlationId;
        return new Recorder(Caller.Of(http.User).Sub, correlationId);
    }

    /// <summary>The request's correlation id: X-Correlation-Id, else the request's trace identifier.</summary>
    public static string CorrelationIdOf(HttpContext http) =>
        http.Request.Headers[CorrelationIdHeader].ToString().Trim() is { Length: > 0 } given ? given : http.TraceIdentifier;

    /// <summary>The version named by <c>If-Match: "&lt;version&gt;"</c>, if the header is present.</summary>
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
