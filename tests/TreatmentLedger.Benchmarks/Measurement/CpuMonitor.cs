using System.Globalization;

namespace TreatmentLedger.Benchmarks.Measurement;

/// <summary>
/// Where the machine's CPU went (Linux /proc): the harness (with Node and its other children), the API process,
/// the bench cluster's postgres processes, and everything else (other people's builds and tests share these cores).
/// </summary>
public sealed class CpuMonitor(Func<int?> postmasterPid, Func<int?> apiPid)
{
    private readonly int _self = Environment.ProcessId;

    /// <summary>Clock ticks per second of /proc (USER_HZ), 100 on Linux.</summary>
    public const double TicksPerSecond = 100;

    public readonly record struct Sample(long Busy, long Total, long Harness, long Api, long ApiTiering, long Postgres, DateTime At);

    /// <summary>
    /// One interval: CPU seconds of each party, and the shares of the whole machine (all cores). <see cref="ApiTieringCpu"/>
    /// is the part of <see cref="ApiCpu"/> spent by the API's tiered-compilation thread (the runtime's background JIT,
    /// which compiles hot methods again with more optimisation while the load runs): code still warming up, not work
    /// an operation asks for. A lower bound: that thread ends when idle, and its time then leaves the thread list.
    /// </summary>
    public readonly record struct Load(double Foreign, double Ours, double Seconds, double HarnessCpu, double ApiCpu, double PostgresCpu,
        double ApiTieringCpu = 0)
    {
        /// <summary>Periods taken one after the other as one: CPU and time added, the machine's shares weighted by time.</summary>
        public static Load Sum(IEnumerable<Load> periods)
        {
            var all = periods.ToList();
            var seconds = all.Sum(p => p.Seconds);
            double Share(Func<Load, double> of) => seconds > 0 ? all.Sum(p => of(p) * p.Seconds) / seconds : 0;
            return new Load(Share(p => p.Foreign), Share(p => p.Ours), seconds, all.Sum(p => p.HarnessCpu), all.Sum(p => p.ApiCpu), all.Sum(p => p.PostgresCpu),
                all.Sum(p => p.ApiTieringCpu));
        }

        public override string ToString() =>
            $"{(Foreign * 100).ToString("0", CultureInfo.InvariantCulture)} % of the machine's CPU went to other processes " +
            $"(the benchmark's own: {(Ours * 100).ToString("0", CultureInfo.InvariantCulture)} %) over {Seconds.ToString("0", CultureInfo.InvariantCulture)} s";
    }

    public static bool Available => File.Exists("/proc/stat");

    public Sample Take()
    {
        if (!Available) return default;
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        long At(int i) => i < cpu.Length ? cpu[i] : 0;
        var busy = At(0) + At(1) + At(2) + At(5) + At(6) + At(7);
        var total = busy + At(3) + At(4);
        var (harness, api, postgres) = Ours();
        return new Sample(busy, total, harness, api, ApiTiering(), postgres, DateTime.UtcNow);
    }

    public static Load Between(Sample a, Sample b)
    {
        var total = b.Total - a.Total;
        if (total <= 0) return default;
        var harness = Math.Max(0, b.Harness - a.Harness);
        // A process that is gone (an API stopped) takes its ticks with it: never count negative time.
        var api = Math.Max(0, b.Api - a.Api);
        var postgres = Math.Max(0, b.Postgres - a.Postgres);
        var tiering = Math.Min(api, Math.Max(0, b.ApiTiering - a.ApiTiering));
        var ours = harness + api + postgres;
        var foreign = Math.Max(0, b.Busy - a.Busy - ours);
        return new Load((double)foreign / total, (double)ours / total, (b.At - a.At).TotalSeconds,
            harness / TicksPerSecond, api / TicksPerSecond, postgres / TicksPerSecond, tiering / TicksPerSecond);
    }

    /// <summary>Measures the load over <paramref name="interval"/>.</summary>
    public async Task<Load> MeasureAsync(TimeSpan interval, CancellationToken ct)
    {
        var a = Take();
        await Task.Delay(interval, ct);
        return Between(a, Take());
    }

    /// <summary>
    /// Waits, at most <paramref name="patience"/>, until other processes use less than <paramref name="threshold"/> of
    /// the machine over two seconds. Returns the last load seen and how long it waited.
    /// </summary>
    public async Task<(Load Load, TimeSpan Waited)> WaitForQuietAsync(double threshold, TimeSpan patience, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            var load = await MeasureAsync(TimeSpan.FromSeconds(2), ct);
            var waited = DateTime.UtcNow - started;
            if (!Available || load.Foreign < threshold || waited >= patience) return (load, waited);
        }
    }

    /// <summary>The fields of a /proc stat file after the command name (which may hold spaces): field 0 is the state.</summary>
    private static string[] StatFields(string path)
    {
        var stat = File.ReadAllText(path);
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>User plus system ticks from two adjacent stat fields (11: its own; 13: its reaped children's).</summary>
    private static long Ticks(string[] fields, int user) =>
        long.Parse(fields[user], CultureInfo.InvariantCulture) + long.Parse(fields[user + 1], CultureInfo.InvariantCulture);

    /// <summary>CPU ticks of the API's tiered-compilation thread (".NET Tiered Compilation Worker", "comm" cut to 15 characters).</summary>
    private long ApiTiering()
    {
        if (apiPid() is not { } api) return 0;
        long ticks = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{api}/task"))
            {
                try
                {
                    if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal)) continue;
                    var fields = StatFields(Path.Combine(task, "stat"));
                    ticks += Ticks(fields, 11);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // The thread ended while we looked.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The API ended while we looked.
        }
        return ticks;
    }

    /// <summary>
    /// CPU ticks of: the harness (its own, its reaped children's, its live descendants' but the API's), the API process,
    /// and the cluster (the postmaster with its reaped backends, and its live children).
    /// </summary>
    private (long Harness, long Api, long Postgres) Ours()
    {
        var processes = new Dictionary<int, (int Parent, long Own, long Children)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var fields = StatFields(Path.Combine(dir, "stat"));
                processes[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), Ticks(fields, 11), Ticks(fields, 13));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while we looked.
            }
        }
        var children = processes.ToLookup(p => p.Value.Parent, p => p.Key);
        var api = apiPid();
        long Tree(int root, int? except)
        {
            if (!processes.TryGetValue(root, out var r)) return 0;
            var ticks = r.Own + r.Children;
            var stack = new Stack<int>(children[root]);
            while (stack.Count > 0)
            {
                var pid = stack.Pop();
                if (pid == except) continue;
                ticks += processes[pid].Own;
                foreach (var child in children[pid]) stack.Push(child);
            }
            return ticks;
        }
        var apiTicks = api is { } a && processes.TryGetValue(a, out var p) ? p.Own + p.Children : 0;
        return (Tree(_self, api), apiTicks, postmasterPid() is { } pm ? Tree(pm, null) : 0);
    }
}
