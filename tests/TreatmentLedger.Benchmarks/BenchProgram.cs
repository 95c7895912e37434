using System.Diagnostics;
using TreatmentLedger.Api.Hosting;
using Npgsql;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Scenarios;
using TreatmentLedger.Benchmarks.Setup;

namespace TreatmentLedger.Benchmarks;

/// <summary>
/// The benchmark harness (issue 4). Usually run by <c>ops/bench [--quick]</c>. Options:
/// <c>--quick</c> smoke volumes; <c>--out FILE</c> (default docs/benchmarks.md); <c>--peer-dir DIR</c> where Emmett is
/// installed; <c>--api DLL</c> the Release TreatmentLedger.Api.dll; <c>--command TEXT</c> the command to record;
/// <c>--only a,b</c> a subset of cold,http,read,import,replay,memory,length,demo,page,lag,survival,feed,store,style,peer,rebuild,catchup,security
/// (for working on the harness).
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        var startedUtc = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var options = BenchArguments.Parse(args);
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        var ct = cts.Token;
        var volumes = Volumes.For(options.Quick);

        if (!File.Exists(options.ApiDll))
        {
            Console.Error.WriteLine($"bench: {options.ApiDll} not found; build the API first: dotnet build src/TreatmentLedger.Api -c Release");
            return 2;
        }
        // What was built and is about to be measured (others may commit while the run goes on).
        var commit = await CommitAsync(ct);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        SelfCheck.GeneratedCasesAreValid(today);

        Console.WriteLine($"bench: {(options.Quick ? "quick" : "full")} run; starting an embedded PostgreSQL cluster (fsync on)");
        await using var cluster = await BenchCluster.StartAsync(ct);
        Console.WriteLine($"bench: cluster in {cluster.Root}; measuring the disk with pg_test_fsync");
        var machine = await MachineFacts.GatherAsync(cluster.Root, ct);
        Console.WriteLine($"bench: {machine.Nproc} cores, {machine.MemTotal}, {machine.PostgresVersion}, fdatasync: {machine.FsyncLine}");
        IReadOnlyList<string> clusterFacts = await ClusterFactsAsync(cluster, ct);

        var results = new List<ScenarioResult>();
        var failed = false;
        BenchContext? current = null;
        var cpu = new CpuMonitor(cluster.PostmasterPid, () => current?.Api is { HasExited: false } api ? api.Pid : null);
        var runStart = cpu.Take();
        var totalWaited = TimeSpan.Zero;
        await using (var ctx = current = new BenchContext
        {
            Volumes = volumes,
            Cluster = cluster,
            Store = await BenchCluster.OpenStoreAsync(cluster.ConnectionString, ct),
            Raw = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { MaxPoolSize = 40 }.ConnectionString),
            ApiDll = options.ApiDll,
            PeerDir = options.PeerDir,
            Cpu = cpu,
            Ct = ct,
        })
        {
            await RawTables.CreateAsync(ctx.Raw, ct);

            async Task Run(string key, string name, string target, Func<Task<IReadOnlyList<ScenarioResult>>> scenario)
            {
                if (!options.Runs(key)) return;
                Console.WriteLine($"== {name}");
                // Other people's builds and tests share these cores: wait a little for them, and say how much they took.
                var patience = volumes.Quick ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(60, Math.Max(0, (WaitBudget - totalWaited).TotalSeconds)));
                var (before, waited) = patience > TimeSpan.Zero ? await cpu.WaitForQuietAsync(0.15, patience, ct) : (default(CpuMonitor.Load), TimeSpan.Zero);
                totalWaited += waited;
                if (before.Foreign >= 0.15) Console.WriteLine($"  the machine is busy: {before}; going on");
                var watch = Stopwatch.StartNew();
                var start = cpu.Take();
                var produced = new List<ScenarioResult>();
                try
                {
                    produced.AddRange(await scenario());
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    Console.WriteLine($"  {name} failed: {e}");
                    produced.Add(ScenarioResult.Failed(name, target, e));
                    failed = true;
                }
                var load = CpuMonitor.Between(start, cpu.Take());
                // /proc counts in 10 ms ticks: under a couple of seconds the shares mean nothing.
                var sampled = load.Seconds >= 2;
                var loadLine = (sampled ? $"- Machine during this scenario: {load}" : "- Machine during this scenario: too short to sample") +
                    (waited > TimeSpan.FromSeconds(3) ? $"; it waited {Fmt.Seconds(waited.TotalSeconds)} for other processes to quieten first ({before.Foreign * 100:0} % then)." : ".");
                results.AddRange(produced.Select(r => r with
                {
                    Notes = sampled && load.Foreign >= 0.05 ? $"{r.Notes.TrimEnd('.', ' ')}. Other processes took {load.Foreign * 100:0} % of the CPU meanwhile.".TrimStart('.', ' ') : r.Notes,
                    Details = [.. r.Details, loadLine],
                }));
                Console.WriteLine($"   ({Fmt.Seconds(watch.Elapsed.TotalSeconds)}, {Fmt.Seconds(clock.Elapsed.TotalSeconds)} into the run; {load})");
            }
            Func<Task<IReadOnlyList<ScenarioResult>>> One(Func<BenchContext, Task<ScenarioResult>> scenario) => async () => [await scenario(ctx)];

            // HTTP scenarios, against the API as a separate process.
            await Run("cold", ColdStartScenario.Name, "measured", One(ColdStartScenario.RunAsync));
            var http = new[] { "http", "read", "import", "replay", "memory", "length" }.Any(options.Runs);
            var served = new List<string>();
            if (http)
            {
                var apiUp = false;
                await Run("api", "API start", "the API answers /health", async () =>
                {
                    ctx.Api = ApiProcess.Start(ctx.ApiDll, cluster.ConnectionString, ctx.ApiDataDirectory, Path.Combine(cluster.Root, "api.log"));
                    await ctx.Api.WaitUntilHealthyAsync(ctx.Http, TimeSpan.FromMinutes(2), ct);
                    Console.WriteLine($"  API pid {ctx.Api.Pid} on {ctx.Api.BaseAddress}");
                    apiUp = true;
                    return [];
                });
                if (!apiUp && ctx.Api is not null)
                {
                    Console.WriteLine($"  the API did not start; its log: {Shell.Tail(await File.ReadAllTextAsync(ctx.Api.LogPath, ct))}");
                    await ctx.Api.DisposeAsync();
                    ctx.Api = null;
                }
                if (apiUp && ctx.Api is not null)
                {
                    await Run("http", HttpAppendScenario.Name, HttpAppendScenario.Target, One(HttpAppendScenario.RunAsync));
                    served.Add(HttpAppendScenario.Name);
                    await Run("read", CurrentReadScenario.Name, CurrentReadScenario.Target, One(CurrentReadScenario.RunAsync));
                    served.Add(CurrentReadScenario.Name);
                    await Run("import", BatchImportScenario.Name, BatchImportScenario.Target, One(BatchImportScenario.RunAsync));
                    served.Add(BatchImportScenario.Name);
                    await Run("replay", ReplayToDateScenario.Name, ReplayToDateScenario.Target, async () => await ReplayToDateScenario.RunAsync(ctx));
                    served.Add(ReplayToDateScenario.Name);
                    await Run("memory", MemoryScenario.Name, MemoryScenario.Target, () => Task.FromResult<IReadOnlyList<ScenarioResult>>([MemoryScenario.Result(ctx, served)]));
                    // After the memory reading: its long cases and 10,000-entry requests are not part of the memory row's figure.
                    await Run("length", CaseLengthScenario.Name, CaseLengthScenario.Target, One(CaseLengthScenario.RunAsync));
                    await ctx.Api.DisposeAsync();
                    ctx.Api = null;
                }
            }

            // ops/run's demo load, an API process of its own on a new database.
            await Run("demo", DemoLoadScenario.Name, DemoLoadScenario.Target, One(DemoLoadScenario.RunAsync));

            // Issue 12's page over the demo cohort, in headless Chromium: an API process of its own, loaded as ops/run loads it.
            await Run("page", PageScenario.Name, PageScenario.Target, One(PageScenario.RunAsync));

            // Issue 11's dashboards and issue 12's live feed over HTTP: an API process of their own, on a database of their own,
            // so that its daemon projects their events alone, and runs during none of the other scenarios.
            if (new[] { "lag", "survival", "feed" }.Any(options.Runs))
            {
                DashboardsDatabase? dashboards = null;
                var apiUp = false;
                await Run("api", "API start, dashboards database", "the API answers /health", async () =>
                {
                    dashboards = await DashboardsDatabase.CreateAsync(ctx);
                    ctx.Api = ApiProcess.Start(ctx.ApiDll, dashboards.ConnectionString, ctx.ApiDataDirectory, Path.Combine(cluster.Root, "api-dashboards.log"));
                    await ctx.Api.WaitUntilHealthyAsync(ctx.Http, TimeSpan.FromMinutes(2), ct);
                    Console.WriteLine($"  API pid {ctx.Api.Pid} on {ctx.Api.BaseAddress}, database {DashboardsDatabase.Database}");
                    apiUp = true;
                    return [];
                });
                if (apiUp)
                {
                    ctx.Dashboards = dashboards;
                    await Run("lag", ProjectionLagScenario.Name, ProjectionLagScenario.Target, One(ProjectionLagScenario.RunAsync));
                    await Run("survival", SurvivalScenario.Name, SurvivalScenario.Target, One(SurvivalScenario.RunAsync));
                    await Run("feed", FeedScenario.Name, FeedScenario.Target, One(FeedScenario.RunAsync));
                    ctx.Dashboards = null;
                }
                else if (ctx.Api is not null)
                    Console.WriteLine($"  the API did not start; its log: {Shell.Tail(await File.ReadAllTextAsync(ctx.Api.LogPath, ct))}");
                if (ctx.Api is not null) await ctx.Api.DisposeAsync();
                ctx.Api = null;
                if (dashboards is not null) await dashboards.DisposeAsync();
            }

            // Store-level scenarios, in this process.
            await Run("store", StoreAppendScenario.Name, StoreAppendScenario.Target, One(StoreAppendScenario.RunAsync));
            await Run("style", ConcurrencyStyleScenario.Name, ConcurrencyStyleScenario.Target, () => ConcurrencyStyleScenario.RunAsync(ctx));
            // The peer runs once (Node, from the scratch folder) for both peer rows.
            var peer = PeerOutcome.Absent(options.Runs("peer") ? "the peer did not run" : "the peer was not selected (--only)");
            await Run("peer", PeerAppendScenario.Name, PeerAppendScenario.Target, async () =>
            {
                ctx.ReleaseConnections();
                peer = await PeerRun.RunAsync(ctx);
                return [PeerAppendScenario.Result(ctx, peer)];
            });
            await Run("peer", PeerReplayScenario.Name, PeerReplayScenario.Target, async () => [await PeerReplayScenario.RunAsync(ctx, peer)]);
            await Run("rebuild", RebuildScenario.Name, RebuildScenario.Target, One(RebuildScenario.RunAsync));
            await Run("catchup", CatchUpScenario.Name, CatchUpScenario.Target, One(CatchUpScenario.RunAsync));
            await Run("security", SecurityCostScenario.Name, SecurityCostScenario.Target, () =>
            {
                ctx.ReleaseConnections();
                return SecurityCostScenario.RunAsync(ctx);
            });

            // Issue 9 compares the HTTP append with Emmett's, which runs after the HTTP scenarios: that row is completed now.
            var httpRow = results.FindIndex(r => r.Scenario == HttpAppendScenario.Name);
            if (httpRow >= 0) results[httpRow] = HttpAppendScenario.AgainstPeer(results[httpRow], ctx, peer);
        }

        clock.Stop();
        clusterFacts = [.. clusterFacts, $"Machine over the whole run: {CpuMonitor.Between(runStart, cpu.Take())}. Other processes (builds, tests) were not stopped; " +
            "before each scenario of a full run the harness waits up to 60 s (3 min in all) for them to use under 15 % of the CPU (a quick run does not wait), and each scenario's details give the share they took."];
        var ordered = results.OrderBy(r => Order(r.Scenario)).ToList();
        var run = new RunInfo(startedUtc, clock.Elapsed, options.Command, options.Quick, commit);
        var document = MarkdownReport.Render(run, machine, clusterFacts, ordered);
        Directory.CreateDirectory(Path.GetDirectoryName(options.OutPath)!);
        await File.WriteAllTextAsync(options.OutPath, document, ct);

        Console.WriteLine();
        Console.Write(MarkdownReport.Table(ordered));
        Console.WriteLine();
        Console.WriteLine($"bench: {(options.Quick ? "quick" : "full")} run took {clock.Elapsed.TotalMinutes:0.0} min; wrote {options.OutPath}");
        return failed ? 1 : 0;
    }

    /// <summary>How long a full run may wait, in all, for other processes to quieten before its scenarios.</summary>
    private static readonly TimeSpan WaitBudget = TimeSpan.FromMinutes(3);

    /// <summary>The rows in the order of the issue's table, cold start last.</summary>
    private static int Order(string scenario)
    {
        string[] order = [HttpAppendScenario.Name, CaseLengthScenario.Name, StoreAppendScenario.Name, ConcurrencyStyleScenario.Name, PeerAppendScenario.Name, PeerReplayScenario.Name, BatchImportScenario.Name,
            CurrentReadScenario.Name, ReplayToDateScenario.Name, RebuildScenario.Name, SecurityCostScenario.Name,
            CatchUpScenario.Name, ProjectionLagScenario.Name, SurvivalScenario.Name, FeedScenario.Name, DemoLoadScenario.Name, PageScenario.Name, MemoryScenario.Name, ColdStartScenario.Name];
        var index = Array.FindIndex(order, o => scenario == o || scenario.StartsWith(o + ",", StringComparison.Ordinal));
        return index < 0 ? order.Length : index;
    }

    private static async Task<IReadOnlyList<string>> ClusterFactsAsync(BenchCluster cluster, CancellationToken ct)
    {
        var settings = new List<string>();
        foreach (var name in new[] { "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers", "max_connections", "autovacuum_naptime" })
            settings.Add($"{name}={await cluster.ShowAsync(name, ct)}");
        var fs = await Shell.RunAsync("findmnt", ["-n", "-o", "FSTYPE,SOURCE", "--target", cluster.Root], TimeSpan.FromSeconds(10), ct: ct);
        return
        [
            $"PostgreSQL: an embedded cluster made for the run (`EmbeddedPostgres.StartAsync` on a fresh folder under /tmp, file system {Squeeze(fs.StdOut)}; PostgreSQL's defaults but the embedded cluster's own " +
            $"{string.Join(", ", EmbeddedPostgres.LedgerSettings)}, " +
            $"durable: {string.Join(", ", settings)}), server version {await cluster.ShowAsync("server_version", ct)}; deleted after the run",
        ];
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static async Task<string> CommitAsync(CancellationToken ct)
    {
        try
        {
            var root = BenchArguments.RepoRoot();
            var head = await Shell.RunAsync("git", ["-C", root, "rev-parse", "--short", "HEAD"], TimeSpan.FromSeconds(10), ct: ct);
            var status = await Shell.RunAsync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], TimeSpan.FromSeconds(10), ct: ct);
            return head.StdOut.Trim() + (status.StdOut.Trim().Length > 0 ? " with uncommitted changes in the work tree" : "");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return "unknown";
        }
    }
}
