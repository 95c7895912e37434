using Marten;
using Npgsql;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.History;
using TreatmentLedger.Projections;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Loads what read routes fold. The summary is one small load of the case's state; every other view folds the stream
/// live, up to knownAt when given, from the store's own timestamps. The streams read last are kept in memory
/// (<see cref="KeptEntries"/>, <see cref="RecentHistories"/>): a case read again reads only the events recorded since,
/// and parses none of the others again. Stored events never change, so a kept prefix stays true on every node.
/// </summary>
public sealed class CaseReader(IDocumentStore store, EventRows rows, StoreConnections connections, TimeProvider clock)
{
    private readonly string _summarySql = $"select data -> 'summary' from {store.Options.Schema.For<CaseState>()} where id = $1 and tenant_id = $2";
    private readonly ISerializer _serializer = store.Options.Serializer();

    /// <summary>
    /// Entries kept across reads: the cases a team is looking at (a few hundred of tens of entries, or one long course);
    /// a stream longer than that is read whole each time. At about 2.5 KB an entry, some 25 MB at most.
    /// </summary>
    public const int KeptEntries = 10_000;

    private readonly RecentHistories _recent = new(KeptEntries);

    public DateOnly Today => clock.Today();

    /// <summary>
    /// The case of <paramref name="hospital"/> as known at knownAt (everything recorded without it), null for a case
    /// unknown then or of another hospital.
    /// </summary>
    public Task<CaseHistory?> LoadAsync(string hospital, Guid caseId, ReadParameters parameters, CancellationToken ct) =>
        ReadStreamAsync(hospital, caseId, parameters.KnownAt ?? DateTimeOffset.MaxValue, ct);

    /// <summary>
    /// The stream's entries recorded at or before <paramref name="knownAt"/>, with their global sequences, null when
    /// there are none (a case not yet recorded then is unknown then).
    /// </summary>
    public async Task<CaseHistory?> ReadStreamAsync(string hospital, Guid caseId, DateTimeOffset knownAt, CancellationToken ct)
    {
        var entries = _recent.Entries(hospital, caseId);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await rows.StreamAsync(connection, hospital, caseId, entries.Count, entries, ct);
        _recent.Keep(hospital, caseId, entries);
        var known = knownAt == DateTimeOffset.MaxValue ? entries : entries.Where(e => e.RecordedAt <= knownAt).ToList();
        return known.Count == 0 ? null : new CaseHistory(known);
    }

    /// <summary>
    /// The summary facts of <c>GET /cases/{caseId}</c>, null for an unknown case. A current read loads only the facts the
    /// case's state keeps; a replay computes them from the case as known at knownAt and seen from asOf.
    /// </summary>
    public async Task<CaseFacts?> SummaryFactsAsync(string hospital, Guid caseId, ReadParameters parameters, CancellationToken ct)
    {
        if (parameters is { AsOf: null, KnownAt: null })
        {
            // The hottest read route: one statement on a connection of the pool, no session; PostgreSQL sends the summary
            // alone.
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(_summarySql, connection) { CommandTimeout = Configuration.ReadTimeoutSeconds };
            command.Parameters.AddWithValue(caseId);
            command.Parameters.AddWithValue(hospital);
            CaseFacts? facts = null;
            await connections.ReadAsync(command, reader => facts = _serializer.FromJson<CaseFacts>(reader, 0), ct);
            return facts;
        }
        return await LoadAsync(hospital, caseId, parameters, ct) is { } history ? CaseFacts.Of(history, parameters.AsOf) : null;
    }
}

/// <summary>Where a read stands: <c>asOf</c> (clinical time, a day) and <c>knownAt</c> (an instant of record time).</summary>
public sealed record ReadParameters(DateOnly? AsOf, DateTimeOffset? KnownAt);
