using TreatmentLedger.Entries;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Http;

/// <summary>RFC 9457 problem answers, the only error shape the API gives.</summary>
public static class Problems
{
    public static IResult Invalid(ValidationErrors errors) =>
        Results.ValidationProblem(errors.ToDictionary(), title: "The request is not valid", detail: "See errors for each field.");

    public static IResult Invalid(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return Invalid(errors);
    }

    /// <summary>The answer to a write that stored nothing.</summary>
    public static IResult For(WriteRefusal refusal) => refusal switch
    {
        UnknownCase unknown => CaseNotFound(unknown.CaseId),
        VersionMoved moved => VersionConflict(moved.Expected, moved.Actual),
        EntryRefused refused => Refused(refused.Refusal, refused.Field),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "an unknown kind of refusal"),
    };

    public static IResult CaseNotFound(Guid caseId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown case", detail: $"No case {caseId} is recorded.");

    public static IResult VersionConflict(long expected, long actual) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The case has moved on",
            detail: $"If-Match named version {expected} but the case is at version {actual}; nothing was stored. Read the case again and retry.",
            extensions: new Dictionary<string, object?> { ["currentVersion"] = actual });

    /// <param name="field">Where the refused entry sits in the request, e.g. <c>entries[3]</c>; empty for a single entry.</param>
    public static IResult Refused(Refusal refusal, string field) =>
        Results.Problem(
            statusCode: refusal.Kind == RefusalKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity,
            title: refusal.Kind == RefusalKind.Conflict ? "The entryId is already used" : "A clinical rule is broken",
            detail: refusal.Detail + "; nothing was stored.",
            extensions: field.Length == 0 ? null : new Dictionary<string, object?> { ["entry"] = field });
}
