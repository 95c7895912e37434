namespace TreatmentLedger.Benchmarks.Measurement;

/// <summary>The measured repetitions of one side of a scenario (warm-ups left out) and what they sum up to.</summary>
public sealed class Series(string name, double unitsPerOperation = 1)
{
    private readonly List<LoadResult> _reps = [];
    private readonly List<CpuMonitor.Load> _cpu = [];

    public string Name { get; } = name;

    public IReadOnlyList<LoadResult> Reps => _reps;

    public void Add(LoadResult rep, CpuMonitor.Load? cpu = null)
    {
        _reps.Add(rep);
        if (cpu is { Seconds: > 0 } load) _cpu.Add(load);
    }

    /// <summary>
    /// CPU milliseconds per operation spent by the harness (client, and Node for the peer), the API process and
    /// PostgreSQL: the median over repetitions. Where the time goes, as a first profile.
    /// </summary>
    public string CpuPerOperation(string unit = "operation")
    {
        if (_cpu.Count == 0 || _cpu.Count != _reps.Count) return "";
        double Per(Func<CpuMonitor.Load, double> pick) => Stats.Median(_cpu.Zip(_reps, (c, r) => pick(c) * 1000 / Math.Max(1, r.Completed)));
        var api = Per(c => c.ApiCpu);
        var tiering = Per(c => c.ApiTieringCpu);
        return $"CPU per {unit}: harness {Fmt.Ms(Per(c => c.HarnessCpu))}" +
               (api > 0 ? $", API {Fmt.Ms(api)}" + (tiering > 0 ? $" (of which its tiered-compilation thread {Fmt.Ms(tiering)})" : "") : "") +
               $", PostgreSQL {Fmt.Ms(Per(c => c.PostgresCpu))}; machine busy {Fmt.Num(Stats.Median(_cpu.Select(c => (c.Ours + c.Foreign) * 100)), "0")} %";
    }

    /// <summary>Median over repetitions of units (entries, reads...) per second.</summary>
    public double Rate => Stats.Median(_reps.Select(r => r.PerSecond * unitsPerOperation));

    public Latency Latency => Stats.MedianOf(_reps.Select(r => r.Latency).ToList());

    public int Failures => _reps.Sum(r => r.Failures);

    public string? FirstFailure => _reps.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null);

    public bool TimedOut => _reps.Any(r => r.TimedOut);

    /// <summary>A line of details: every repetition's rate, and the latency percentiles.</summary>
    public string Describe(string unit)
    {
        var rates = string.Join(", ", _reps.Select(r => Fmt.Num(r.PerSecond * unitsPerOperation)));
        var text = $"{Name}: median {Fmt.Rate(Rate, unit)} over {_reps.Count} repetitions ({rates}); " +
                   $"latency per operation {Latency}, max {Fmt.Ms(Latency.Max)}; {Fmt.Num(_reps.Sum(r => r.Completed))} operations measured";
        if (CpuPerOperation() is { Length: > 0 } cpu) text += "; " + cpu;
        if (Failures > 0) text += $"; **{Failures} failed**, first: `{FirstFailure}`";
        if (TimedOut) text += "; a repetition hit its time limit";
        return text;
    }

    /// <summary>A note for the table when something went wrong on this side.</summary>
    public string Problems => (Failures > 0 ? $"{Name}: {Failures} operations failed. " : "") + (TimedOut ? $"{Name}: time limit hit. " : "");
}

public static class Repetitions
{
    /// <summary>
    /// Runs warm-ups then measured repetitions, the ledger and its baseline one after the other in each, so that both
    /// see the same database state and drift; only the measured ones are kept.
    /// </summary>
    public static Task RunPairedAsync(CpuMonitor cpu, string label, int warmups, int reps, Series ledger, Func<int, Task<LoadResult>> runLedger,
        Series baseline, Func<int, Task<LoadResult>> runBaseline) =>
        RunInTurnAsync(cpu, label, warmups, reps, (ledger, runLedger), (baseline, runBaseline));

    /// <summary>
    /// As <see cref="RunPairedAsync"/> for any number of sides: in each repetition every side runs once, in the order
    /// given, so that a ratio between any two of them compares runs of the same minute.
    /// </summary>
    public static async Task RunInTurnAsync(CpuMonitor cpu, string label, int warmups, int reps,
        params (Series Series, Func<int, Task<LoadResult>> Run)[] sides)
    {
        for (var rep = 0; rep < warmups + reps; rep++)
        {
            var results = new List<(LoadResult Result, CpuMonitor.Load Cpu)>();
            foreach (var side in sides) results.Add(await MeasuredAsync(cpu, () => side.Run(rep)));
            var kind = rep < warmups ? "warm-up" : "rep";
            Console.WriteLine($"  {label} {kind} {rep + 1 - (rep < warmups ? 0 : warmups)}: " + string.Join("; ", sides.Zip(results, (side, r) =>
                $"{side.Series.Name} {Fmt.Num(r.Result.PerSecond)} ops/s {r.Result.Latency}" + CpuPerOperation(r.Result, r.Cpu) +
                (r.Result.Failures > 0 ? $" ({r.Result.Failures} failed: {r.Result.FirstFailure})" : ""))));
            if (rep < warmups) continue;
            foreach (var (side, r) in sides.Zip(results)) side.Series.Add(r.Result, r.Cpu);
        }
    }

    /// <summary>One repetition's CPU per operation, API and PostgreSQL, for the console.</summary>
    private static string CpuPerOperation(LoadResult result, CpuMonitor.Load cpu) =>
        cpu.Seconds > 0 && result.Completed > 0
            ? $" (CPU per op: API {Fmt.Ms(cpu.ApiCpu * 1000 / result.Completed)}, PostgreSQL {Fmt.Ms(cpu.PostgresCpu * 1000 / result.Completed)})"
            : "";

    /// <summary>Runs one repetition and the CPU it cost, party by party.</summary>
    public static async Task<(LoadResult Result, CpuMonitor.Load Cpu)> MeasuredAsync(CpuMonitor cpu, Func<Task<LoadResult>> run)
    {
        var before = cpu.Take();
        var result = await run();
        return (result, CpuMonitor.Between(before, cpu.Take()));
    }
}
