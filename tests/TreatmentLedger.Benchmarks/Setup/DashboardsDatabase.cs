using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Benchmarks.Measurement;

namespace TreatmentLedger.Benchmarks.Setup;

/// <summary>
/// The database of the dashboards scenarios (issue 11), in the bench cluster: served by an API process of its own, started
/// for them after the other HTTP scenarios, so that its daemon projects only their events (and runs during no other
/// scenario); with a raw data source for their baselines, and the admin's view of <c>GET /projections</c>.
/// </summary>
public sealed class DashboardsDatabase : IAsyncDisposable
{
    public const string Database = "dashboards";

    private DashboardsDatabase(string connectionString, HttpClient admin)
    {
        ConnectionString = connectionString;
        Raw = NpgsqlDataSource.Create(connectionString);
        Admin = admin;
    }

    public string ConnectionString { get; }

    /// <summary>Plain Npgsql on the database, for the baselines and checks.</summary>
    public NpgsqlDataSource Raw { get; }

    /// <summary>An admin's client (<c>GET /projections</c> is for admins).</summary>
    public HttpClient Admin { get; }

    /// <summary>Makes the database, with Marten's schema applied as the API applies it.</summary>
    public static async Task<DashboardsDatabase> CreateAsync(BenchContext ctx)
    {
        await ctx.Cluster.CreateDatabaseAsync(Database, ctx.Ct);
        var cs = ctx.Cluster.ConnectionStringFor(Database);
        await using (var _ = await BenchCluster.OpenStoreAsync(cs, ctx.Ct)) { }
        return new DashboardsDatabase(cs, ctx.NewClient(Roles.Admin, BenchContext.Hospital));
    }

    /// <summary>What <c>GET /projections</c> says of the dashboards' projection.</summary>
    public sealed record Reading(long HighWaterMark, long Position, long Lag, string Status);

    /// <summary><c>GET /projections</c>, the <see cref="CaseFactsProjection"/> row of it.</summary>
    public async Task<Reading> ReadAsync(BenchContext ctx, CancellationToken ct)
    {
        using var response = await Admin.GetAsync(ctx.ApiUri("/projections"), HttpCompletionOption.ResponseContentRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET /projections answered {(int)response.StatusCode} {BenchContext.Shorten(text)}");
        var json = JsonNode.Parse(text)!;
        var facts = json["projections"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == CaseFactsProjection.Name)!;
        return new Reading(json["highWaterMark"]!.GetValue<long>(), facts["position"]!.GetValue<long>(), facts["lag"]!.GetValue<long>(),
            facts["status"]!.GetValue<string>());
    }

    /// <summary>Polls <c>GET /projections</c> until the projection runs with lag 0 (setup, not measured); answers how long it took.</summary>
    public async Task<TimeSpan> WaitForLagZeroAsync(BenchContext ctx, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        Reading? last = null;
        while (clock.Elapsed < limit)
        {
            last = await ReadAsync(ctx, ctx.Ct);
            if (last is { Lag: 0, Status: ProjectionStatus.Running }) return clock.Elapsed;
            await Task.Delay(100, ctx.Ct);
        }
        throw new TimeoutException($"the {CaseFactsProjection.Name} projection did not catch up within {Fmt.Seconds(limit.TotalSeconds)}: {last}");
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Raw.DisposeAsync();
    }
}
