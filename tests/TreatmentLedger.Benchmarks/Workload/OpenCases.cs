using System.Text.Json.Nodes;
using TreatmentLedger.Benchmarks.Measurement;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>Opens generated cases over HTTP before a scenario times anything: <c>POST /cases</c> with each case's first entry.</summary>
public static class OpenCases
{
    /// <summary>
    /// Opens case <c>c</c> with <c>bodies[c][0]</c> through <paramref name="post"/> (a path, a body: the failure or the
    /// answer), <paramref name="clients"/> at a time, and writes its id to <c>ids[c]</c>; throws when one is refused.
    /// </summary>
    public static async Task RunAsync(Func<string, byte[], CancellationToken, Task<(string? Failure, string Body)>> post, byte[][][] bodies,
        Guid[] ids, int clients, BenchContext ctx)
    {
        var open = Enumerable.Range(0, clients).Select(w => Enumerable.Range(0, ids.Length).Where(c => c % clients == w).Select(c =>
            (Operation)(async ct =>
            {
                var (failure, body) = await post("/cases", bodies[c][0], ct);
                if (failure is null) ids[c] = Guid.Parse(JsonNode.Parse(body)!["caseId"]!.GetValue<string>());
                return failure;
            })).ToList()).ToList<IReadOnlyList<Operation>>();
        var opened = await LoadRunner.RunAsync(open, ctx.RepLimit, ctx.Ct);
        if (opened.Failures > 0) throw new InvalidOperationException($"{opened.Failures} cases could not be opened: {opened.FirstFailure}");
    }
}
