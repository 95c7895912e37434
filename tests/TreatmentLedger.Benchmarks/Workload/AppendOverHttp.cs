using TreatmentLedger.Benchmarks.Measurement;

namespace TreatmentLedger.Benchmarks.Workload;

/// <summary>Appends planned entries of opened cases over HTTP: one <c>POST /cases/{id}/entries</c> per entry.</summary>
public static class AppendOverHttp
{
    /// <summary>
    /// Runs <paramref name="plan"/> (per worker, the case and entry indexes in append order) through
    /// <paramref name="post"/> (a path, a body: the failure or the answer): <c>bodies[c][e]</c> to case <c>ids[c]</c>.
    /// </summary>
    public static Task<LoadResult> RunAsync(Func<string, byte[], CancellationToken, Task<(string? Failure, string Body)>> post,
        IReadOnlyList<IReadOnlyList<(int Case, int Entry)>> plan, byte[][][] bodies, Guid[] ids, BenchContext ctx) =>
        LoadRunner.RunAsync(plan.Select(items => items.Select(item =>
        {
            var path = $"/cases/{ids[item.Case]}/entries";
            var body = bodies[item.Case][item.Entry];
            return (Operation)(async ct => (await post(path, body, ct)).Failure);
        }).ToList()).ToList<IReadOnlyList<Operation>>(), ctx.RepLimit, ctx.Ct);
}
