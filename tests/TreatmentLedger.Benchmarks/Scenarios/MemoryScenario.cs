using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>Memory: the peak RSS (VmHWM) of the API process that served every HTTP scenario, read just before it stops.</summary>
public static class MemoryScenario
{
    public const string Name = "memory";
    public const string Target = "<= 400 MB";
    private const long Limit = 400L * 1024 * 1024;

    public static ScenarioResult Result(BenchContext ctx, IReadOnlyList<string> served)
    {
        var api = ctx.Api ?? throw new InvalidOperationException("the API process is not running");
        var peak = api.PeakRssBytes();
        var now = api.RssBytes();
        return new ScenarioResult(Name, $"peak RSS {Fmt.MiB(peak)}", "n/a", "n/a", Target, peak <= Limit,
            "VmHWM of the API process across the HTTP scenarios",
            [
                $"- The API process (pid {api.Pid}) served: {string.Join(", ", served)}.",
                $"- VmHWM (peak resident set) read from /proc/{api.Pid}/status before stopping it: {Fmt.MiB(peak)} ({peak:N0} bytes); VmRSS then: {Fmt.MiB(now)}.",
                "- MB here is MiB (1,048,576 bytes); the target counts 400 of them.",
                $"- The cold-start processes peaked at {string.Join(", ", ctx.ColdStartPeaks.Select(Fmt.MiB))} by their first 201.",
            ]);
    }
}
