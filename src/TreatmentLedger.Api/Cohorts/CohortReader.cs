using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Api.Cohorts;

/// <summary>Reads a hospital's per-line facts (<see cref="LineFactRow"/>), optionally of Nth lines only.</summary>
public sealed class CohortReader(IDocumentStore store, StoreConnections connections)
{
    private readonly string _timesSql =
        $"select regimen_key, {{0}}_days, {{0}}_event from {store.Options.Schema.For<LineFactRow>()} " +
        "where tenant_id = $1 and regimen_key = any($2) and ($3 = 0 or line_number = $3)";

    /// <summary>Every line of the hospital (of number <paramref name="lineNumber"/> when given), with its case.</summary>
    public async Task<IReadOnlyList<(Guid CaseId, LineFact Line)>> LinesAsync(string hospital, int? lineNumber, CancellationToken ct)
    {
        await using var session = store.QuerySession(hospital);
        IQueryable<LineFactRow> query = session.Query<LineFactRow>();
        if (lineNumber is { } n) query = query.Where(r => r.LineNumber == n);
        var rows = await query.ToListAsync(ct);
        return rows.Select(r => (r.CaseId, r.ToFact())).ToList();
    }

    /// <summary>
    /// The lines' times to <paramref name="endpoint"/> (pfs or ttd) of these regimen keys, by regimen key: three columns a
    /// line, no document read.
    /// </summary>
    public async Task<ILookup<string, TimeToEvent>> TimesAsync(string hospital, string endpoint, IReadOnlyList<string> regimenKeys,
        int? lineNumber, CancellationToken ct)
    {
        if (!SurvivalComparison.Endpoints.Contains(endpoint)) throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, _timesSql, endpoint), connection)
        {
            CommandTimeout = Configuration.ReadTimeoutSeconds,
        };
        command.Parameters.AddWithValue(hospital);
        command.Parameters.AddWithValue(regimenKeys.ToArray());
        command.Parameters.AddWithValue(lineNumber ?? 0);
        var times = new List<(string Key, TimeToEvent Time)>();
        await connections.ReadAsync(command, reader => times.Add((reader.GetString(0), new TimeToEvent(reader.GetInt32(1), reader.GetBoolean(2)))), ct);
        return times.ToLookup(t => t.Key, t => t.Time);
    }
}
