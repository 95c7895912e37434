using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Http;

/// <summary>
/// RFC 9457 problem answers, the only error shape the API gives. Endpoints return them from their Load, Before and
/// Validate steps (Wolverine stops at one that is not <c>WolverineContinue.NoProblems</c>), or answer one with
/// <see cref="Results.Problem(ProblemDetails)"/>.
/// </summary>
public static class Problems
{
    public const string UnknownCase = "No case {Id} is recorded.";

    public static ProblemDetails Invalid(ValidationErrors errors) => new HttpValidationProblemDetails(errors.ToDictionary())
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The request is not valid",
        Detail = "See errors for each field.",
    };

    public static ProblemDetails Invalid(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return Invalid(errors);
    }

    public static ProblemDetails TooLarge(long limit) => new()
    {
        // ASP.NET Core gives no type for this status (nor for 429): the RFC that defines it, as for the others.
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        Status = StatusCodes.Status413PayloadTooLarge,
        Title = "The body is too large",
        Detail = $"This route takes a body of at most {limit:N0} bytes; nothing was stored.",
    };

    public static ProblemDetails UnsupportedMediaType(string? contentType) => new()
    {
        Status = StatusCodes.Status415UnsupportedMediaType,
        Title = "The body must be JSON",
        Detail = $"Content-Type '{contentType}' is not JSON: send Content-Type: application/json (UTF-8); nothing was stored.",
    };

    public static ProblemDetails TooManyRequests(TimeSpan retryAfter) => new()
    {
        Type = "https://tools.ietf.org/html/rfc6585#section-4",
        Status = StatusCodes.Status429TooManyRequests,
        Title = "Too many requests",
        Detail = $"The request rate limit is reached; retry after {retryAfter.TotalSeconds:0} s. Nothing was stored.",
    };

    /// <summary>
    /// A request the web server refused before the application read it (<see cref="ServerRefusals"/>), from the status
    /// and reason phrase of the server's own answer.
    /// </summary>
    public static ProblemDetails RefusedByServer(int status, string reason)
    {
        var (type, title, detail) = status switch
        {
            StatusCodes.Status408RequestTimeout =>
                ("https://tools.ietf.org/html/rfc9110#section-15.5.9", "Request timeout", "The request's headers did not arrive in time."),
            StatusCodes.Status414UriTooLong =>
                ("https://tools.ietf.org/html/rfc9110#section-15.5.15", "The request line is too long", "The request line (method, path and query) is longer than the server reads."),
            StatusCodes.Status431RequestHeaderFieldsTooLarge =>
                ("https://tools.ietf.org/html/rfc6585#section-5", "The headers are too large", "The request's headers are longer than the server reads."),
            StatusCodes.Status505HttpVersionNotsupported =>
                ("https://tools.ietf.org/html/rfc9110#section-15.6.6", "HTTP version not supported", "The server speaks HTTP/1.1 (and 1.0)."),
            StatusCodes.Status400BadRequest =>
                ("https://tools.ietf.org/html/rfc9110#section-15.5.1", "The request is malformed", "The request line or a header is not valid HTTP."),
            _ => ("about:blank", reason, "The server refused the request before reading it."),
        };
        return new ProblemDetails { Type = type, Title = title, Status = status, Detail = detail + " Nothing was read or stored." };
    }

    public static ProblemDetails CaseNotFound(Guid caseId) => new()
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Unknown case",
        Detail = UnknownCase.Replace("{Id}", caseId.ToString()),
    };

    public static ProblemDetails UnknownProjection(string name, IEnumerable<string> known) => new()
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Unknown projection",
        Detail = $"No async projection is named '{name}'; the async projections are: {string.Join(", ", known)}.",
    };

    public static ProblemDetails RebuildRunning() => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = "A rebuild is running",
        Detail = "A rebuild is running already, on this node or another; GET /projections shows its progress.",
    };

    public static ProblemDetails VersionConflict(long expected, long actual) => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = "The case has moved on",
        Detail = $"If-Match named version {expected} but the case is at version {actual}; nothing was stored. Read the case again and retry.",
        Extensions = { ["currentVersion"] = actual },
    };

    /// <param name="field">Where the refused entry sits in the request, e.g. <c>entries[3]</c>; empty for a single entry.</param>
    public static ProblemDetails Refused(Refusal refusal, string field)
    {
        var problem = new ProblemDetails
        {
            Status = refusal.Kind == RefusalKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity,
            Title = refusal.Kind == RefusalKind.Conflict ? "The entryId is already used" : "A clinical rule is broken",
            Detail = refusal.Detail + "; nothing was stored.",
        };
        if (field.Length > 0) problem.Extensions["entry"] = field;
        return problem;
    }
}
