using Npgsql;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// The writer queue's own pool of connections to the store's database (<see cref="Recording.CaseWriter"/>), whose
/// sessions run with PostgreSQL's generic plans (<c>plan_cache_mode = force_generic_plan</c>): the statements of a
/// writer's transaction (the locks, the reads by key, the append statement) are prepared once per connection and then
/// planned once, where PostgreSQL would otherwise plan most of them again at every execution, their array parameters
/// making each custom plan look cheaper than the generic one. With two writers and batches of about four requests,
/// pg_stat_statements counted 166 µs of planning per call of the append statement (43 µs an event) and about 250 µs per
/// transaction that locks; generic plans removed it (the whole cluster on them: PostgreSQL's CPU per HTTP append 0.49
/// against 0.60 ms, docs/benchmarks.md). Only the writer's statements run this way: a read with a range or a skewed
/// filter (the daemon's gap query, the board's pages) keeps its custom plans in the store's own pool.
/// </summary>
public sealed class WriterConnections : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;

    public WriterConnections(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(Configuration.Tuned(connectionString));
        builder.Options = $"{builder.Options} -c plan_cache_mode=force_generic_plan".Trim();
        _source = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>An open connection of the pool, for one transaction.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => _source.OpenConnectionAsync(ct);

    /// <summary>Empties the pool, as <see cref="StoreConnections.Discard"/> empties the store's.</summary>
    public void Discard() => _source.Clear();

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
