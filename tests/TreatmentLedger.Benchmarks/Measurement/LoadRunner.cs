using System.Diagnostics;

namespace TreatmentLedger.Benchmarks.Measurement;

/// <summary>One operation of a load: returns null when it succeeded, else what went wrong.</summary>
public delegate Task<string?> Operation(CancellationToken ct);

/// <summary>What one repetition of a load did: operations completed, failures, wall time and each operation's latency.</summary>
public sealed record LoadResult(int Completed, int Failures, double Seconds, IReadOnlyList<double> LatenciesMs, string? FirstFailure, bool TimedOut)
{
    public int Succeeded => Completed - Failures;

    /// <summary>Successful operations per second of wall time.</summary>
    public double PerSecond => Succeeded / Seconds;

    public Latency Latency => Stats.LatencyOf(LatenciesMs);

    /// <summary>Runs taken one after the other as one: their operations, time and latencies together.</summary>
    public static LoadResult Sum(IEnumerable<LoadResult> runs)
    {
        var all = runs.ToList();
        return new LoadResult(all.Sum(r => r.Completed), all.Sum(r => r.Failures), all.Sum(r => r.Seconds),
            all.SelectMany(r => r.LatenciesMs).ToList(), all.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null), all.Any(r => r.TimedOut));
    }
}

/// <summary>
/// Runs workers side by side, each through its own fixed list of operations in order, all released at once.
/// Bounded in count (the lists) and in time (<paramref name="limit"/>: after it, workers stop taking operations).
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(IReadOnlyList<IReadOnlyList<Operation>> workers, TimeSpan limit, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var latencies = new List<double>[workers.Count];
        var failures = new int[workers.Count];
        string? firstFailure = null;
        var timedOut = false;

        var tasks = workers.Select((ops, w) => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(ops.Count);
            await gate.Task;
            foreach (var op in ops)
            {
                if (deadline.IsCancellationRequested) { timedOut = !ct.IsCancellationRequested; break; }
                var start = Stopwatch.GetTimestamp();
                string? failure;
                try
                {
                    failure = await op(deadline.Token);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    timedOut = !ct.IsCancellationRequested;
                    break;
                }
                catch (Exception e)
                {
                    failure = e.GetType().Name + ": " + e.Message;
                }
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (failure is not null)
                {
                    failures[w]++;
                    Interlocked.CompareExchange(ref firstFailure, failure, null);
                }
            }
        }, CancellationToken.None)).ToArray();

        var clock = Stopwatch.StartNew();
        deadline.CancelAfter(limit);
        gate.SetResult();
        await Task.WhenAll(tasks);
        clock.Stop();
        ct.ThrowIfCancellationRequested();

        var all = latencies.SelectMany(l => l ?? []).ToList();
        return new LoadResult(all.Count, failures.Sum(), clock.Elapsed.TotalSeconds, all, firstFailure, timedOut);
    }

    /// <summary>Times one operation after another on the calling task, each alone: latency without contention.</summary>
    public static Task<LoadResult> RunSequentialAsync(IReadOnlyList<Operation> ops, TimeSpan limit, CancellationToken ct) =>
        RunAsync([ops], limit, ct);
}
