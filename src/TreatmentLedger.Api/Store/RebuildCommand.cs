using System.Diagnostics;
using System.Globalization;
using Marten;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// <c>projections rebuild</c> (what <c>ops/run projections rebuild</c> runs, with the ledger stopped): the write model
/// rebuilt by <see cref="WriteModelRebuild"/>, then the dashboards' async projection by
/// <see cref="Dashboards.CaseFactsRebuild"/> (its documents and position reset, then written case by case; the daemon goes
/// on from there when the ledger runs), a line each on standard output. Other <c>projections</c> commands are JasperFx's.
/// </summary>
public static class RebuildCommand
{
    public static bool Handles(IReadOnlyList<string> args) => args is ["projections", "rebuild"];

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, TextWriter error, CancellationToken ct)
    {
        try
        {
            var store = services.GetRequiredService<IDocumentStore>();
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var clock = Stopwatch.StartNew();
            var cases = await services.GetRequiredService<WriteModelRebuild>().RunAsync(ct);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Rebuilt the write model (CaseState, Amendment) of {cases:N0} cases in {clock.Elapsed.TotalSeconds:N1} s"));
            clock.Restart();
            cases = await services.GetRequiredService<Dashboards.CaseFactsRebuild>().RunAsync(ct);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Rebuilt {Dashboards.CaseFactsProjection.Name} (case board, line facts) of {cases:N0} cases in {clock.Elapsed.TotalSeconds:N1} s"));
            return 0;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            error.WriteLine($"TreatmentLedger cannot rebuild: {e.Message}");
            return 1;
        }
    }
}
