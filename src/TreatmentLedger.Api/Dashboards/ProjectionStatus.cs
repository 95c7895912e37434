using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;
using Wolverine.Runtime;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>One async projection as <c>GET /projections</c> shows it; <c>node</c> is the Wolverine node number running it.</summary>
public sealed record ProjectionState(string Name, long Position, long Lag, string Status, int? Node);

public sealed record ProjectionsResponse(long HighWaterMark, int Node, IReadOnlyList<ProjectionState> Projections);

/// <summary>
/// The status of the async projections, read from the database so that every node answers the same: the daemon's
/// progress row (position, the status its agent last wrote and the node it runs on; written once the agent has run a
/// page), else Wolverine's assignment of the agent to a node; that node's last health check (a node killed outright
/// leaves "Running" behind); and the rebuild lock (<see cref="ProjectionRebuilds"/>). An agent started outside
/// Wolverine's assignment (a daemon restarted in process by Marten's ResetAllMartenDataAsync) names no node: node 0.
/// </summary>
public sealed class ProjectionStatus(IDocumentStore store, StoreConnections connections, IWolverineRuntime wolverine)
{
    public const string Running = "running";
    public const string Stopped = "stopped";
    public const string Rebuilding = "rebuilding";
    public const string Failed = "failed";

    /// <summary>Readiness says degraded past this lag (DASHBOARDS.md).</summary>
    public const long LagLimit = 10_000;

    private readonly string _sql = Sql(store.Options.Events.DatabaseSchemaName, wolverine.Options.Durability.StaleNodeTimeout);

    private static string Sql(string schema, TimeSpan staleNode) => Sql(schema, $"now() - interval '{(int)staleNode.TotalSeconds} seconds'");

    private static string Sql(string schema, string fresh) => $"""
        select p.name, coalesce(p.last_seq_id, 0), p.agent_status, p.pause_reason,
               coalesce(
                 (select n.node_number from {schema}.wolverine_nodes n
                   where n.node_number = p.running_on_node and p.agent_status = 'Running' and n.health_check > {fresh}),
                 case when p.agent_status = 'Running' and p.running_on_node is null then 0 end,
                 (select n.node_number from {schema}.wolverine_node_assignments a join {schema}.wolverine_nodes n on n.id = a.node_id
                   where a.id like '%/' || lower(split_part(wanted.name, ':', 1)) || '/all' and n.health_check > {fresh}
                     and (p.agent_status is null or p.agent_status = 'Running'))),
               (select coalesce(max(seq_id), 0) from {schema}.mt_events),
               exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.granted
                         and l.objid = {ProjectionRebuilds.LockKey} and l.database = (select oid from pg_database where datname = current_database()))
        from unnest($1::text[]) with ordinality as wanted(name, i)
        left join {schema}.mt_event_progression p on p.name = wanted.name
        order by wanted.i
        """;

    /// <summary>This node's number in the cluster.</summary>
    public int Node => wolverine.Options.Durability.AssignedNodeNumber;

    public async Task<ProjectionsResponse> ReadAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(_sql, connection) { CommandTimeout = Store.Configuration.ReadTimeoutSeconds };
        command.Parameters.AddWithValue(Configuration.AsyncProjections.Select(ReadModels.ShardOf).ToArray());
        var rows = new List<(string Name, long Position, string? AgentStatus, string? PauseReason, int? Node, long HighWater, bool Rebuilding)>();
        await connections.ReadAsync(command, reader => rows.Add((
            reader.IsDBNull(0) ? "" : reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetInt64(5),
            reader.GetBoolean(6))), ct);
        var highWater = rows.Count == 0 ? 0 : rows[0].HighWater;
        var states = Configuration.AsyncProjections.Select((name, i) =>
        {
            var row = rows[i];
            var status = row.Rebuilding ? Rebuilding
                : row.AgentStatus == "Paused" || row.PauseReason is not null ? Failed
                : row.Node is not null ? Running
                : Stopped;
            return new ProjectionState(name, row.Position, Math.Max(0, highWater - row.Position), status, status == Running ? row.Node : null);
        }).ToList();
        return new ProjectionsResponse(highWater, Node, states);
    }
}
