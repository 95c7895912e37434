using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;

namespace TreatmentLedger.Api.Recording;

/// <summary>What the write endpoints answer: the one place where the writer queue's outcome becomes HTTP.</summary>
public static class RecordingAnswer
{
    /// <summary>
    /// Hands the submission to the writer queue (<see cref="CaseWriter.WriteAsync"/>) for the caller's hospital and who records (<see cref="RecordingHeaders"/>),
    /// and answers the problem that stored nothing, or, once the transaction has committed, the case's new version as the
    /// ETag and what <paramref name="respond"/> makes of what was written.
    /// </summary>
    public static async Task<IResult> RecordAsync(this CaseWriter writer, Guid? caseId, Submission submission, HttpContext http,
        Func<Written, IResult> respond, bool opensCase = false)
    {
        var (decision, problem) = await writer.WriteAsync(http.User.Hospital(), caseId, submission, RecordingHeaders.RecorderOf(http), opensCase);
        if (problem is not null) return Results.Problem(problem);
        var written = decision!.Written();
        http.Response.Headers.ETag = $"\"{written.Version}\"";
        return respond(written);
    }
}
