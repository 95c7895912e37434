using JasperFx.Events;
using Microsoft.AspNetCore.Mvc;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Recording;

/// <summary>A write request once its body and headers are read: the entries in request order, and the version If-Match names.</summary>
/// <param name="FieldOf">Where the entry at an index sits in the request, for problem details (<c>entries[3]</c>; empty for a single entry).</param>
public sealed record Submission(IReadOnlyList<Entry> Entries, long? ExpectedVersion, Func<int, string> FieldOf)
{
    /// <summary>How a case file (<c>case</c>, then <c>entries</c>) names its entries; <c>POST /cases</c> too.</summary>
    public static string CaseFileField(int index) => index == 0 ? "case" : $"entries[{index - 1}]";
}

/// <summary>Who records and under which correlation id: stored as each event's metadata, never as payload.</summary>
public sealed record Recorder(string RecordedBy, string CorrelationId);

public sealed record WrittenEntry(Guid EntryId, long Sequence, long Version);

/// <summary>What a write stored (or, for repeated entries, had stored before).</summary>
public sealed record Written(Guid CaseId, long Version, IReadOnlyList<WrittenEntry> Entries);

/// <summary>
/// What recording a submission on a case amounts to, decided by <see cref="RecordingPlan"/> against the case's
/// <see cref="CaseContext"/>: the <see cref="Events"/> to append (with who records in their metadata), and what was
/// written once they are stored (<see cref="Written"/>). Pure, and no HTTP: <see cref="CaseWriter"/> reads the context and stores the events.
/// </summary>
public sealed class Decision
{
    private readonly IReadOnlyList<PlannedEntry> _plan;
    private readonly long _versionBefore;
    private readonly Dictionary<long, long> _repeatedSequences = [];

    private Decision(Guid caseId, long versionBefore, IReadOnlyList<PlannedEntry> plan, Recorder recorder)
    {
        CaseId = caseId;
        _versionBefore = versionBefore;
        _plan = plan;
        Events = plan.Where(p => p.IsNew).Select(p =>
        {
            var e = StoredEvents.For(caseId, p);
            e.UserName = recorder.RecordedBy;
            e.CorrelationId = recorder.CorrelationId;
            return e;
        }).ToList();
        foreach (var planned in plan)
            if (planned.AlreadyRecorded is { Sequence: { } sequence } original) _repeatedSequences[original.Version] = sequence;
    }

    public Guid CaseId { get; }

    public bool OpensCase => _versionBefore == 0;

    /// <summary>The case's version once the events are appended.</summary>
    public long VersionAfter => _versionBefore + Events.Count;

    /// <summary>The events of the new entries, in order: the appended ones get their sequences when the transaction commits.</summary>
    public IReadOnlyList<IEvent> Events { get; }

    /// <summary>
    /// The versions of entries the request repeats from earlier requests whose sequences the context did not carry (a
    /// repeated correction or retraction): the writer reads them from the stream (<see cref="KnowSequences"/>).
    /// </summary>
    public long[] RepeatsWithoutSequence => _plan
        .Where(p => p.AlreadyRecorded is { } original && original.Version <= _versionBefore && !_repeatedSequences.ContainsKey(original.Version))
        .Select(p => p.AlreadyRecorded!.Version).Distinct().ToArray();

    public void KnowSequences(IReadOnlyDictionary<long, long> sequences)
    {
        foreach (var (version, sequence) in sequences) _repeatedSequences[version] = sequence;
    }

    /// <summary>A new case, of the given id or a new one: the first entry is its case-opened (422 as for any entry).</summary>
    public static (Decision? Decision, ProblemDetails? Problem) ForNewCase(Submission submission, Recorder recorder, TimeProvider clock,
        Guid? caseId = null)
    {
        var (plan, refusal) = RecordingPlan.Decide(CaseContext.NewCase, submission.Entries, clock.GetUtcNow(), Guid.NewGuid);
        return refusal is not null
            ? (null, Problems.Refused(refusal, submission.FieldOf(refusal.Index)))
            : (new Decision(caseId ?? Guid.CreateVersion7(), 0, plan, recorder), null);
    }

    /// <summary>
    /// Entries on an existing case, judged against its context, read under the case's lock: every earlier append is
    /// seen, none can slip in between (409, 422; 409 when If-Match names another version).
    /// </summary>
    public static (Decision? Decision, ProblemDetails? Problem) OnCase(Guid caseId, CaseContext context, Submission submission,
        Recorder recorder, TimeProvider clock)
    {
        var (plan, refusal) = RecordingPlan.Decide(context, submission.Entries, clock.GetUtcNow(), Guid.NewGuid);
        if (refusal is not null) return (null, Problems.Refused(refusal, submission.FieldOf(refusal.Index)));
        if (plan.Any(p => p.IsNew) && submission.ExpectedVersion is { } expected && expected != context.Version)
            return (null, Problems.VersionConflict(expected, context.Version));
        return (new Decision(caseId, context.Version, plan, recorder), null);
    }

    /// <summary>What was written, once the transaction has committed (the appended events then have their sequences).</summary>
    /// <remarks>
    /// Versions are counted from the version the decision saw; an entry repeated within the request itself answers with
    /// the sequence its first occurrence was just given.
    /// </remarks>
    public Written Written()
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
        return new Written(CaseId, VersionAfter, written);
    }
}
