using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;
using Wolverine.Http;

namespace TreatmentLedger.Api.Recording;

/// <summary>A write request once its body and headers are read: the entries in request order, and the version If-Match names.</summary>
/// <param name="FieldOf">Where the entry at an index sits in the request, for problem details (<c>entries[3]</c>; empty for a single entry).</param>
public sealed record Submission(IReadOnlyList<Entry> Entries, long? ExpectedVersion, Func<int, string> FieldOf)
{
    /// <summary>How a case file (<c>case</c>, then <c>entries</c>) names its entries; <c>POST /cases</c> too.</summary>
    public static string CaseFileField(int index) => index == 0 ? "case" : $"entries[{index - 1}]";
}

public sealed record WrittenEntry(Guid EntryId, long Sequence, long Version);

/// <summary>What a write stored (or, for repeated entries, had stored before).</summary>
public sealed record Written(Guid CaseId, long Version, IReadOnlyList<WrittenEntry> Entries);

/// <summary>
/// What recording a submission on a case amounts to, decided by <see cref="RecordingPlan"/> (the endpoint handlers
/// append its <see cref="Events"/>), and the answer once they are stored.
/// </summary>
public sealed class Decision
{
    private readonly IReadOnlyList<PlannedEntry> _plan;
    private readonly long _versionBefore;
    private readonly IReadOnlyDictionary<long, long> _repeatedSequences;

    private Decision(Guid caseId, long versionBefore, IReadOnlyList<PlannedEntry> plan, IReadOnlyDictionary<long, long> repeatedSequences)
    {
        CaseId = caseId;
        _versionBefore = versionBefore;
        _plan = plan;
        _repeatedSequences = repeatedSequences;
        Events = plan.Where(p => p.IsNew).Select(p => StoredEvents.For(caseId, p)).ToList();
    }

    public Guid CaseId { get; }

    /// <summary>The events of the new entries, in order: the appended ones get their sequences when the transaction commits.</summary>
    public IReadOnlyList<IEvent> Events { get; }

    /// <summary>A new case: the first entry is its case-opened (400/422 as for any entry).</summary>
    public static (Decision? Decision, ProblemDetails Problem) ForNewCase(Submission submission, TimeProvider clock)
    {
        var (plan, refusal) = RecordingPlan.Decide(CaseContext.NewCase, submission.Entries, clock.GetUtcNow(), Guid.NewGuid);
        return refusal is not null
            ? (null, Problems.Refused(refusal, submission.FieldOf(refusal.Index)))
            : (new Decision(Guid.CreateVersion7(), 0, plan, new Dictionary<long, long>()), WolverineContinue.NoProblems);
    }

    /// <summary>
    /// Entries on an existing case, judged against its state and the entries the request names (with their latest
    /// correction and retraction), read in the
    /// transaction that holds the stream's row lock: every earlier append is seen, none can slip in between.
    /// </summary>
    public static async Task<(Decision? Decision, ProblemDetails Problem)> OnCaseAsync(Guid caseId, IEventStream<CaseState> stream,
        Submission submission, IDocumentSession session, EventRows rows, TimeProvider clock, CancellationToken ct)
    {
        var connection = session.Connection!;
        var named = await rows.NamedAsync(connection, caseId, CaseContext.NamedBy(submission.Entries), ct);
        var amendments = await Amendment.OfAsync(session, caseId, named, ct);
        var (plan, refusal) = RecordingPlan.Decide(new CaseContext(stream.Aggregate, named, amendments), submission.Entries, clock.GetUtcNow(), Guid.NewGuid);
        if (refusal is not null) return (null, Problems.Refused(refusal, submission.FieldOf(refusal.Index)));

        var current = stream.CurrentVersion ?? 0;
        if (plan.Any(p => p.IsNew) && submission.ExpectedVersion is { } expected && expected != current)
            return (null, Problems.VersionConflict(expected, current));

        // The case's state keeps no sequences: those of entries repeated from earlier requests are read from the stream.
        var repeated = plan.Where(p => !p.IsNew && p.AlreadyRecorded!.Version <= current).Select(p => p.AlreadyRecorded!.Version).ToArray();
        var sequences = await rows.SequencesAsync(connection, caseId, repeated, ct);
        return (new Decision(caseId, current, plan, sequences), WolverineContinue.NoProblems);
    }

    /// <summary>
    /// The answer, built when the transaction has committed (the appended events then have their sequences): the case's
    /// new version as the ETag, and what <paramref name="respond"/> makes of what was written.
    /// </summary>
    public IResult Answer(Func<Written, IResult> respond) => new AfterCommit(this, respond);

    /// <remarks>
    /// Versions are counted from the version the decision saw; an entry repeated within the request itself answers with
    /// the sequence its first occurrence was just given.
    /// </remarks>
    private Written Written()
    {
        var written = new List<WrittenEntry>();
        var next = 0;
        foreach (var planned in _plan)
        {
            if (planned.AlreadyRecorded is { } original)
                written.Add(new WrittenEntry(original.Entry.EntryId,
                    original.Version > _versionBefore ? Events[(int)(original.Version - _versionBefore - 1)].Sequence : _repeatedSequences[original.Version],
                    original.Version));
            else
            {
                var e = Events[next++];
                written.Add(new WrittenEntry(planned.Entry.EntryId, e.Sequence, _versionBefore + next));
            }
        }
        return new Written(CaseId, _versionBefore + Events.Count, written);
    }

    private sealed class AfterCommit(Decision decision, Func<Written, IResult> respond) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            var written = decision.Written();
            http.Response.Headers.ETag = $"\"{written.Version}\"";
            return respond(written).ExecuteAsync(http);
        }
    }
}
