using System.Net.Http.Headers;
using IAlbaHost = Alba.IAlbaHost;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Setup;
using TreatmentLedger.Benchmarks.Workload;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// What authentication and the access log cost (issue 10): the same appends and current reads, 16 clients, against the
/// API hosted in this process twice, on two databases of the bench cluster: as configured (a JWT verified on every
/// request, every case read logged), and with both taken out (<see cref="InProcessApi"/>). Both hosts are in-memory
/// servers, without Kestrel's sockets: the ratio is of the whole request as the API handles it.
/// </summary>
public static class SecurityCostScenario
{
    public const string Name = "security cost";
    public const string Target = "appends/s and read p95 within 15 % of the run without them";
    private const int Cases = 256;
    /// <summary>The turns of each host within a read repetition (<see cref="AlternatingAsync"/>).</summary>
    private const int ReadSlices = 10;

    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var rounds = v.Quick ? 1 : 4;
        var reps = v.AppendReps;
        var warmups = v.AppendWarmups;
        // Reads per client in each host's turn: a read repetition is ReadSlices turns of each host, all clients in each.
        var perClientTurn = Math.Max(1, (v.Quick ? 1_000 : 10_000) / ReadSlices / v.Clients);
        var reads = perClientTurn * v.Clients * ReadSlices;
        var streams = CaseStreams.Generate(Cases, 1 + rounds * (warmups + reps), seed: 300_000, ctx.Today);
        var bodies = streams.Cases.Select(c => c.Select(CaseJson.EntryBody).ToArray()).ToArray();

        var token = ctx.Http.DefaultRequestHeaders.Authorization!;
        await ctx.Cluster.CreateDatabaseAsync("security_with", ctx.Ct);
        await ctx.Cluster.CreateDatabaseAsync("security_without", ctx.Ct);
        await using var with = await Host.OpenAsync(ctx, "security_with", withSecurity: true, token, Cases);
        await using var without = await Host.OpenAsync(ctx, "security_without", withSecurity: false, token, Cases);
        foreach (var host in new[] { with, without }) await host.OpenCasesAsync(bodies, v.Clients, ctx);

        var appendWith = new Series("with authentication and access log");
        var appendWithout = new Series("without");
        var plans = new Dictionary<int, IReadOnlyList<IReadOnlyList<(int Case, int Entry)>>>();
        IReadOnlyList<IReadOnlyList<(int Case, int Entry)>> Plan(int rep) =>
            plans.TryGetValue(rep, out var plan) ? plan : plans[rep] = streams.NextRounds(v.Clients, rounds);
        await AlternatingAsync(ctx, Name + ", append", warmups, reps, slices: 1,
            appendWith, (rep, _) => with.AppendAsync(Plan(rep), bodies, ctx),
            appendWithout, (rep, _) => without.AppendAsync(Plan(rep), bodies, ctx));

        var readWith = new Series("with authentication and access log");
        var readWithout = new Series("without");
        await AlternatingAsync(ctx, Name + ", read", v.ReadWarmups, v.ReadReps, ReadSlices,
            readWith, (rep, slice) => with.ReadAsync(rep * ReadSlices + slice, perClientTurn, v.Clients, ctx),
            readWithout, (rep, slice) => without.ReadAsync(rep * ReadSlices + slice, perClientTurn, v.Clients, ctx));

        var appendRatio = appendWith.Rate / appendWithout.Rate;
        var readRatio = readWith.Latency.P95 / readWithout.Latency.P95;
        var failures = appendWith.Failures + appendWithout.Failures + readWith.Failures + readWithout.Failures;
        string[] details =
        [
            $"- Hosts: the API (`Program`) in this process through Alba's in-memory server, twice, each on a database of its own in the bench cluster. " +
            "With: as configured, the benchmark's clinician token (RS256) verified on every request and every `GET /cases/{id}` logged. " +
            "Without: authentication replaced by a scheme that admits every request as the same clinician without reading the token, and no access log writer.",
            $"- Workload: {Cases} cases opened per host (not timed); each append repetition appends the next {rounds} entries of every case, " +
            $"one `POST /cases/{{id}}/entries` each, {v.Clients} clients; each read repetition is {reads:N0} `GET /cases/{{id}}` of random cases, {v.Clients} clients. " +
            $"The two hosts take turns within each repetition, the one that goes first alternating from one turn to the next: once per append repetition, {ReadSlices} times per read repetition ({perClientTurn * v.Clients:N0} reads a turn; a repetition's figures are those of its turns together); {warmups} and {v.ReadWarmups} warm-up repetitions.",
            $"- Append, {appendWith.Describe("entries/s")}",
            $"- Append, {appendWithout.Describe("entries/s")}",
            $"- Read, {readWith.Describe("reads/s")}",
            $"- Read, {readWithout.Describe("reads/s")}",
        ];
        return
        [
            new ScenarioResult(Name + ", append",
                $"{Fmt.Rate(appendWith.Rate, "entries/s")}; {appendWith.Latency}",
                $"{Fmt.Rate(appendWithout.Rate, "entries/s")}; {appendWithout.Latency}",
                Fmt.Ratio(appendRatio), ">= 0.85x the run without them", appendRatio >= 0.85 && failures == 0,
                $"baseline column = the same API without authentication and access log, in process. {appendWith.Problems}{appendWithout.Problems}".Trim(), details),
            new ScenarioResult(Name + ", read",
                $"{readWith.Latency}; {Fmt.Rate(readWith.Rate, "reads/s")}",
                $"{readWithout.Latency}; {Fmt.Rate(readWithout.Rate, "reads/s")}",
                $"p95 {Fmt.Ratio(readRatio)}", "p95 <= 1.15x the run without them", readRatio <= 1.15 && failures == 0,
                $"baseline column = the same API without authentication and access log, in process. {readWith.Problems}{readWithout.Problems}".Trim(), []),
        ];
    }

    /// <summary>
    /// As <see cref="Repetitions.RunPairedAsync"/>, but the two sides take turns <paramref name="slices"/> times within a
    /// repetition, each turn a slice of its work (the second argument of the run functions, 0 to slices - 1), and the
    /// side that goes first alternates from one turn to the next: two hosts in one process share its JIT, GC and thread
    /// pool, and whichever runs second meets what the first left; and a pause of the machine (this virtual machine shares
    /// its host) then falls on both sides alike instead of on one side's whole repetition. A side's repetition is the sum
    /// of its turns: its operations, time, latencies and CPU.
    /// </summary>
    private static async Task AlternatingAsync(BenchContext ctx, string label, int warmups, int reps, int slices,
        Series with, Func<int, int, Task<LoadResult>> runWith, Series without, Func<int, int, Task<LoadResult>> runWithout)
    {
        for (var rep = 0; rep < warmups + reps; rep++)
        {
            var a = new List<(LoadResult Result, CpuMonitor.Load Cpu)>();
            var b = new List<(LoadResult Result, CpuMonitor.Load Cpu)>();
            for (var slice = 0; slice < slices; slice++)
            {
                var (r, s) = (rep, slice);
                if ((rep * slices + slice) % 2 == 0)
                {
                    a.Add(await Repetitions.MeasuredAsync(ctx.Cpu, () => runWith(r, s)));
                    b.Add(await Repetitions.MeasuredAsync(ctx.Cpu, () => runWithout(r, s)));
                }
                else
                {
                    b.Add(await Repetitions.MeasuredAsync(ctx.Cpu, () => runWithout(r, s)));
                    a.Add(await Repetitions.MeasuredAsync(ctx.Cpu, () => runWith(r, s)));
                }
            }
            var (withRep, withCpu) = (LoadResult.Sum(a.Select(x => x.Result)), CpuMonitor.Load.Sum(a.Select(x => x.Cpu)));
            var (withoutRep, withoutCpu) = (LoadResult.Sum(b.Select(x => x.Result)), CpuMonitor.Load.Sum(b.Select(x => x.Cpu)));
            Console.WriteLine($"  {label} {(rep < warmups ? "warm-up" : "rep")} {(rep < warmups ? rep + 1 : rep + 1 - warmups)}: with {Fmt.Num(withRep.PerSecond)} ops/s {withRep.Latency}; " +
                              $"without {Fmt.Num(withoutRep.PerSecond)} ops/s {withoutRep.Latency}");
            if (rep < warmups) continue;
            with.Add(withRep, withCpu);
            without.Add(withoutRep, withoutCpu);
        }
    }

    private sealed class Host(IAlbaHost host, HttpClient client, Guid[] ids) : IAsyncDisposable
    {
        public static async Task<Host> OpenAsync(BenchContext ctx, string database, bool withSecurity, AuthenticationHeaderValue token, int cases)
        {
            // Two hosts, each with its pools, in a cluster of max_connections 100: 30 connections each at most.
            var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(ctx.Cluster.ConnectionStringFor(database)) { MaxPoolSize = 30 }.ConnectionString;
            var host = await InProcessApi.StartAsync(connectionString, ctx.ApiDataDirectory, withSecurity);
            var client = host.Server.CreateClient();
            client.DefaultRequestHeaders.Authorization = token;
            return new Host(host, client, new Guid[cases]);
        }

        public Task OpenCasesAsync(byte[][][] bodies, int clients, BenchContext ctx) => OpenCases.RunAsync(PostAsync, bodies, ids, clients, ctx);

        public Task<LoadResult> AppendAsync(IReadOnlyList<IReadOnlyList<(int Case, int Entry)>> plan, byte[][][] bodies, BenchContext ctx) =>
            AppendOverHttp.RunAsync(PostAsync, plan, bodies, ids, ctx);

        public Task<LoadResult> ReadAsync(int rep, int perClient, int clients, BenchContext ctx) =>
            LoadRunner.RunAsync(Enumerable.Range(0, clients).Select(w =>
            {
                var rng = new Random(rep * 1000 + w);
                return (IReadOnlyList<Operation>)Enumerable.Range(0, perClient).Select(_ => ids[rng.Next(ids.Length)])
                    .Select(id => (Operation)(ct => BenchContext.GetAsync(client, new Uri(client.BaseAddress!, $"/cases/{id}"), ct))).ToList();
            }).ToList(), ctx.RepLimit, ctx.Ct);

        private Task<(string? Failure, string Body)> PostAsync(string path, byte[] body, CancellationToken ct) =>
            BenchContext.PostAsync(client, new Uri(client.BaseAddress!, path), body, 201, ct);

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await host.DisposeAsync();
        }
    }
}
