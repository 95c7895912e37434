using System.Net.Http.Headers;
using Marten;
using Npgsql;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks;

/// <summary>What the scenarios share: the cluster, the store, the raw data source, the API process, and earlier results.</summary>
public sealed class BenchContext : IAsyncDisposable
{
    public required Volumes Volumes { get; init; }
    public required BenchCluster Cluster { get; init; }
    public required DocumentStore Store { get; init; }
    public required NpgsqlDataSource Raw { get; init; }
    public required string ApiDll { get; init; }
    public required string? PeerDir { get; init; }
    public required CpuMonitor Cpu { get; init; }
    public required CancellationToken Ct { get; init; }

    public DateOnly Today { get; } = DateOnly.FromDateTime(DateTime.UtcNow);

    /// <summary>The ledger's write path in process (one writer queue for the whole run).</summary>
    public LedgerWriter Writer => _writer ??= new LedgerWriter(Store, Cluster.ConnectionString);

    private LedgerWriter? _writer;

    /// <summary>The API's data folder: with the bench cluster's connection string, it holds only the token signing key.</summary>
    public string ApiDataDirectory => Path.Combine(Cluster.Root, "api-data");

    /// <summary>The client of every HTTP scenario, sending a clinician's token signed with the API's own key.</summary>
    public HttpClient Http => _http ??= Client();

    private HttpClient? _http;

    private HttpClient Client() => NewClient(Roles.Clinician, Hospital);

    /// <summary>
    /// A client of its own (the caller disposes it) sending a token of <paramref name="role"/> at <paramref name="hospital"/>,
    /// signed with the API's own key, as <see cref="Http"/> sends the clinician's.
    /// </summary>
    public HttpClient NewClient(string role, string hospital)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 64,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        })
        { Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(role, hospital));
        return client;
    }

    /// <summary>A token of <paramref name="role"/> at <paramref name="hospital"/>, signed with the API's own key.</summary>
    public string Token(string role, string hospital) =>
        Tokens.Mint(SigningKey.LoadOrCreate(ApiDataDirectory), LedgerWriter.RecordedBy, [role], hospital, TimeSpan.FromHours(12), DateTimeOffset.UtcNow);

    /// <summary>
    /// Closes the idle connections of the harness's own pools (the store's and the raw data source), so that a scenario
    /// that opens many connections of its own (the peer, the in-process API hosts) starts well under max_connections.
    /// </summary>
    public void ReleaseConnections()
    {
        if (Store.Storage.Database is Weasel.Postgresql.PostgresqlDatabase database) database.DataSource.Clear();
        Raw.Clear();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>The hospital the benchmark's cases belong to.</summary>
    public const string Hospital = "bench";

    /// <summary>The API process the HTTP scenarios share (peak RSS is read from it at the end).</summary>
    public ApiProcess? Api { get; set; }

    /// <summary>Peak RSS of the cold-start processes, for the memory details.</summary>
    public List<long> ColdStartPeaks { get; } = [];

    /// <summary>The cases of the HTTP append scenario, read back by the current-read scenario.</summary>
    public CaseStreams? HttpCases { get; set; }

    /// <summary>The HTTP append figure (per repetition), compared with the peer once it has run.</summary>
    public IReadOnlyList<LoadResult>? HttpAppend { get; set; }

    /// <summary>The store-level append figure (per repetition), compared with the peer.</summary>
    public IReadOnlyList<LoadResult>? StoreAppend { get; set; }

    /// <summary>Marten's floor (a bare append, per repetition), measured with the store-level append.</summary>
    public IReadOnlyList<LoadResult>? StoreFloor { get; set; }

    /// <summary>The event store of the rebuild scenarios, seeded by the first of them that runs.</summary>
    public SeededEvents? SeededEvents { get; set; }

    /// <summary>The database of the dashboards scenarios, while the API process serves it.</summary>
    public DashboardsDatabase? Dashboards { get; set; }

    /// <summary>The peer's results, run once for both peer rows.</summary>
    public PeerOutcome? Peer { get; set; }

    /// <summary>Per-repetition time limit: generous, only there so that no loop runs unbounded.</summary>
    public TimeSpan RepLimit => Volumes.Quick ? TimeSpan.FromMinutes(2) : TimeSpan.FromMinutes(5);

    public Uri ApiUri(string path) => new(Api!.BaseAddress, path);

    /// <summary>POSTs JSON to the API; null when it answered <paramref name="expected"/>, else the status and body.</summary>
    public Task<(string? Failure, string Body)> PostAsync(string path, byte[] body, int expected, CancellationToken ct) =>
        PostAsync(Http, ApiUri(path), body, expected, ct);

    /// <summary>GETs from the API, reading the whole body; null when it answered 200.</summary>
    public Task<string?> GetAsync(string path, CancellationToken ct) => GetAsync(Http, ApiUri(path), ct);

    /// <summary>POSTs JSON with <paramref name="client"/>; null when the answer was <paramref name="expected"/>, else the status and body.</summary>
    public static async Task<(string? Failure, string Body)> PostAsync(HttpClient client, Uri uri, byte[] body, int expected, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        using var response = await client.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return ((int)response.StatusCode == expected ? null : $"{(int)response.StatusCode} {Shorten(text)}", text);
    }

    /// <summary>GETs with <paramref name="client"/>, reading the whole body; null when it answered 200.</summary>
    public static async Task<string?> GetAsync(HttpClient client, Uri uri, CancellationToken ct)
    {
        using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseContentRead, ct);
        if ((int)response.StatusCode == 200) return null;
        return $"{(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync(ct))}";
    }

    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public async ValueTask DisposeAsync()
    {
        if (Api is not null) await Api.DisposeAsync();
        Http.Dispose();
        if (_writer is not null) await _writer.DisposeAsync();
        await Raw.DisposeAsync();
        await Store.DisposeAsync();
    }
}
