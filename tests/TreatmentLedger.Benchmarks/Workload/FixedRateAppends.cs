using System.Text.Json.Nodes;
using TreatmentLedger.Benchmarks.Measurement;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>
/// Appends over HTTP at a fixed rate, open loop (each is sent at its scheduled time, whether or not the earlier ones were
/// answered), over many generated cases opened beforehand: the load of the dashboards' lag scenario and of the live
/// feed's. Append i is due at i / rate seconds and goes to case i mod cases, its next generated entry; it waits for the
/// previous append on its own case (rare: a case comes round every cases / rate seconds), so the rules always hold.
/// The first <see cref="WarmupSeconds"/> are warm-up: the scenarios do not count them.
/// </summary>
public sealed class FixedRateAppends
{
    /// <summary>One append: when it was due, sent and answered (seconds on the scenario's clock), and the sequence it was given.</summary>
    public struct Append
    {
        public double Due;
        public double Sent;
        public double Acked;
        public long Sequence;
        public string? Failure;
    }

    private readonly Guid[] _ids;
    private readonly byte[][][] _bodies;

    private FixedRateAppends(int cases, int rate, int warmupSeconds, int seconds, Guid[] ids, byte[][][] bodies)
    {
        (Cases, Rate, WarmupSeconds, Seconds, _ids, _bodies) = (cases, rate, warmupSeconds, seconds, ids, bodies);
        Appends = new Append[Total];
    }

    public int Cases { get; }
    public int Rate { get; }
    public int WarmupSeconds { get; }
    public int Seconds { get; }
    public int Total => Rate * (WarmupSeconds + Seconds);
    public int FirstMeasured => Rate * WarmupSeconds;

    /// <summary>Every append, in due order, filled in as they are answered.</summary>
    public Append[] Appends { get; }

    /// <summary>When the first append was due (seconds on the scenario's clock), once <see cref="RunAsync"/> has started.</summary>
    public double Start { get; private set; }

    /// <summary>When the measured window began: <see cref="Start"/> plus the warm-up.</summary>
    public double WindowStart => Start + WarmupSeconds;

    /// <summary>Generates the cases and opens them with <c>POST /cases</c> (not timed).</summary>
    public static async Task<FixedRateAppends> PrepareAsync(BenchContext ctx, int cases, int rate, int warmupSeconds, int seconds, int seed)
    {
        var total = rate * (warmupSeconds + seconds);
        var streams = CaseStreams.Generate(cases, 1 + (total + cases - 1) / cases, seed, ctx.Today);
        var bodies = streams.Cases.Select(c => c.Select(CaseJson.EntryBody).ToArray()).ToArray();
        await OpenCases.RunAsync((path, body, ct) => ctx.PostAsync(path, body, 201, ct), bodies, streams.Ids, ctx.Volumes.Clients, ctx);
        return new FixedRateAppends(cases, rate, warmupSeconds, seconds, streams.Ids, bodies);
    }

    /// <summary>
    /// Sends every append at its due time (the driver wakes every millisecond and sends every append due) and waits for
    /// all the answers; answers the CPU sample taken when the measured window began.
    /// </summary>
    public async Task<CpuMonitor.Sample> RunAsync(BenchContext ctx, Func<double> now)
    {
        async Task AppendAsync(Task previous, int i)
        {
            await previous;
            var c = i % Cases;
            Appends[i].Sent = now();
            try
            {
                var (failure, body) = await ctx.PostAsync($"/cases/{_ids[c]}/entries", _bodies[c][1 + i / Cases], 201, ctx.Ct);
                Appends[i].Acked = now();
                if (failure is null) Appends[i].Sequence = JsonNode.Parse(body)!["sequence"]!.GetValue<long>();
                else Appends[i].Failure = failure;
            }
            catch (HttpRequestException e)
            {
                Appends[i].Acked = now();
                Appends[i].Failure = e.Message;
            }
        }

        var chains = Enumerable.Repeat(Task.CompletedTask, Cases).ToArray();
        Start = now();
        CpuMonitor.Sample measuredFrom = default;
        var next = 0;
        while (next < Total)
        {
            var due = Math.Min(Total, (int)((now() - Start) * Rate) + 1);
            for (; next < due; next++)
            {
                if (next == FirstMeasured) measuredFrom = ctx.Cpu.Take();
                Appends[next].Due = Start + (double)next / Rate;
                chains[next % Cases] = AppendAsync(chains[next % Cases], next);
            }
            await Task.Delay(1, ctx.Ct);
        }
        await Task.WhenAll(chains);
        return measuredFrom;
    }
}
