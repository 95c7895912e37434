using TreatmentLedger.Api.Recording;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Workload;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Concurrency style: the ledger's write path in process (<see cref="LedgerWriter"/>): the API's writer queue (group
/// commit under row locks) against the two per-request styles it replaced, one transaction per request with the
/// stream locked before it is read (Wolverine's aggregate handler with <c>LoadStyle = Exclusive</c>), or optimistic
/// versioning that decides again whenever it loses a race; 16 clients spread over many cases, then 16 clients on one
/// case. Each append is one imaging entry with a new entryId, valid in any order.
/// </summary>
public static class ConcurrencyStyleScenario
{
    public const string Name = "concurrency style";
    public const string Target = "measured: the API keeps the fastest style that lands every append once";

    private sealed record Style(string Label, Func<LedgerWriter, Guid, Entry, CancellationToken, Task<(string? Refused, int Retries)>> Append);

    private static readonly Style[] Styles =
    [
        new("writer queue (the API's)", async (writer, id, entry, ct) => (await writer.AppendAsync(id, [entry], ct), 0)),
        new("per request, exclusive lock", async (writer, id, entry, ct) => (await writer.AppendExclusiveAsync(id, [entry], ct), 0)),
        new("per request, optimistic + retry", (writer, id, entry, ct) => writer.AppendOptimisticAsync(id, [entry], ct)),
    ];

    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var perClient = v.Quick ? 40 : 150;
        var reps = v.Quick ? 2 : 4;
        var results = new List<ScenarioResult>();
        foreach (var (workload, cases) in new[] { ("16 clients over 256 cases", 256), ("16 clients on one case", 1) })
        {
            var figures = new List<(Style Style, Series Series, int Retries)>();
            var details = new List<string>();
            foreach (var style in Styles)
            {
                var writer = ctx.Writer;
                var ids = new Guid[cases];
                for (var c = 0; c < cases; c++)
                {
                    var (id, refused) = await writer.StartAsync([Opened()], ctx.Ct);
                    if (refused is not null) throw new InvalidOperationException($"could not open a case: {refused}");
                    ids[c] = id;
                }
                var series = new Series($"{style.Label}, {workload}");
                var retries = 0;
                for (var rep = 0; rep < 1 + reps; rep++)
                {
                    var workers = Enumerable.Range(0, v.Clients).Select(w => Enumerable.Range(0, perClient).Select(i =>
                    {
                        var id = ids[(w + i * v.Clients) % cases];
                        return (Operation)(async ct =>
                        {
                            var (refused, tries) = await style.Append(writer, id, Imaging(), ct);
                            Interlocked.Add(ref retries, rep == 0 ? 0 : tries);
                            return refused;
                        });
                    }).ToList()).ToList<IReadOnlyList<Operation>>();
                    var (result, cpu) = await Repetitions.MeasuredAsync(ctx.Cpu, () => LoadRunner.RunAsync(workers, ctx.RepLimit, ctx.Ct));
                    Console.WriteLine($"  {series.Name} {(rep == 0 ? "warm-up" : "rep " + rep)}: {Fmt.Num(result.PerSecond)} appends/s {result.Latency}");
                    if (rep > 0) series.Add(result, cpu);
                }
                figures.Add((style, series, retries));
                details.Add($"- {series.Describe("appends/s")}; {Fmt.Num(retries)} decisions taken again after a lost race " +
                    $"({(double)retries / Math.Max(1, series.Reps.Sum(r => r.Completed)):0.00} per append)");
            }
            var (queue, exclusive, optimistic) = (figures[0], figures[1], figures[2]);
            results.Add(new ScenarioResult($"{Name}, {workload}",
                $"writer queue: {Fmt.Rate(queue.Series.Rate, "appends/s")}; {queue.Series.Latency}",
                $"per request: exclusive {Fmt.Rate(exclusive.Series.Rate, "appends/s")}; optimistic + retry {Fmt.Rate(optimistic.Series.Rate, "appends/s")}, " +
                $"{Fmt.Num(optimistic.Retries)} retries",
                $"queue/exclusive {Fmt.Ratio(queue.Series.Rate / exclusive.Series.Rate)}; optimistic/exclusive {Fmt.Ratio(optimistic.Series.Rate / exclusive.Series.Rate)}",
                Target, null,
                $"{queue.Series.Problems}{exclusive.Series.Problems}{optimistic.Series.Problems}".Trim(),
                [
                    $"- Workload: {workload}, {v.Clients} clients each appending {perClient} imaging entries (new entryIds) per repetition, " +
                    $"one entry per request, through the ledger's write path in process (`LedgerWriter`): the API's writer queue (requests on " +
                    $"different cases share a transaction, at most {CaseWriter.MaxBatch}, {CaseWriter.Writers} transaction(s) of appends in flight, decided on the " +
                    $"states the writer knows when it can); or one " +
                    $"transaction per request, `FetchForExclusiveWriting` (the lock of Wolverine's `[WriteAggregate(LoadStyle = Exclusive)]`), or " +
                    $"`FetchForWriting` (Marten checks the version at commit) deciding again after each lost race (at most {LedgerWriter.MaxRetries} " +
                    $"times). 1 warm-up repetition, {reps} measured, fresh cases for each style.",
                    .. details,
                ]));
        }
        return results;
    }

    private static CaseOpened Opened() => new()
    {
        EntryId = Guid.NewGuid(), OccurredOn = ClinicalDate.Parse("2015-01"), PatientRef = "BENCH-STYLE", Sex = "female",
    };

    private static ImagingPerformed Imaging() => new()
    {
        EntryId = Guid.NewGuid(), OccurredOn = ClinicalDate.Parse("2016-02-03"), Modality = "CT", Findings = "stable disease",
    };
}
