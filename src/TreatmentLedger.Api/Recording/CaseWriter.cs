using JasperFx.Events;
using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Recording;

public sealed record WrittenEntry(Guid EntryId, long Sequence, long Version);

/// <summary>What a write stored (or, for repeated entries, had stored before).</summary>
public sealed record Written(Guid CaseId, long Version, IReadOnlyList<WrittenEntry> Entries);

/// <summary>Why a write stored nothing.</summary>
public abstract record WriteRefusal;

public sealed record UnknownCase(Guid CaseId) : WriteRefusal;

/// <summary>The writer named a version (If-Match) the case has moved past.</summary>
public sealed record VersionMoved(long Expected, long Actual) : WriteRefusal;

/// <summary>An entry of the request broke a rule or conflicts with a recorded one; <see cref="Field"/> says where it sits in the request.</summary>
public sealed record EntryRefused(Refusal Refusal, string Field) : WriteRefusal;

/// <summary>
/// The one way entries reach the store: judged by <see cref="RecordingPlan"/> against the case's compact state and the
/// entries the request names, under a lock on the case's stream, and appended in one transaction. Anything refused
/// leaves the stream untouched.
/// </summary>
public sealed class CaseWriter(IDocumentStore store, EventRows rows, TimeProvider clock)
{
    private readonly string _namedSql = $"select {EventRows.Columns} from {rows.Table} where id = any($1) and stream_id = $2";
    private readonly string _sequencesSql = $"select version, seq_id from {rows.Table} where stream_id = $1 and version = any($2)";

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>Opens a new case: the first entry is its case-opened.</summary>
    public async Task<(Written? Written, WriteRefusal? Refusal)> StartAsync(
        IReadOnlyList<Entry> entries, RecordingContext context, CancellationToken ct)
    {
        var (plan, refusal) = RecordingPlan.Decide(CaseContext.NewCase, entries, clock.GetUtcNow(), Guid.NewGuid);
        if (refusal is not null) return (null, new EntryRefused(refusal, refusal.Index == 0 ? "case" : $"entries[{refusal.Index - 1}]"));

        await using var session = OpenSession(context);
        var caseId = Guid.CreateVersion7();
        var stream = session.Events.StartStream<CaseState>(caseId, plan.Where(p => p.IsNew).Select(p => (object)StoredEvents.For(caseId, p)).ToArray());
        await session.SaveChangesAsync(ct);
        return (Answer(caseId, plan, stream.Events, new Dictionary<long, long>()), null);
    }

    /// <summary>Appends entries to a case, all or none.</summary>
    /// <param name="entryField">How the request names the entries, for problem details: <c>entries</c> for a batch, empty for one entry.</param>
    public async Task<(Written? Written, WriteRefusal? Refusal)> AppendAsync(
        Guid caseId, IReadOnlyList<Entry> entries, long? expectedVersion, RecordingContext context, string entryField, CancellationToken ct)
    {
        await using var session = OpenSession(context);
        // The row lock serialises writers of one case, so the rules and the idempotency check see every earlier append.
        var stream = await session.Events.FetchForExclusiveWriting<CaseState>(caseId, ct);
        if (stream.Aggregate is null) return (null, new UnknownCase(caseId));

        var named = await NamedAsync(session, caseId, CaseContext.NamedBy(entries), ct);
        var (plan, refusal) = RecordingPlan.Decide(new CaseContext(stream.Aggregate, named), entries, clock.GetUtcNow(), Guid.NewGuid);
        if (refusal is not null) return (null, new EntryRefused(refusal, entryField.Length == 0 ? "" : $"{entryField}[{refusal.Index}]"));

        var current = stream.CurrentVersion ?? 0;
        if (plan.Any(p => p.IsNew) && expectedVersion is { } expected && expected != current)
            return (null, new VersionMoved(expected, current));

        stream.AppendMany(plan.Where(p => p.IsNew).Select(p => (object)StoredEvents.For(caseId, p)));
        var repeated = await SequencesOfAsync(session, caseId, plan, current, ct);
        if (stream.Events.Count > 0) await session.SaveChangesAsync(ct);
        return (Answer(caseId, plan, stream.Events, repeated, current), null);
    }

    /// <summary>
    /// The clinical entries of the case with these entryIds, as first recorded: one probe each of the unique index on
    /// event ids (<see cref="StoredEvents.IdOf"/>), on the session's connection, under the stream's row lock.
    /// </summary>
    private async Task<IReadOnlyList<RecordedEntry>> NamedAsync(IDocumentSession session, Guid caseId, IReadOnlySet<Guid> entryIds, CancellationToken ct)
    {
        if (entryIds.Count == 0) return [];
        await using var command = new NpgsqlCommand(_namedSql, session.Connection);
        command.Parameters.AddWithValue(entryIds.Select(id => StoredEvents.IdOf(caseId, id)).ToArray());
        command.Parameters.AddWithValue(caseId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var named = new List<RecordedEntry>();
        while (await reader.ReadAsync(ct)) named.Add(rows.Read(reader));
        return named;
    }

    /// <summary>
    /// The global sequences, by version, of the entries a request repeats from earlier requests: the case's state keeps
    /// none, so they are read from the stream (only when something is repeated).
    /// </summary>
    private async Task<IReadOnlyDictionary<long, long>> SequencesOfAsync(
        IDocumentSession session, Guid caseId, IReadOnlyList<PlannedEntry> plan, long versionBefore, CancellationToken ct)
    {
        var versions = plan.Where(p => !p.IsNew && p.AlreadyRecorded!.Version <= versionBefore).Select(p => p.AlreadyRecorded!.Version).ToArray();
        if (versions.Length == 0) return new Dictionary<long, long>();
        // The session's own connection, inside the transaction that holds the stream's row lock.
        await using var command = new NpgsqlCommand(_sequencesSql, session.Connection);
        command.Parameters.AddWithValue(caseId);
        command.Parameters.AddWithValue(versions);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var sequences = new Dictionary<long, long>();
        while (await reader.ReadAsync(ct)) sequences.Add(reader.GetInt64(0), reader.GetInt64(1));
        return sequences;
    }

    private IDocumentSession OpenSession(RecordingContext context)
    {
        var session = store.LightweightSession();
        session.CorrelationId = context.CorrelationId;
        session.LastModifiedBy = context.RecordedBy;
        return session;
    }

    /// <remarks>
    /// Versions are counted from the version the fetch saw; sequences come from the append (Marten sets them on the
    /// events once SaveChanges has run). An entry repeated within the request itself answers with the sequence its first
    /// occurrence was just given.
    /// </remarks>
    private static Written Answer(Guid caseId, IReadOnlyList<PlannedEntry> plan, IReadOnlyList<IEvent> appended,
        IReadOnlyDictionary<long, long> repeatedSequences, long versionBefore = 0)
    {
        var written = new List<WrittenEntry>();
        var next = 0;
        foreach (var planned in plan)
        {
            if (planned.AlreadyRecorded is { } original)
                written.Add(new WrittenEntry(original.Entry.EntryId,
                    original.Version > versionBefore ? appended[(int)(original.Version - versionBefore - 1)].Sequence : repeatedSequences[original.Version],
                    original.Version));
            else
            {
                var e = appended[next++];
                written.Add(new WrittenEntry(planned.Entry.EntryId, e.Sequence, versionBefore + next));
            }
        }
        var version = versionBefore + appended.Count;
        return new Written(caseId, version, written);
    }
}
