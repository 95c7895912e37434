using Marten;
using Npgsql;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>
/// Rebuilds an async projection while the cluster runs: one rebuild at a time in the whole cluster (a PostgreSQL advisory
/// lock, held by the rebuilding node's connection, so a node that dies releases it, and every node sees it in
/// <c>pg_locks</c>); the projection's agent is paused wherever it runs (a Wolverine agent restriction), this node
/// rebuilds its documents case by case (<see cref="CaseFactsRebuild"/>: documents and position reset, then the position
/// climbing in <c>GET /projections</c> as batches of cases are written), and the agent is released again; Marten's daemon
/// goes on from the position the rebuild reached.
/// </summary>
public sealed class ProjectionRebuilds(IDocumentStore store, CaseFactsRebuild caseFacts, ProjectionStatus status, IWolverineRuntime wolverine, IEnumerable<IAgentFamily> agentFamilies,
    IHostApplicationLifetime lifetime, ILogger<ProjectionRebuilds> logger)
{
    /// <summary>The advisory lock's key (an arbitrary constant of the ledger's).</summary>
    public const int LockKey = 730_417;

    /// <summary>Starts a rebuild in the background; false when one is running already (here or on another node).</summary>
    public async Task<bool> StartAsync(string projection, CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        if (!await TryLockAsync(connection, ct))
        {
            await connection.DisposeAsync();
            return false;
        }
        _ = Task.Run(() => RebuildAsync(projection, connection, lifetime.ApplicationStopping), CancellationToken.None);
        return true;
    }

    private async Task RebuildAsync(string projection, NpgsqlConnection heldLock, CancellationToken ct)
    {
        await using var _ = heldLock;
        try
        {
            await PauseAsync(projection, ct);
            logger.LogInformation("Rebuilding projection {Projection}", projection);
            await RebuildDocumentsAsync(projection, ct);
            logger.LogInformation("Rebuilt projection {Projection}", projection);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogError(e, "The rebuild of projection {Projection} failed", projection);
        }
        finally
        {
            // Also after a failed pause: its restriction may be stored.
            await ResumeAsync(projection);
            await UnlockAsync(heldLock);
        }
    }

    /// <summary>Rebuilds the documents of an async projection (the dashboards' are its only one).</summary>
    private Task RebuildDocumentsAsync(string projection, CancellationToken ct) => projection == CaseFactsProjection.Name
        ? caseFacts.RunAsync(ct)
        : throw new ArgumentException($"no rebuild for the projection {projection}", nameof(projection));

    /// <summary>
    /// At start-up: an agent left paused by a node that died while rebuilding (no rebuild holds the lock any more) is
    /// released, so that the cluster runs it again; then a projection still at position 0 with more than
    /// <see cref="ProjectionStatus.LagLimit"/> events behind it is caught up by a rebuild (<see cref="CatchUpFromZeroAsync"/>).
    /// </summary>
    public async Task AtStartAsync(CancellationToken ct)
    {
        try
        {
            await ReleaseAbandonedAgentsAsync(ct);
            await CatchUpFromZeroAsync(ProjectionStatus.LagLimit, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not check for projections left paused by an interrupted rebuild or still at position 0");
        }
    }

    /// <summary>
    /// A projection at position 0 with more than <paramref name="above"/> events recorded (the dashboards added to a ledger
    /// that has been recording, a store restored without their documents) is rebuilt case by case, as an admin's rebuild
    /// is, instead of being replayed page by page by Marten's daemon, at less than half the rate
    /// (docs/benchmarks.md); the daemon goes on from where the rebuild ends. True when a rebuild started here.
    /// </summary>
    public async Task<bool> CatchUpFromZeroAsync(long above, CancellationToken ct)
    {
        var started = false;
        foreach (var projection in (await status.ReadAsync(ct)).Projections)
        {
            if (projection.Position != 0 || projection.Lag <= above || projection.Status == ProjectionStatus.Rebuilding) continue;
            logger.LogInformation("Projection {Projection} is at position 0 with {Lag} events to catch up on: rebuilding it", projection.Name, projection.Lag);
            started |= await StartAsync(projection.Name, ct);
        }
        return started;
    }

    private async Task ReleaseAbandonedAgentsAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        if (!await TryLockAsync(connection, ct)) return;
        try
        {
            var state = await wolverine.Storage.Nodes.LoadNodeAgentStateAsync(ct);
            var paused = state.Restrictions.FindPausedAgentUris().ToHashSet();
            foreach (var projection in Configuration.AsyncProjections)
            {
                var agent = await AgentOfAsync(projection);
                if (paused.Contains(agent)) await ReleaseAsync(agent);
            }
        }
        finally
        {
            await UnlockAsync(connection);
        }
    }

    /// <summary>
    /// Stops the projection's agent on whichever node runs it, and keeps it stopped until <see cref="ResumeAsync"/>. Returns
    /// once no node runs it any more (the leader stops it on its node and drops the assignment), so that nothing but the
    /// caller projects meanwhile; a node that does not let go within <see cref="PauseTimeout"/> fails the pause.
    /// </summary>
    public async Task PauseAsync(string projection, CancellationToken ct)
    {
        var agent = await AgentOfAsync(projection);
        var pause = new AgentRestrictions();
        pause.PauseAgent(agent);
        await wolverine.Agents.ApplyRestrictionsAsync(pause, ct);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await wolverine.Storage.Nodes.LoadNodeAgentStateAsync(ct)).Nodes.Any(n => n.ActiveAgents.Contains(agent)))
        {
            if (waited.Elapsed > PauseTimeout)
                throw new TimeoutException($"the projection {projection} still runs on a node {PauseTimeout.TotalSeconds:N0} s after its pause");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>How long a pause waits for the node running the projection to stop it (the leader checks every few seconds).</summary>
    public static readonly TimeSpan PauseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Lets the cluster run the projection's agent again (on a node the leader picks).</summary>
    public async Task ResumeAsync(string projection) => await ReleaseAsync(await AgentOfAsync(projection));

    private async Task ReleaseAsync(Uri agent)
    {
        // A restriction of type None lifts the agent's pause (Wolverine merges it into the stored restrictions).
        var release = new AgentRestrictions([new AgentRestriction(Guid.NewGuid(), agent, AgentRestrictionType.None, 0)]);
        await wolverine.Agents.ApplyRestrictionsAsync(release, CancellationToken.None);
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select pg_try_advisory_lock({LockKey})", connection);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>A pooled connection keeps its session's advisory locks (the ledger skips DISCARD ALL): unlock by hand.</summary>
    private static async Task UnlockAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"select pg_advisory_unlock({LockKey})", connection);
        await command.ExecuteScalarAsync(CancellationToken.None);
    }

    /// <summary>The Wolverine agent that runs the projection (event-subscriptions://marten/main/&lt;database&gt;/&lt;name&gt;/all).</summary>
    private async Task<Uri> AgentOfAsync(string projection)
    {
        var family = agentFamilies.Single(f => f.Scheme == "event-subscriptions");
        var agents = await family.AllKnownAgentsAsync();
        return agents.Single(a => a.AbsolutePath.EndsWith($"/{projection.ToLowerInvariant()}/all", StringComparison.Ordinal));
    }
}
