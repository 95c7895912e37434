using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>
/// Where an answer built from an async read model stands: <see cref="Position"/> is the global sequence up to which the
/// read model is current; <see cref="Stale"/> says a <c>minPosition</c> the caller asked for was not reached in time.
/// </summary>
public sealed record ReadModelPosition(long Position, bool Stale);

/// <summary>The position of the dashboards' read models, and the wait for a caller's <c>minPosition</c> (DASHBOARDS.md).</summary>
public sealed class ReadModels(IDocumentStore store, StoreConnections connections)
{
    /// <summary>How long an answer waits for its <c>minPosition</c> before it answers what it has, stale.</summary>
    public static readonly TimeSpan MinPositionWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>The daemon's progress row of the projection (its only shard, "All").</summary>
    public static string ShardOf(string projection) => projection + ":All";

    private readonly string _progressSql =
        $"select last_seq_id from {store.Options.Events.DatabaseSchemaName}.mt_event_progression where name = $1";

    /// <summary>The sequence the projection has reached (0 before its first page).</summary>
    public async Task<long> PositionAsync(string projection, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(_progressSql, connection) { CommandTimeout = Store.Configuration.ReadTimeoutSeconds };
        command.Parameters.AddWithValue(ShardOf(projection));
        long position = 0;
        await connections.ReadAsync(command, reader => position = reader.IsDBNull(0) ? 0 : reader.GetInt64(0), ct);
        return position;
    }

    /// <summary>
    /// The position to answer from, read before the read model itself (so the answer is at least that current): at once
    /// without <paramref name="minPosition"/>; else once it is reached, or after <see cref="MinPositionWait"/>, stale.
    /// </summary>
    public async Task<ReadModelPosition> AwaitAsync(string projection, long? minPosition, CancellationToken ct)
    {
        var position = await PositionAsync(projection, ct);
        if (minPosition is not { } wanted || position >= wanted) return new ReadModelPosition(position, false);
        var deadline = DateTimeOffset.UtcNow + MinPositionWait;
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(PollInterval, ct);
            position = await PositionAsync(projection, ct);
            if (position >= wanted) return new ReadModelPosition(position, false);
        }
        return new ReadModelPosition(position, true);
    }
}
