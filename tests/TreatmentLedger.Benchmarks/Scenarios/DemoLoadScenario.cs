using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// The demo load of <c>ops/run</c>: the API started with <c>LEDGER_DEMO=1</c> and the ledger's default rate limit on a new
/// database of the bench cluster, which loads the founding case and the synthetic cohort (<see cref="DemoCohort"/>)
/// through its own <c>POST /cases/import</c> (<see cref="DemoLoader"/>). The figure is the loader's own time, from its
/// start (the ledger listening) to the last file stored, as its log line gives it; the time from the process start to that
/// line, and until the regimen read model counts every case, are in the details. Target: under 30 s on 2 cores.
/// </summary>
public static partial class DemoLoadScenario
{
    public const string Name = "demo load";
    public const string Target = "< 30 s";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"Demo cohort loaded: (\d+) synthetic cases \((\d+) entries\) in ([0-9.]+) s, \d+ imports in flight, (\d+) sent again after a 429")]
    private static partial Regex LoadedLine();

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var runs = ctx.Volumes.Quick ? 1 : 3;
        var loads = new List<double>();
        var details = new List<string>();
        for (var run = 1; run <= runs; run++)
        {
            var (api, _, load, fromStart, readModel, cases, entries, throttled) = await StartAsync(ctx, $"demo{run.ToString(CultureInfo.InvariantCulture)}");
            await api.DisposeAsync();
            loads.Add(load);
            Console.WriteLine($"  demo load {run}: {Fmt.Seconds(load)} ({cases} cases, {entries:N0} entries); {Fmt.Seconds(fromStart)} from the process start; read model current {Fmt.Seconds(readModel)} after");
            details.Add($"- Run {run}: the loader took {Fmt.Seconds(load)} for {cases} synthetic cases ({Fmt.Num(entries)} entries), {throttled} file(s) sent again after a 429; its log line came {Fmt.Seconds(fromStart)} " +
                        $"after the process started (start-up and schema creation on a new database included); the regimen read model (`GET /cohorts/regimens?minPosition=`) " +
                        $"counted every entry {Fmt.Seconds(readModel)} after that.");
        }
        var median = Stats.Median(loads);
        return new ScenarioResult(Name, $"median {Fmt.Seconds(median)} for {DemoCohort.CaseCount} cases", "n/a", "n/a", Target, median < Limit.TotalSeconds,
            $"ops/run's demo: the founding case, then {DemoCohort.CaseCount} synthetic cases by POST /cases/import, {DemoLoader.InFlight} in flight, default rate limit.",
            [
                $"- {runs} run(s), each a `dotnet TreatmentLedger.Api.dll` (Release) with LEDGER_DEMO=1 on a new database of the bench cluster, the rate limit at the " +
                "ledger's defaults (100 requests/s, burst 200, per token subject; a file turned away with a 429 is sent again after its Retry-After).",
                .. details,
            ]);
    }

    /// <summary>
    /// A demo start: the API process, still running (the caller stops it), with the demo cohort loaded and the read models
    /// current; its data folder (its signing key); the loader's time, the time from the process start to the loader's log
    /// line, then until the read model was current; the cases, entries and files sent again after a 429.
    /// </summary>
    public sealed record DemoStart(ApiProcess Api, string DataDirectory, double Load, double FromStart, double ReadModel, int Cases, int Entries, int Throttled);

    /// <summary>Starts the API with the demo on a new database <paramref name="database"/> of the bench cluster, as ops/run does.</summary>
    public static async Task<DemoStart> StartAsync(BenchContext ctx, string database)
    {
        var ct = ctx.Ct;
        await ctx.Cluster.CreateDatabaseAsync(database, ct);
        var connectionString = ctx.Cluster.ConnectionStringFor(database);
        var dataDirectory = Path.Combine(ctx.Cluster.Root, database + "-api-data");
        var api = ApiProcess.Start(ctx.ApiDll, connectionString, dataDirectory, Path.Combine(ctx.Cluster.Root, database + "-api.log"),
            new Dictionary<string, string?> { ["LEDGER_DEMO"] = "1", ["LEDGER_RATE_LIMIT"] = null, ["LEDGER_RATE_BURST"] = null });
        try
        {
            var (load, fromStart, readModel, cases, entries, throttled) = await LoadedAsync(api, connectionString, dataDirectory, ct);
            return new DemoStart(api, dataDirectory, load, fromStart, readModel, cases, entries, throttled);
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
    }

    private static async Task<(double Load, double FromStart, double ReadModel, int Cases, int Entries, int Throttled)> LoadedAsync(ApiProcess api,
        string connectionString, string dataDirectory, CancellationToken ct)
    {
        var loaded = new TaskCompletionSource<(double FromStart, Match Line)>(TaskCreationOptions.RunContinuationsAsynchronously);
        api.LineWritten += line =>
        {
            if (LoadedLine().Match(line) is { Success: true } match)
                loaded.TrySetResult((Stopwatch.GetElapsedTime(api.StartedAt).TotalSeconds, match));
        };
        var line = await loaded.Task.WaitAsync(TimeSpan.FromMinutes(3), ct);
        var cases = int.Parse(line.Line.Groups[1].Value, CultureInfo.InvariantCulture);
        var entries = int.Parse(line.Line.Groups[2].Value, CultureInfo.InvariantCulture);
        var load = double.Parse(line.Line.Groups[3].Value, CultureInfo.InvariantCulture);
        var throttled = int.Parse(line.Line.Groups[4].Value, CultureInfo.InvariantCulture);
        if (cases != DemoCohort.CaseCount) throw new InvalidOperationException($"the demo loaded {cases} cases, not {DemoCohort.CaseCount}; see {api.LogPath}");

        // Then until the regimen read model has every event (the dashboards show the whole cohort).
        var position = await LastSequenceAsync(connectionString, ct);
        var token = Tokens.Mint(SigningKey.LoadOrCreate(dataDirectory), "bench-analyst", [Roles.Analyst], DemoHospital.Name, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync($"/cohorts/regimens?minPosition={position.ToString(CultureInfo.InvariantCulture)}", ct);
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET /cohorts/regimens answered {(int)response.StatusCode}; see {api.LogPath}");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            if (!body["stale"]!.GetValue<bool>()) break;
            if (clock.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"the regimen read model was still stale after 3 minutes; see {api.LogPath}");
        }
        var readModel = Stopwatch.GetElapsedTime(api.StartedAt).TotalSeconds - line.FromStart;
        return (load, line.FromStart, readModel, cases, entries, throttled);
    }

    private static async Task<long> LastSequenceAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select coalesce(max(seq_id), 0) from ledger.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
