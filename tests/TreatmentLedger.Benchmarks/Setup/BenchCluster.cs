using Marten;
using Npgsql;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Benchmarks.Setup;

/// <summary>
/// The one PostgreSQL cluster of a run: an embedded cluster in a fresh folder, made like the ledger's own
/// (<see cref="EmbeddedPostgres.StartAsync"/>, which keeps fsync and synchronous commit on, unlike the throwaway
/// test cluster), stopped and deleted at the end.
/// </summary>
public sealed class BenchCluster : IAsyncDisposable
{
    private readonly EmbeddedPostgres _postgres;

    private BenchCluster(string root, EmbeddedPostgres postgres)
    {
        Root = root;
        _postgres = postgres;
    }

    /// <summary>The run's scratch folder: the cluster's data, logs of the API, the peer's workload.</summary>
    public string Root { get; }

    /// <summary>The database everything but the rebuild runs in.</summary>
    public string ConnectionString => _postgres.ConnectionString;

    public static async Task<BenchCluster> StartAsync(CancellationToken ct)
    {
        var root = Path.Combine("/tmp", "ledger-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var postgres = await EmbeddedPostgres.StartAsync(Path.Combine(root, "pgdata"), "ledger", ct: ct);
            return new BenchCluster(root, postgres);
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    /// <summary>The cluster's postmaster, from postmaster.pid, so that its CPU counts as the benchmark's own.</summary>
    public int? PostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(Root, "pgdata", "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    /// <summary>A postgres:// URL of the ledger database, for node-postgres.</summary>
    public string Url()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    public async Task CreateDatabaseAsync(string name, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<string> ShowAsync(string setting, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"show {setting}", connection);
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// A bare Marten store configured as the API configures it (plus <paramref name="more"/>, when a scenario adds to it),
    /// with its schema applied.
    /// </summary>
    public static async Task<DocumentStore> OpenStoreAsync(string connectionString, CancellationToken ct, Action<StoreOptions>? more = null)
    {
        var store = DocumentStore.For(o =>
        {
            Configuration.ConfigureStore(o, connectionString);
            more?.Invoke(o);
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        ct.ThrowIfCancellationRequested();
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _postgres.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"bench: could not delete {Root}: {e.Message}");
        }
    }
}
